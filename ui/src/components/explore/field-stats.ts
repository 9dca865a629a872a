/**
 * What the fields sidebar shows for the entries listed (Kibana Discover's field list, Seq's and
 * vmui's field stats): every stream label, structured metadata key and field of the lines, how
 * many of the entries have it, and its most frequent values with their counts.
 *
 * One pass over the entries (up to 5,000), reading each line's fields through `entryFields`,
 * which parses a line once per entry object: recounting after "load older lines" parses only the
 * new lines. Counting itself is a few map increments per field. No DOM, so node:test loads it.
 */
import type { FilterAction, LogEntry } from '../../types.js';
import { entryFields } from '../entry-fields.js';

export type FieldSource = 'label' | 'metadata' | 'field';

export interface ValueCount {
  value: string;
  count: number;
}

export interface FieldStat {
  source: FieldSource;
  name: string;
  /** Entries that have the field. */
  count: number;
  /** Distinct values among them. */
  distinct: number;
  /** The most frequent values, most frequent first (ties in value order). */
  top: ValueCount[];
  /**
   * For fields parsed here (the query has no parser stage): the parser a filter on it needs, the
   * format of most lines that have it. Undefined for labels, metadata and the server's fields.
   */
  parser?: 'json' | 'logfmt';
}

export interface FieldStats {
  /** Entries counted. */
  total: number;
  /** Stream labels, then metadata, then fields; by name within each. */
  fields: FieldStat[];
}

export const DEFAULT_TOP = 5;

interface Acc {
  source: FieldSource;
  name: string;
  count: number;
  values: Map<string, number>;
  json: number;
  logfmt: number;
}

const SOURCE_ORDER: Record<FieldSource, number> = { label: 0, metadata: 1, field: 2 };

/** Counts the fields of `entries` and keeps the `top` most frequent values of each. */
export function fieldStats(entries: readonly LogEntry[], top = DEFAULT_TOP): FieldStats {
  const accs = new Map<string, Acc>();
  const add = (source: FieldSource, name: string, value: string, format?: 'json' | 'logfmt'): void => {
    const key = source + '\x00' + name;
    let a = accs.get(key);
    if (a === undefined) {
      a = { source, name, count: 0, values: new Map(), json: 0, logfmt: 0 };
      accs.set(key, a);
    }
    a.count++;
    a.values.set(value, (a.values.get(value) ?? 0) + 1);
    if (format) a[format]++;
  };
  for (const e of entries) {
    for (const k in e.labels) add('label', k, e.labels[k]);
    for (const k in e.metadata) add('metadata', k, e.metadata[k]);
    const f = entryFields(e);
    for (const [k, v] of f.fields) add('field', k, v, f.format);
  }
  const fields: FieldStat[] = [];
  for (const a of accs.values()) {
    const s: FieldStat = { source: a.source, name: a.name, count: a.count, distinct: a.values.size, top: topValues(a.values, top) };
    if (a.json + a.logfmt > 0) s.parser = a.logfmt > a.json ? 'logfmt' : 'json';
    fields.push(s);
  }
  fields.sort((x, y) => SOURCE_ORDER[x.source] - SOURCE_ORDER[y.source] || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return { total: entries.length, fields };
}

/** The `n` largest counts, most frequent first, ties by value; one pass, no full sort. */
export function topValues(values: ReadonlyMap<string, number>, n: number): ValueCount[] {
  const out: ValueCount[] = [];
  if (n <= 0) return out;
  const before = (a: ValueCount, b: ValueCount): boolean => a.count > b.count || (a.count === b.count && a.value < b.value);
  for (const [value, count] of values) {
    const c = { value, count };
    if (out.length === n && !before(c, out[n - 1])) continue;
    let i = out.length < n ? out.length : n - 1;
    // Insertion into the short sorted list.
    while (i > 0 && before(c, out[i - 1])) i--;
    out.splice(i, 0, c);
    if (out.length > n) out.pop();
  }
  return out;
}

/**
 * The filter that keeps (`=`) or drops (`!=`) the entries whose field has `value`: a stream
 * matcher for labels and for `level` (an indexed column, so it filters best in the selector),
 * a label filter stage for metadata and fields, after the parser the field needs when the query
 * has none yet.
 */
export function filterFor(f: Pick<FieldStat, 'source' | 'name' | 'parser'>, value: string, op: '=' | '!='): FilterAction {
  if (f.source === 'label' || (f.source === 'metadata' && f.name === 'level')) return { kind: 'label', name: f.name, value, op };
  return { kind: 'field', name: f.name, value, op, ...(f.parser ? { parser: f.parser } : {}) };
}

/** `count` as a share of `total`, for display: `100%`, `37.5%`, `<0.1%`, `>99.9%`. */
export function percent(count: number, total: number): string {
  if (total <= 0) return '0%';
  const p = (count / total) * 100;
  if (p > 0 && p < 0.1) return '<0.1%';
  // Rounding must not claim every line when one is missing.
  if (count < total && p > 99.9) return '>99.9%';
  return `${Number.isInteger(p) ? p : p.toFixed(1).replace(/\.0$/, '')}%`;
}
