/**
 * Turns Loki `streams` results into the UI's log entries, newest first, with a normalised level.
 * No DOM, so node:test loads it.
 */
import type { Labels, LogEntry } from './types.js';

interface Stream {
  stream: Labels;
  values: [string, string, { structuredMetadata?: Labels; parsed?: Labels }?][];
}
export type Entry = LogEntry;

export const LEVELS = ['critical', 'error', 'warn', 'info', 'debug', 'trace', 'unknown'] as const;

const ALIASES: Record<string, string> = {
  crit: 'critical', critical: 'critical', fatal: 'critical', panic: 'critical', emerg: 'critical', emergency: 'critical', alert: 'critical',
  err: 'error', error: 'error', eror: 'error',
  warn: 'warn', warning: 'warn', wrn: 'warn',
  info: 'info', inf: 'info', information: 'info', informational: 'info', notice: 'info',
  debug: 'debug', dbg: 'debug',
  trace: 'trace', trc: 'trace',
};

/** One of LEVELS for any spelling a client may send (`ERROR`, `warning`, `fatal`, ...). */
export function normalizeLevel(v: string | undefined): string {
  if (!v) return 'unknown';
  return ALIASES[v.trim().toLowerCase()] ?? 'unknown';
}

/** Compares nanosecond decimal strings (no leading zeros) numerically. */
export function compareNs(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** All entries of `streams`, newest first; ties keep stream order. */
export function streamsToEntries(streams: Stream[]): Entry[] {
  const out: Entry[] = [];
  streams.forEach((s, si) => {
    s.values.forEach((v, vi) => {
      const meta = v[2]?.structuredMetadata ?? {};
      const parsed = v[2]?.parsed;
      const level = normalizeLevel(parsed?.level ?? meta.level ?? s.stream.level ?? s.stream.detected_level);
      const e: Entry = { id: `${si}:${vi}:${v[0]}`, ts: v[0], line: v[1], labels: s.stream, metadata: meta, level };
      if (parsed) e.parsed = parsed;
      out.push(e);
    });
  });
  out.sort((a, b) => compareNs(b.ts, a.ts));
  return out;
}

/** Labels every row already shows (as its level). */
const SHOWN_AS_LEVEL = new Set(['level', 'detected_level']);

/**
 * The stream labels that tell the entries apart (Grafana's "unique labels"): the names whose value
 * is not the same on every entry (absent counts as a value), in name order. The rest is common to
 * all of them and says nothing about a row.
 */
export function uniqueLabelNames(entries: readonly Entry[]): string[] {
  if (entries.length === 0) return [];
  const first = entries[0].labels;
  const names = new Set<string>();
  for (const e of entries) for (const k in e.labels) names.add(k);
  const out: string[] = [];
  for (const k of names) {
    if (SHOWN_AS_LEVEL.has(k)) continue;
    const v = first[k];
    if (entries.some((e) => e.labels[k] !== v)) out.push(k);
  }
  return out.sort();
}
