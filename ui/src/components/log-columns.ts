/**
 * The columns a log list shows between the level and the line (vmui and Seq show chosen fields as
 * columns): stream labels, metadata or fields, by name. Each page remembers its own choice in the
 * browser (localStorage, not a secret). No DOM, so node:test loads it.
 */
import type { LogEntry } from '../types.js';
import { entryFields } from './entry-fields.js';

/** More columns than this leave no room for the line. */
export const MAX_COLUMNS = 8;

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const keyOf = (page: string): string => `logsentinel.columns.${page}`;

/** The columns saved for `page` (`explore`, `tail`); [] when none or unreadable. */
export function loadColumns(store: KeyValueStore, page: string): string[] {
  try {
    const v = JSON.parse(store.getItem(keyOf(page)) ?? '[]') as unknown;
    if (!Array.isArray(v)) return [];
    const names = v.filter((x): x is string => typeof x === 'string' && x !== '');
    return [...new Set(names)].slice(0, MAX_COLUMNS);
  } catch {
    return [];
  }
}

export function saveColumns(store: KeyValueStore, page: string, columns: readonly string[]): void {
  try {
    store.setItem(keyOf(page), JSON.stringify(columns));
  } catch {
    // Storage full or disabled: the choice lasts until the page is left.
  }
}

/** Adds `name` at the end, or removes it when present; at most MAX_COLUMNS (the newest wins). */
export function toggleColumn(columns: readonly string[], name: string): string[] {
  if (columns.includes(name)) return columns.filter((c) => c !== name);
  return [...columns, name].slice(-MAX_COLUMNS);
}

export interface SeenNames {
  labels: string[];
  metadata: string[];
  fields: string[];
}

/** The stream label, metadata and field names found in `entries`, each list in name order. */
export function seenNames(entries: readonly LogEntry[]): SeenNames {
  const labels = new Set<string>();
  const metadata = new Set<string>();
  const fields = new Set<string>();
  for (const e of entries) {
    for (const k in e.labels) labels.add(k);
    for (const k in e.metadata) metadata.add(k);
    for (const [k] of entryFields(e).fields) fields.add(k);
  }
  const sorted = (s: Set<string>): string[] => [...s].sort();
  return { labels: sorted(labels), metadata: sorted(metadata), fields: sorted(fields) };
}
