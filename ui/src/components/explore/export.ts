/**
 * What Explore's "Download" and "Copy link" produce, as pure functions: the shown entries as JSON
 * lines, CSV or plain text, and a link to the view with its range made absolute (a link sent to
 * someone shows what the sender saw, not "the last hour" of whenever it is opened).
 */
import type { LogEntry } from '../../types.js';
import { formatNs } from '../../time.js';

export type DownloadFormat = 'jsonl' | 'csv' | 'txt';

export const DOWNLOAD_FORMATS: Array<{ format: DownloadFormat; label: string; mime: string }> = [
  { format: 'jsonl', label: 'JSON lines', mime: 'application/x-ndjson' },
  { format: 'csv', label: 'CSV', mime: 'text/csv' },
  { format: 'txt', label: 'Plain text', mime: 'text/plain' },
];

/** RFC 3339 with nanoseconds, in UTC, from a nanosecond timestamp string. */
export function rfc3339Nano(ns: string): string {
  const n = BigInt(ns);
  const ms = Number(n / 1_000_000n);
  const frac = (n % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function labelsText(l: Record<string, string>): string {
  const pairs = Object.keys(l)
    .sort()
    .map((k) => `${k}=${JSON.stringify(l[k])}`);
  return `{${pairs.join(', ')}}`;
}

/** The entries (newest first, as shown) in `format`; every line ends with a newline. */
export function formatEntries(entries: readonly LogEntry[], format: DownloadFormat): string {
  if (format === 'jsonl') {
    return entries
      .map((e) => JSON.stringify({ timestamp: rfc3339Nano(e.ts), ts: e.ts, level: e.level, labels: e.labels, metadata: e.metadata, ...(e.parsed ? { parsed: e.parsed } : {}), line: e.line }) + '\n')
      .join('');
  }
  if (format === 'csv') {
    const head = 'timestamp,level,labels,line\r\n';
    return head + entries.map((e) => [rfc3339Nano(e.ts), e.level, labelsText(e.labels), e.line].map(csvCell).join(',') + '\r\n').join('');
  }
  return entries.map((e) => `${formatNs(e.ts)} ${e.level} ${labelsText(e.labels)} ${e.line}\n`).join('');
}

/** A file name for a download: `logsentinel-<start>-<end>.<ext>` in UTC. */
export function downloadName(startMs: number, endMs: number, format: DownloadFormat): string {
  const t = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '');
  return `logsentinel-${t(startMs)}-${t(endMs)}.${format}`;
}

/** The Explore view as a link with an absolute range (epoch milliseconds), resolved now. */
export function absoluteLink(origin: string, p: { query: string; startMs: number; endMs: number; limit?: number; view?: string }): string {
  const q = new URLSearchParams({ query: p.query, from: String(Math.floor(p.startMs)), to: String(Math.ceil(p.endMs)) });
  if (p.limit !== undefined) q.set('limit', String(p.limit));
  if (p.view && p.view !== 'logs') q.set('view', p.view);
  return `${origin}/explore?${q}`;
}
