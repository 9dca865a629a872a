/**
 * Loading older and newer lines beyond the first page, without duplicates and without gaps at
 * equal timestamps. Older: the next page is read backward up to and including the oldest timestamp
 * shown, with the limit raised by the entries already shown at that timestamp, so every entry at
 * it comes back (a backward read returns all entries of a timestamp before any older one); those
 * already shown are then dropped. Newer (lines that arrived after a relative range was read): the
 * same, mirrored — read forward from the newest timestamp shown, inclusive, to now.
 *
 * The raised limit stays within the server's largest (`query.maxEntriesLimit`, 5,000 by default,
 * which Explore's limit never passes): a page then brings fewer new lines, still without a gap. Only
 * when more entries than that share one timestamp can paging not get past it (`more` turns false).
 */
import type { LogEntry } from '../../types.js';

/** The largest `limit` a page asks for: the server's default `query.maxEntriesLimit`. */
export const MAX_PAGE_LIMIT = 5000;
/** What identifies an entry across pages: its stream, timestamp and line. */
function keyOf(e: LogEntry): string {
  const labels = Object.keys(e.labels)
    .sort()
    .map((k) => `${k}\u0000${e.labels[k]}`)
    .join('\u0001');
  return `${labels}\u0002${e.ts}\u0002${e.line}`;
}

/** The request for the page older than `shown` (newest first): its end (exclusive) and limit. */
export function olderPageRequest(shown: readonly LogEntry[], limit: number): { endNs: string; limit: number } | undefined {
  const oldest = shown[shown.length - 1];
  if (!oldest) return undefined;
  let atOldest = 0;
  for (let i = shown.length - 1; i >= 0 && shown[i].ts === oldest.ts; i--) atOldest++;
  return { endNs: (BigInt(oldest.ts) + 1n).toString(), limit: Math.min(limit + atOldest, MAX_PAGE_LIMIT) };
}

/** The request for lines newer than `shown` (newest first): its start (inclusive) and limit; the end is now. */
export function newerPageRequest(shown: readonly LogEntry[], limit: number): { startNs: string; limit: number } | undefined {
  const newest = shown[0];
  if (!newest) return undefined;
  let atNewest = 0;
  for (let i = 0; i < shown.length && shown[i].ts === newest.ts; i++) atNewest++;
  return { startNs: newest.ts, limit: Math.min(limit + atNewest, MAX_PAGE_LIMIT) };
}

/** Counts of the entries of `shown` at the timestamp `ts`, by key, read from `from` towards `step`. */
function shownAt(shown: readonly LogEntry[], from: number, step: 1 | -1): Map<string, number> {
  const seen = new Map<string, number>();
  const ts = shown[from]?.ts;
  for (let i = from; i >= 0 && i < shown.length && shown[i].ts === ts; i += step) {
    const k = keyOf(shown[i]);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return seen;
}

/** `page` without the entries already shown at `edgeTs` (as many times as they are shown), ids made unique to the page. */
function unseen(page: readonly LogEntry[], seen: Map<string, number>, edgeTs: string | undefined, prefix: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const e of page) {
    const k = keyOf(e);
    const n = e.ts === edgeTs ? (seen.get(k) ?? 0) : 0;
    if (n > 0) {
      seen.set(k, n - 1);
      continue;
    }
    out.push({ ...e, id: `${prefix}:${e.id}` });
  }
  return out;
}

/**
 * Appends `page` (newest first) to `shown`, leaving out what is already shown (as many times as it
 * is shown: identical entries stay distinct). `more` says whether an older page may exist.
 */
export function appendOlder(shown: readonly LogEntry[], page: readonly LogEntry[], requested: number, pageNo: number): { entries: LogEntry[]; added: number; more: boolean } {
  const edge = shown.length - 1;
  const fresh = unseen(page, shownAt(shown, edge, -1), shown[edge]?.ts, `p${pageNo}`);
  return { entries: shown.concat(fresh), added: fresh.length, more: page.length >= requested && fresh.length > 0 };
}

/**
 * Puts `page` (a forward read: oldest first) before `shown`, newest first, leaving out what is
 * already shown. `more` says whether still newer lines may exist (the read was full).
 */
export function prependNewer(shown: readonly LogEntry[], page: readonly LogEntry[], requested: number, pageNo: number): { entries: LogEntry[]; added: number; more: boolean } {
  const fresh = unseen(page, shownAt(shown, 0, 1), shown[0]?.ts, `n${pageNo}`);
  return { entries: fresh.reverse().concat(shown), added: fresh.length, more: page.length >= requested && fresh.length > 0 };
}
