/**
 * Log context: the lines just before and after an entry in the same stream, as pure functions
 * (the selector of the entry's stream, and the merge of the two reads around it).
 */
import type { LogEntry } from '../types.js';
import { compareNs } from '../entries.js';

/** Lines read on each side of the entry. */
export const CONTEXT_LINES = 10;

/**
 * The stream selector of an entry: its stream labels as equality matchers (`detected_level` is
 * structured metadata, not a stream label, and is left out).
 */
export function streamSelector(labels: Record<string, string>): string {
  const pairs = Object.keys(labels)
    .filter((k) => k !== 'detected_level')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${pairs.join(', ')}}`;
}

/** The entry's timestamp plus `d` nanoseconds, as the API's decimal string. */
export function nsPlus(ts: string, d: bigint): string {
  return (BigInt(ts) + d).toString();
}

/**
 * Merges what was read up to and including the entry's time (newest first) and after it (oldest
 * first) into one list, oldest first, with the entry itself once and marked: lines at the entry's
 * own timestamp that are other lines stay, the entry is not repeated.
 */
export function contextList(entry: Pick<LogEntry, 'ts' | 'line'>, before: readonly LogEntry[], after: readonly LogEntry[]): Array<{ ts: string; line: string; self: boolean }> {
  let selfSeen = false;
  const older: Array<{ ts: string; line: string; self: boolean }> = [];
  for (const e of before) {
    if (!selfSeen && e.ts === entry.ts && e.line === entry.line) {
      selfSeen = true;
      continue;
    }
    older.push({ ts: e.ts, line: e.line, self: false });
  }
  older.sort((a, b) => compareNs(a.ts, b.ts));
  const newer = after.filter((e) => compareNs(e.ts, entry.ts) > 0).map((e) => ({ ts: e.ts, line: e.line, self: false }));
  newer.sort((a, b) => compareNs(a.ts, b.ts));
  return [...older.slice(-CONTEXT_LINES), { ts: entry.ts, line: entry.line, self: true }, ...newer.slice(0, CONTEXT_LINES)];
}
