/**
 * The per-entry label set a pipeline works on, in Loki's three categories:
 * stream labels (the base, never mutated), structured metadata, and parsed labels (what
 * parsers and label_format produce). One builder is reused for every entry of a pipeline
 * (`reset`), so processing an entry allocates nothing until a stage changes a label.
 *
 * Rules (Loki 3's):
 * - A parsed label whose name is a stream label or a structured metadata label is renamed
 *   `<name>_extracted` by the parsers (`collides`), so the original stays visible.
 * - Within one entry the first value a parser extracts for a name wins: parsers call `extract`,
 *   which ignores a name already set as a parsed label (by any earlier parser or label_format).
 *   `set` (label_format, drop/keep bookkeeping) always overwrites.
 * - Structured metadata whose name is a stream label keeps the stream label and is exposed as
 *   `<name>_extracted`, as Loki's LabelsBuilder.Add does.
 * - `__error__` / `__error_details__` are kept apart (`err`, `errDetails`) and appear as
 *   parsed labels in the result, each on its own (dropping `__error__` keeps the details).
 *   As in Loki, a parser or template that fails overwrites an earlier error; label filters
 *   only set one when there is none (they pass entries that already have one).
 * - LogSentinel adds the entry's detected level as metadata label `level` when the stream has
 *   no `level` label. It hides a structured metadata `level` (the field it was detected from,
 *   as sent: `warning` shows as `warn`), so the label shown is the one `| level="warn"` matches.
 * - Structured metadata whose name is a stream label is seen as `<name>_extracted`; the detected
 *   level is also metadata `detected_level`, as Loki 3 has it, unless the entry carries its own
 *   (model/metadata.ts; docs/ingest.md).
 */
import type { Labels } from '../model/labels.js';
import { DETECTED_LEVEL, detectedLevelOf, streamDetectedLevel } from '../model/metadata.js';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';

const EMPTY: Labels = Object.freeze({}) as Labels;

/** Labels of one processed entry, by category. Objects may be shared: callers must not mutate them. */
export interface LabelsResult {
  labels: Labels;
  structuredMetadata: Labels;
  parsed: Labels;
}

export class LabelsBuilder {
  private base: Labels = EMPTY;
  private meta: Labels | undefined;
  private level: string | undefined;
  private detected: string | undefined;
  /** The level passed to reset ('' for none). */
  private levelArg = '';
  private parsed: Labels | undefined;
  /**
   * Parsed labels of this entry that were deleted again (drop, keep, a rename): with the keys of
   * `parsed` they are the names already extracted, which later parsers leave alone (Loki's
   * hints `extracted`). Allocated only when such a delete happens.
   */
  private droppedParsed: Set<string> | undefined;
  private deleted: Set<string> | undefined;
  err = '';
  errDetails = '';

  // Cache of `base + level` for entries without other changes, per stream object.
  private cacheBase: Labels | undefined;
  private cacheByLevel = new Map<string, LabelsResult>();
  // streamDetectedLevel of the last base seen (constant per stream object).
  private levelBase: Labels | undefined;
  private levelFromStream: string | null | undefined;

  reset(base: Labels, meta: Labels | undefined, level: string | undefined): void {
    this.base = base;
    this.meta = meta !== undefined ? renameCollidingMeta(base, meta) : undefined;
    this.levelArg = level ?? '';
    this.level = level !== undefined && typeof base.level !== 'string' ? level : undefined;
    if (this.levelBase !== base) {
      this.levelBase = base;
      this.levelFromStream = streamDetectedLevel(base);
    }
    this.detected = level === undefined ? undefined : detectedLevelOf(this.levelFromStream, meta, level);
    this.parsed = undefined;
    this.droppedParsed = undefined;
    this.deleted = undefined;
    this.err = '';
    this.errDetails = '';
  }

  /** Whether the stream (base) has the label; parsers then suffix theirs with `_extracted`. */
  baseHas(name: string): boolean {
    return typeof this.base[name] === 'string';
  }

  /**
   * Whether a parser must suffix `name` with `_extracted`: the stream has it, or the entry's
   * structured metadata does (LogSentinel's detected level does not count: it is not sent data).
   */
  collides(name: string): boolean {
    return typeof this.base[name] === 'string' || (this.meta !== undefined && typeof this.meta[name] === 'string');
  }

  /**
   * Sets a parsed label from a parser, unless this entry already has a parsed label of that
   * name (Loki 3: the first extracted value wins). Returns whether it was set.
   */
  extract(name: string, value: string): boolean {
    if (this.parsed !== undefined && typeof this.parsed[name] === 'string') return false;
    if (this.droppedParsed !== undefined && this.droppedParsed.has(name)) return false;
    this.set(name, value);
    return true;
  }

  /** Current value of a label in any category, or undefined. `__error__` reads the error. */
  get(name: string): string | undefined {
    if (name === ERROR_LABEL) return this.err || undefined;
    if (name === ERROR_DETAILS_LABEL) return this.errDetails || undefined;
    if (this.deleted !== undefined && this.deleted.has(name)) return undefined;
    const p = this.parsed?.[name];
    if (typeof p === 'string') return p;
    if (name === 'level' && this.level !== undefined) return this.level;
    if (name === DETECTED_LEVEL && this.detected !== undefined) return this.detected;
    const m = this.meta?.[name];
    if (typeof m === 'string') return m;
    const b = this.base[name];
    return typeof b === 'string' ? b : undefined;
  }

