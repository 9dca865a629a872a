/**
 * The fields of one log entry as the UI shows them (expanded rows, the fields sidebar, columns):
 * the server's parsed labels when the query had a parser stage, else the line parsed here as JSON
 * or logfmt, named as Loki's `| json` / `| logfmt` would name them — including the rename of a
 * field whose name is already a stream label or structured metadata of the entry to
 * `<name>_extracted` (Loki's LabelsBuilder; the server's `collides`), so a filter built from a
 * name matches the lines it was read from.
 *
 * Parsing a line is the costly part, so each entry is parsed once: results are cached per entry
 * object (a WeakMap, so dropped entries free their fields). Entries must not be mutated after
 * they were first read here. No DOM, so node:test loads it.
 */
import { parseLineFields } from '../logql/fields.js';
import type { LogEntry } from '../types.js';

export interface EntryFields {
  /** True when the fields are the server's parsed labels (the query has a parser stage). */
  server: boolean;
  /** The format the line was parsed as here; undefined when `server` or for free text. */
  format?: 'json' | 'logfmt';
  /** Field name → value, each name once (the first value wins, as in Loki 3), in line order. */
  fields: [string, string][];
  /** The server's `__error__` / `__error_details__` labels, if any. */
  errors: [string, string][];
}

const EXTRACTED_SUFFIX = '_extracted';
const cache = new WeakMap<LogEntry, EntryFields>();

/** The entry's fields, computed once per entry object. */
export function entryFields(e: LogEntry): EntryFields {
  let f = cache.get(e);
  if (f === undefined) {
    f = readFields(e);
    cache.set(e, f);
  }
  return f;
}

function readFields(e: LogEntry): EntryFields {
  if (e.parsed && Object.keys(e.parsed).length > 0) {
    const all = Object.entries(e.parsed);
    return { server: true, fields: all.filter(([k]) => !k.startsWith('__error')), errors: all.filter(([k]) => k.startsWith('__error')) };
  }
  const p = parseLineFields(e.line);
  if (!p) return { server: false, fields: [], errors: [] };
  const seen = new Set<string>();
  const fields: [string, string][] = [];
  for (const [k, v] of p.fields) {
    const name = e.labels[k] !== undefined || e.metadata[k] !== undefined ? k + EXTRACTED_SUFFIX : k;
    if (seen.has(name)) continue;
    seen.add(name);
    fields.push([name, v]);
  }
  return { server: false, format: p.format, fields, errors: [] };
}

/**
 * The value a row shows in column `name`: the stream label, else the structured metadata, else
 * the field of that name (a field that shares a label's name is `<name>_extracted`, so the three
 * never compete). Undefined when the entry has none.
 */
export function columnValue(e: LogEntry, name: string): string | undefined {
  const l = e.labels[name];
  if (l !== undefined) return l;
  const m = e.metadata[name];
  if (m !== undefined) return m;
  for (const [k, v] of entryFields(e).fields) if (k === name) return v;
  return undefined;
}
