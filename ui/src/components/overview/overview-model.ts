/**
 * The answer of `GET /api/v1/overview` (src/api/routes/overview.ts) and what the Overview page
 * derives from it: chart series, bar widths and the Explore links for services and errors. Pure.
 */
import { exploreHref, withLineFilter } from '../alerts/log-query.js';

export interface ServiceRow {
  service: string;
  /** The label naming the service ('' when the stream has none of the service labels). */
  label: string;
  selector: string;
  lines: number;
  errors: number;
  bytes: number;
}

export interface ErrorGroup {
  /** The message with numbers, ids, addresses and times replaced by <n>, <hex>, <uuid>, <ip>, <time>. */
  pattern: string;
  /** The newest line of the group. */
  example: string;
  /** Its message as written: the message field of a JSON or logfmt line, else the line. */
  sample: string;
  count: number;
  service: string;
  selector: string;
  lastSeen: string;
}

export interface OverviewResponse {
  start: string;
  end: string;
  stepSeconds: number;
  totals: { lines: number; errors: number; bytes: number; streams: number; services: number };
  /** [unix seconds of the bucket start, lines per second, error lines per second]. */
  ingestRate: Array<[number, number, number]>;
  services: ServiceRow[];
  topErrors: ErrorGroup[];
  errorSample: { lines: number; limit: number };
  /** `compression`: PostgreSQL with TimescaleDB only — compressed chunks as stored and before compression. */
  storage: { backend: string; bytes: number; compression?: { compressedBytes: number; uncompressedBytes: number } };
  /** null: this role has no ingest queue. */
  queue: { depth: number | null };
}

export const RANGES = ['15m', '1h', '6h', '24h'] as const;
export type Range = (typeof RANGES)[number];
export function isRange(s: string | null): s is Range {
  return s !== null && (RANGES as readonly string[]).includes(s);
}

/** "the last hour", "the last 15 minutes"… for sentences in empty states. */
export function describeRange(r: Range): string {
  return { '15m': 'the last 15 minutes', '1h': 'the last hour', '6h': 'the last 6 hours', '24h': 'the last 24 hours' }[r];
}

/** A TimeSeriesChart series (ChartSeries in ui/src/types.ts, spelled out as in tail-buffer.ts). */
export interface Series {
  name: string;
  points: [number, number][];
  color?: string;
}

export function ingestSeries(rate: OverviewResponse['ingestRate']): Series[] {
  return [
    { name: 'lines/s', points: rate.map((p) => [p[0], p[1]]), color: '#4f8ff7' },
    { name: 'errors/s', points: rate.map((p) => [p[0], p[2]]), color: '#e5534b' },
  ];
}

/** A bar's width as a percentage of the largest value; any non-zero value gets a visible sliver. */
export function barPercent(value: number, max: number): number {
  if (!(max > 0) || value <= 0) return 0;
  return Math.max(0.5, Math.min(100, (value / max) * 100));
}

const PLACEHOLDER = /<(?:uuid|ip|time|hex|n)>/;

/**
 * A line filter that finds an error group's lines: the longest literal stretch of its pattern
 * that occurs verbatim in the example line, at least three characters long and at most 120.
 * The pattern has its whitespace collapsed, so when a whole stretch is not in the line, runs of
 * whole words from it are tried. Undefined when there is none.
 */
export function errorLineFilter(pattern: string, example: string): string | undefined {
  const candidates = new Set<string>();
  for (const part of pattern.split(PLACEHOLDER)) {
    const p = part.trim();
    if (p.length < 3) continue;
    candidates.add(p.length > 120 ? p.slice(0, 120).trim() : p);
    const words = p.split(' ').slice(0, 40);
    for (let i = 0; i < words.length; i++) {
      for (let j = i + 1; j <= words.length; j++) {
        const run = words.slice(i, j).join(' ');
        if (run.length > 120) break;
        if (run.length >= 3) candidates.add(run);
      }
    }
  }
  let best: string | undefined;
  for (const c of candidates) if (c.length > (best?.length ?? 0) && example.includes(c)) best = c;
  return best;
}

/** The Explore link for an error group: its service's selector and a line filter, over `range`. */
export function errorLink(e: ErrorGroup, range: Range): string {
  const text = errorLineFilter(e.pattern, e.example);
  return exploreHref(text ? withLineFilter(e.selector, text) : e.selector, `now-${range}`);
}

export function serviceLink(s: ServiceRow, range: Range): string {
  return exploreHref(s.selector, `now-${range}`);
}