  /** Sets a parsed label (also un-deletes it). */
  set(name: string, value: string): void {
    if (name === ERROR_LABEL) {
      this.err = value;
      return;
    }
    if (name === ERROR_DETAILS_LABEL) {
      this.errDetails = value;
      return;
    }
    if (this.parsed === undefined) this.parsed = {};
    this.parsed[name] = value;
    if (this.deleted !== undefined) this.deleted.delete(name);
  }

  /** Removes a label from every category. */
  delete(name: string): void {
    if (name === ERROR_LABEL) {
      this.err = '';
      return;
    }
    if (name === ERROR_DETAILS_LABEL) {
      this.errDetails = '';
      return;
    }
    if (this.parsed !== undefined && typeof this.parsed[name] === 'string') {
      delete this.parsed[name];
      if (this.droppedParsed === undefined) this.droppedParsed = new Set();
      this.droppedParsed.add(name);
    }
    if (this.deleted === undefined) this.deleted = new Set();
    this.deleted.add(name);
  }

  /** Sets the error unless one is already set (the first error is the most useful). */
  setErr(err: string, details?: string): void {
    this.err = err;
    if (details !== undefined) this.errDetails = details;
  }

  /** Names of all current labels. */
  names(): string[] {
    return Object.keys(this.result().labels);
  }

  result(): LabelsResult {
    const metaEmpty = this.meta === undefined || isEmpty(this.meta);
    if (this.parsed === undefined && this.deleted === undefined && this.err === '' && this.errDetails === '' && metaEmpty) {
      if (this.level === undefined && this.detected === undefined) return { labels: this.base, structuredMetadata: EMPTY, parsed: EMPTY };
      return this.baseWithLevel(this.levelArg, this.level, this.detected);
    }
    const del = this.deleted;
    const parsed = this.parsed;
    const labels: Labels = {};
    for (const k in this.base) if (del === undefined || !del.has(k)) labels[k] = this.base[k];
    let sm: Labels = EMPTY;
    const addMeta = (k: string, v: string): void => {
      if ((del !== undefined && del.has(k)) || (parsed !== undefined && typeof parsed[k] === 'string')) return;
      if (sm === EMPTY) sm = {};
      sm[k] = v;
      labels[k] = v;
    };
    if (this.level !== undefined) addMeta('level', this.level);
    if (this.meta !== undefined) for (const k in this.meta) if (k !== 'level' || this.level === undefined) addMeta(k, this.meta[k]);
    if (this.detected !== undefined) addMeta(DETECTED_LEVEL, this.detected);
    let outParsed: Labels = EMPTY;
    if (parsed !== undefined || this.err !== '' || this.errDetails !== '') {
      outParsed = parsed ?? {};
      if (this.err !== '' || this.errDetails !== '') {
        outParsed = { ...outParsed };
        if (this.err !== '') outParsed[ERROR_LABEL] = this.err;
        if (this.errDetails !== '') outParsed[ERROR_DETAILS_LABEL] = this.errDetails;
      }
      for (const k in outParsed) labels[k] = outParsed[k];
    }
    return { labels, structuredMetadata: sm, parsed: outParsed };
  }

  /**
   * The result of an entry that only adds its level to the stream (`level`, `detected_level` as
   * they apply), cached by the entry's level alone (`key`): for one stream without metadata, both
   * are functions of it.
   */
  private baseWithLevel(key: string, level: string | undefined, detected: string | undefined): LabelsResult {
    if (this.cacheBase !== this.base) {
      this.cacheBase = this.base;
      this.cacheByLevel.clear();
    }
    let r = this.cacheByLevel.get(key);
    if (r === undefined) {
      const sm: Labels = {};
      if (level !== undefined) sm.level = level;
      if (detected !== undefined) sm[DETECTED_LEVEL] = detected;
      r = { labels: { ...this.base, ...sm }, structuredMetadata: sm, parsed: EMPTY };
      this.cacheByLevel.set(key, r);
    }
    return r;
  }
}

const VALID_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const normalized = new Map<string, string>();

/**
 * Prometheus' NormalizeLabel, which Loki applies to structured metadata names that are not valid
 * label names: invalid characters become `_`, a leading digit gets `key_`, a single leading `_`
 * gets `key` (`zsomething-bad` → `zsomething_bad`, `9x` → `key_9x`).
 */
function normalizeMetaName(k: string): string {
  if (k === '' || VALID_NAME.test(k)) return k;
  let n = normalized.get(k);
  if (n === undefined) {
    n = k.replace(/[^a-zA-Z0-9_]/g, '_');
    if (n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57) n = 'key_' + n;
    else if (n.startsWith('_') && !n.startsWith('__')) n = 'key' + n;
    if (normalized.size > 10000) normalized.clear();
    normalized.set(k, n);
  }
  return n;
}

/**
 * Metadata as the pipeline sees it (Loki's pipeline.Process + LabelsBuilder.Add): invalid names
 * normalized, and names that are stream labels become `<name>_extracted`. Copied only when needed.
 */
export function renameCollidingMeta(base: Labels, meta: Labels): Labels {
  let dirty = false;
  for (const k in meta) {
    if (typeof base[k] === 'string' || normalizeMetaName(k) !== k) {
      dirty = true;
      break;
    }
  }
  if (!dirty) return meta;
  const out: Labels = {};
  for (const k in meta) {
    const n = normalizeMetaName(k);
    out[typeof base[n] === 'string' ? n + '_extracted' : n] = meta[k];
  }
  return out;
}

function isEmpty(o: Labels): boolean {
  for (const _k in o) return false;
  return true;
}
