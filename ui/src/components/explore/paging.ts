/**
 * Loading older lines beyond the first page, without duplicates and without gaps at equal
 * timestamps: the next page is read backward up to and including the oldest timestamp shown, with
 * the limit raised by the entries already shown at that timestamp, so every entry at it comes
 * back (a backward read returns all entries of a timestamp before any older one); those already
 * shown are then dropped.
 */
import type { LogEntry } from '../../types.js';

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
  return { endNs: (BigInt(oldest.ts) + 1n).toString(), limit: limit + atOldest };
}

/**
 * Appends `page` (newest first) to `shown`, leaving out what is already shown (as many times as it
 * is shown: identical entries stay distinct). `more` says whether an older page may exist.
 */
export function appendOlder(shown: readonly LogEntry[], page: readonly LogEntry[], requested: number, pageNo: number): { entries: LogEntry[]; added: number; more: boolean } {
  const seen = new Map<string, number>();
  const oldestTs = shown[shown.length - 1]?.ts;
  for (let i = shown.length - 1; i >= 0 && shown[i].ts === oldestTs; i--) {
    const k = keyOf(shown[i]);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const out = shown.slice();
  let added = 0;
  for (const e of page) {
    const k = keyOf(e);
    const n = e.ts === oldestTs ? (seen.get(k) ?? 0) : 0;
    if (n > 0) {
      seen.set(k, n - 1);
      continue;
    }
    out.push({ ...e, id: `p${pageNo}:${e.id}` });
    added++;
  }
  return { entries: out, added, more: page.length >= requested && added > 0 };
}
