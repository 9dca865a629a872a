/**
 * Turning JSON documents into entry fields, shared by the JSON lines and Elasticsearch bulk
 * decoders: scalars as text, anything else as JSON, and nested objects flattened into structured
 * metadata names (`{"http":{"status":200}}` → `http_status="200"`).
 */
import type { Metadata } from '../../model/entry.js';
import { normalizeMetadataName } from './validate.js';

/** Past this depth a nested object is stored as JSON rather than flattened further. */
export const FLATTEN_DEPTH = 5;

/** A string, number, boolean or bigint as text; undefined for null, objects and arrays. */
export function scalarString(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      return undefined;
  }
}

/** JSON text of `v`, or '' when it cannot be serialised. */
export function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

const nameCache = new Map<string, string>();

/** `normalizeMetadataName`, memoised: documents of one shipper repeat the same paths. */
export function metadataName(path: string): string {
  let n = nameCache.get(path);
  if (n === undefined) {
    n = normalizeMetadataName(path);
    if (nameCache.size >= 10_000) nameCache.clear();
    nameCache.set(path, n);
  }
  return n;
}

/**
 * Adds `v` under the dotted path `prefix` to `md`: scalars as text, arrays and objects deeper
 * than FLATTEN_DEPTH as JSON, null dropped. Paths in `skip` (fields already used as time, line,
 * level or labels) are left out.
 */
export function flattenInto(md: Metadata, prefix: string, v: unknown, depth = 0, skip?: ReadonlySet<string>): void {
  if (v === null || v === undefined || skip?.has(prefix)) return;
  const s = scalarString(v);
  if (s !== undefined) {
    const n = metadataName(prefix);
    if (n !== '') md[n] = s;
    return;
  }
  if (Array.isArray(v) || depth >= FLATTEN_DEPTH) {
    const n = metadataName(prefix);
    if (n !== '') md[n] = safeJson(v);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) flattenInto(md, prefix === '' ? k : prefix + '.' + k, o[k], depth + 1, skip);
}
