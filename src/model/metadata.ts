/**
 * Structured metadata as stores keep it and as queries see it.
 *
 * - Identity: an entry is (stream, timestamp, line, structured metadata), as in Loki, where two
 *   entries are one only when all four are equal. `canonicalMetadata` is the one encoding both
 *   stores write and hash, so metadata sent in another key order is still the same entry.
 * - Collisions: a metadata name that is also a stream label keeps the stream label and is seen
 *   by queries as `<name>_extracted`, the rule Loki applies to parsed labels
 *   (pkg/logql/log/labels.go, `duplicateSuffix`).
 * - `detected_level`: Loki 3 exposes the detected level as structured metadata of that name; here
 *   it is derived at query time (`detectedLevel`) the way Loki's distributor chooses it at ingest
 *   (pkg/distributor/level_detection.go), see docs/ingest.md, "detected_level".
 */
import type { Metadata } from './entry.js';
import type { Labels } from './labels.js';

/** The name Loki 3 gives the detected level in structured metadata. */
export const DETECTED_LEVEL = 'detected_level';

/** Suffix of a metadata (or parsed) label renamed because a stream label has its name. */
export const EXTRACTED_SUFFIX = '_extracted';

/**
 * The stored form of an entry's metadata: a JSON object with keys in code-unit order, or null when
 * there is none. Equal metadata gives equal text whatever order its keys were sent in.
 */
export function canonicalMetadata(m: Metadata | undefined): string | null {
  if (m === undefined) return null;
  const keys = Object.keys(m);
  if (keys.length === 0) return null;
  let inOrder = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      inOrder = false;
      break;
    }
  }
  if (inOrder) return JSON.stringify(m);
  keys.sort();
  // Rebuilt in sorted order and serialised natively (twice as fast as concatenating escaped
  // parts). JavaScript puts integer-like names first whatever the insertion order, which keeps
  // the text a function of the key set. `__proto__` cannot be assigned as a plain property.
  if (keys.includes('__proto__')) {
    let s = '{';
    for (let i = 0; i < keys.length; i++) s += (i > 0 ? ',' : '') + JSON.stringify(keys[i]) + ':' + JSON.stringify(m[keys[i]]);
    return s + '}';
  }
  const o: Metadata = {};
  for (let i = 0; i < keys.length; i++) o[keys[i]] = m[keys[i]];
  return JSON.stringify(o);
}

/** The canonical form of a stored metadata text (rows written before keys were sorted); unparsable text is returned as is. */
export function recanonicalize(text: string | null): string | null {
  if (text === null || text === '') return null;
  try {
    return canonicalMetadata(JSON.parse(text) as Metadata);
  } catch {
    return text;
  }
}

/** Names whose value Loki takes as the level, as sent, from stream labels first, then metadata. */
export const LEVEL_FIELDS: readonly string[] = ['level', 'LEVEL', 'Level', 'severity', 'SEVERITY', 'Severity', 'lvl', 'LVL', 'Lvl'];

function levelField(m: Labels): string | undefined {
  for (let i = 0; i < LEVEL_FIELDS.length; i++) {
    const v = m[LEVEL_FIELDS[i]];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/**
 * What a stream decides of its entries' `detected_level`: null when it has a `detected_level`
 * label (none is derived), the value of its level label as sent, or undefined (the entry decides).
 * Depends on the stream only, so callers may compute it once per stream.
 */
export function streamDetectedLevel(stream: Labels): string | null | undefined {
  return typeof stream[DETECTED_LEVEL] === 'string' ? null : levelField(stream);
}

/**
 * The `detected_level` of an entry, as Loki 3 sets it: the value of a level label of the stream as
 * sent (`level="ERROR"` gives `ERROR`), else of a level field of its metadata, else the level
 * LogSentinel detected. Undefined when the entry (or its stream) carries `detected_level` itself,
 * which then stands, or when the value found is empty.
 * `meta` is the entry's stored metadata (before collisions are renamed).
 */
export function detectedLevel(stream: Labels, meta: Metadata | undefined, level: string): string | undefined {
  return detectedLevelOf(streamDetectedLevel(stream), meta, level);
}

/** `detectedLevel` for callers that cache `streamDetectedLevel(stream)` (`fromStream`). */
export function detectedLevelOf(fromStream: string | null | undefined, meta: Metadata | undefined, level: string): string | undefined {
  if (fromStream === null || (meta !== undefined && typeof meta[DETECTED_LEVEL] === 'string')) return undefined;
  const v = fromStream ?? (meta === undefined ? undefined : levelField(meta)) ?? level;
  return v === '' ? undefined : v;
}

/**
 * The stored metadata keys a query must read to produce the labels `names` (a grouping):
 * `x_extracted` may be metadata `x` renamed by a collision, so `x` is read too; `detected_level`
 * may come from a level field (`detectedLevel`).
 */
export function metadataKeysFor(names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const n of names) {
    out.add(n);
    if (n === DETECTED_LEVEL) for (const f of LEVEL_FIELDS) out.add(f);
    if (n.endsWith(EXTRACTED_SUFFIX) && n.length > EXTRACTED_SUFFIX.length) out.add(n.slice(0, -EXTRACTED_SUFFIX.length));
  }
  return [...out];
}
