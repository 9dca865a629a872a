/**
 * The per-entry label set a pipeline works on, in Loki's three categories:
 * stream labels (the base, never mutated), structured metadata, and parsed labels (what
 * parsers and label_format produce). One builder is reused for every entry of a pipeline
 * (`reset`), so processing an entry allocates nothing until a stage changes a label.
 *
 * Rules (Loki's):
 * - A parsed label whose name is a stream label is renamed `<name>_extracted` by the parsers
 *   (`baseHas`); a parsed label with the name of a metadata label hides the metadata value.
 * - `__error__` / `__error_details__` are kept apart (`err`, `errDetails`) and appear as
 *   parsed labels in the result. A stage does not overwrite an existing error.
 * - LogSentinel adds the entry's detected level as metadata label `level` when the stream has
 *   no `level` label. It hides a structured metadata `level` (the field it was detected from,
 *   as sent: `warning` shows as `warn`), so the label shown is the one `| level="warn"` matches.
 * - Structured metadata whose name is a stream label is seen as `<name>_extracted`; the detected
 *   level is also metadata `detected_level`, as Loki 3 has it, unless the entry carries its own
 *   (model/metadata.ts; docs/ingest.md).
 */
import type { Labels } from '../model/labels.js';
import { DETECTED_LEVEL, detectedLevelOf, metadataLabels, streamDetectedLevel } from '../model/metadata.js';

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
    this.meta = metadataLabels(base, meta);
    this.levelArg = level ?? '';
    this.level = level !== undefined && typeof base.level !== 'string' ? level : undefined;
    if (this.levelBase !== base) {
      this.levelBase = base;
      this.levelFromStream = streamDetectedLevel(base);
    }
    this.detected = level === undefined ? undefined : detectedLevelOf(this.levelFromStream, meta, level);
    this.parsed = undefined;
    this.deleted = undefined;
    this.err = '';
    this.errDetails = '';
  }

  /** Whether the stream (base) has the label; parsers then suffix theirs with `_extracted`. */
  baseHas(name: string): boolean {
    return typeof this.base[name] === 'string';
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
    if (this.parsed !== undefined && typeof this.parsed[name] === 'string') delete this.parsed[name];
    if (this.deleted === undefined) this.deleted = new Set();
    this.deleted.add(name);
  }

  /** Sets the error unless one is already set (the first error is the most useful). */
  setErr(err: string, details: string): void {
    if (this.err !== '') return;
    this.err = err;
    this.errDetails = details;
  }

  /** Names of all current labels. */
  names(): string[] {
    return Object.keys(this.result().labels);
  }

  result(): LabelsResult {
    const metaEmpty = this.meta === undefined || isEmpty(this.meta);
    if (this.parsed === undefined && this.deleted === undefined && this.err === '' && metaEmpty) {
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
    if (parsed !== undefined || this.err !== '') {
      outParsed = parsed ?? {};
      if (this.err !== '') {
        outParsed = { ...outParsed, [ERROR_LABEL]: this.err };
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

function isEmpty(o: Labels): boolean {
  for (const _k in o) return false;
  return true;
}
