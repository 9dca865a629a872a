/**
 * Time ranges as the URL keeps them: `now`, `now-15m` (relative) or epoch milliseconds
 * (absolute), plus the formatting the UI shows (the browser's zone, millisecond precision).
 * Pure: `nowMs` is always passed in, so tests are deterministic.
 */

export interface RelativeRange {
  from: string;
  label: string;
}

export const RELATIVE_RANGES: RelativeRange[] = [
  { from: 'now-5m', label: 'Last 5 minutes' },
  { from: 'now-15m', label: 'Last 15 minutes' },
  { from: 'now-1h', label: 'Last 1 hour' },
  { from: 'now-6h', label: 'Last 6 hours' },
  { from: 'now-24h', label: 'Last 24 hours' },
  { from: 'now-7d', label: 'Last 7 days' },
];

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `5m`, `1h30m`, `250ms`, `7d` in milliseconds, or undefined. */
export function parseDurationMs(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index !== consumed) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed = m.index + m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}

/**
 * A time parameter in epoch ms: `now`, `now-<duration>`, `now+<duration>`, epoch ms (digits),
 * or an ISO 8601 date. Undefined when it cannot be read.
 */
export function parseTimeParam(s: string, nowMs: number): number | undefined {
  const t = s.trim();
  if (t === 'now') return nowMs;
  const rel = /^now([-+])(.+)$/.exec(t);
  if (rel) {
    const d = parseDurationMs(rel[2]);
    return d === undefined ? undefined : rel[1] === '-' ? nowMs - d : nowMs + d;
  }
  if (/^\d+$/.test(t)) return Number(t);
  if (/^\d{4}-\d\d-\d\d/.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export interface ResolvedRange {
  startMs: number;
  endMs: number;
}

/** Resolves the URL's from/to, or throws `cannot read time range: ...`. */
export function resolveRange(from: string, to: string, nowMs: number): ResolvedRange {
  const startMs = parseTimeParam(from, nowMs);
  const endMs = parseTimeParam(to, nowMs);
  if (startMs === undefined) throw new Error(`cannot read time range: from ${JSON.stringify(from)} is neither now-<duration> nor epoch milliseconds`);
  if (endMs === undefined) throw new Error(`cannot read time range: to ${JSON.stringify(to)} is neither now-<duration> nor epoch milliseconds`);
  if (endMs <= startMs) throw new Error('cannot read time range: from must be before to');
  return { startMs, endMs };
}

/** `Last 1 hour` for a known relative range, else `from → to` in local time. */
export function describeRange(from: string, to: string, nowMs: number): string {
  if (to === 'now') {
    const r = RELATIVE_RANGES.find((x) => x.from === from);
    if (r) return r.label;
    if (from.startsWith('now-')) return `Last ${from.slice(4)}`;
  }
  try {
    const { startMs, endMs } = resolveRange(from, to, nowMs);
    return `${formatMs(startMs).slice(0, 19)} → ${formatMs(endMs).slice(0, 19)}`;
  } catch {
    return `${from} → ${to}`;
  }
}

const NICE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** A round step (seconds) giving about `bars` buckets over the range. */
export function chooseStep(rangeMs: number, bars = 100): number {
  const raw = rangeMs / 1000 / bars;
  return NICE_STEPS_S.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Labels of a time axis whose ticks (unix seconds) are `incrS` apart, in the browser's time zone,
 * each saying its unit: `HH:mm:ss` below a minute, `HH:mm` below a day, `Mon D` from a day up.
 * Below a day the date is added to the first tick and wherever the day changes, so no label reads
 * as a bare number.
 */
export function timeTickLabels(ticksS: readonly number[], incrS: number): string[] {
  let prevDay = '';
  return ticksS.map((t) => {
    const d = new Date(t * 1000);
    const day = `${MONTHS[d.getMonth()]} ${d.getDate()}`;
    const changed = day !== prevDay;
    prevDay = day;
    if (incrS >= 86400) return day;
    const time = `${pad(d.getHours())}:${pad(d.getMinutes())}` + (incrS < 60 ? `:${pad(d.getSeconds())}` : '');
    return changed ? `${day} ${time}` : time;
  });
}

/** `YYYY-MM-DD HH:mm:ss.SSS` in the browser's time zone. */
export function formatMs(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Formats a nanosecond timestamp string (exact to the millisecond). */
export function formatNs(ns: string): string {
  const ms = ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
  return formatMs(ms);
}

/** Epoch ms as nanoseconds (the API's start/end). */
export function msToNs(ms: number): string {
  return BigInt(Math.round(ms)) * 1_000_000n + '';
}

/** Epoch ms as the value of an `<input type="datetime-local" step="1">` (local time). */
export function toDatetimeLocal(ms: number): string {
  return formatMs(ms).slice(0, 19).replace(' ', 'T');
}

/** The value of a datetime-local input (local time) as epoch ms, or undefined. */
export function fromDatetimeLocal(v: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?$/.exec(v);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), Number((m[7] ?? '0').padEnd(3, '0')));
  return d.getTime();
}

/** Human-readable byte count: 1.2 MB. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** Seconds as `12 ms` or `1.24 s`. */
export function formatSeconds(s: number): string {
  return s < 1 ? `${Math.max(0, Math.round(s * 1000))} ms` : `${s.toFixed(2)} s`;
}
