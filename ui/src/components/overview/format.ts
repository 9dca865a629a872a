/**
 * Number, size and time formatting shared by the Overview, Alerts and Live tail pages. Pure:
 * no DOM, no locale surprises (figures use `en-US` grouping so tests and screenshots agree).
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB"; three significant figures past the first unit, whole bytes below it. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  let u = 0;
  let v = n;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${UNITS[u]}`;
}

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

/** A per-second rate: "0", "0.25", "3.4", "1,250". */
export function formatRate(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0';
  if (n < 1) return n.toFixed(2).replace(/0$/, '');
  if (n < 10) return n.toFixed(1).replace(/\.0$/, '');
  return formatCount(n);
}

/** A share as a percentage: 0.0412 → "4.1%", tiny but non-zero shares → "<0.1%". */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0) || part <= 0) return '0%';
  const p = (part / whole) * 100;
  if (p < 0.1) return '<0.1%';
  return `${p >= 10 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** Seconds as a short duration: 0.0042 → "4.2 ms", 75 → "1m 15s". */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  if (s === 0) return '0 s';
  if (s < 0.001) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 1 : 0)} ms`;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

/** How long before `nowMs` the moment `ms` was: "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(ms: number, nowMs: number): string {
  if (!Number.isFinite(ms)) return '—';
  const d = Math.round((nowMs - ms) / 1000);
  if (d < 2) return 'just now';
  if (d < 60) return `${d} s ago`;
  if (d < 3600) return `${Math.floor(d / 60)} min ago`;
  if (d < 86_400) return `${Math.floor(d / 3600)} h ago`;
  return `${Math.floor(d / 86_400)} d ago`;
}

/** Prometheus' zero time, which the rules API sends for "never". */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** An RFC 3339 time as epoch milliseconds; undefined for Prometheus' zero time or garbage. */
export function parseIsoMs(s: string | undefined): number | undefined {
  if (!s || s === ZERO_TIME) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) || ms <= 0 ? undefined : ms;
}

/** Nanoseconds (decimal string) as a local "HH:MM:SS.mmm". */
export function formatClockNs(ns: string): string {
  const ms = Number(BigInt(ns) / 1_000_000n);
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
