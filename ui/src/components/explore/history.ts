/**
 * Query history, kept in the browser (localStorage, per tenant): the queries run from Explore,
 * newest first, each once, at most HISTORY_MAX.
 */
export const HISTORY_MAX = 50;

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const keyOf = (tenant: string): string => `logsentinel.history.${tenant || 'default'}`;

export function loadHistory(store: KeyValueStore, tenant: string): string[] {
  try {
    const v = JSON.parse(store.getItem(keyOf(tenant)) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

/** Records `query` as the newest entry (moving it up if it was there); returns the new history. */
export function addToHistory(store: KeyValueStore, tenant: string, query: string): string[] {
  const q = query.trim();
  const prev = loadHistory(store, tenant);
  if (!q) return prev;
  const next = [q, ...prev.filter((x) => x !== q)].slice(0, HISTORY_MAX);
  try {
    store.setItem(keyOf(tenant), JSON.stringify(next));
  } catch {
    // Storage full or disabled: history is a convenience.
  }
  return next;
}
