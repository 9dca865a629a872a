/**
 * Durations as LogQL and the Loki HTTP API write them.
 *
 * - Prometheus form (`model.ParseDuration`): `1y2w3d4h5m6s7ms`, units in that order, integers only,
 *   `y` = 365d, `w` = 7d. Loki accepts it for ranges (`[1d]`), `step` and `since`.
 * - Go form (`time.ParseDuration`): `1.5h`, `300ms`, `2h45m`, `10us`, optionally signed. Loki uses it
 *   for duration label filters (`| latency > 250ms`) and `unwrap duration(...)`.
 */

const PROM_UNITS: Array<[string, number]> = [
  ['y', 365 * 24 * 3600 * 1000],
  ['w', 7 * 24 * 3600 * 1000],
  ['d', 24 * 3600 * 1000],
  ['h', 3600 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
];

const PROM_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

const GO_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Parses a Prometheus-style duration; returns milliseconds or undefined when `s` is not one. */
export function tryParsePromDuration(s: string): number | undefined {
  if (s === '0') return 0;
  if (s === '') return undefined;
  const m = PROM_RE.exec(s);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < PROM_UNITS.length; i++) {
    const v = m[i + 1];
    if (v !== undefined) ms += Number(v) * PROM_UNITS[i][1];
  }
  return ms;
}

/** Parses a Go `time.ParseDuration` string; returns nanoseconds or undefined when `s` is not one. */
export function tryParseGoDuration(s: string): number | undefined {
  let i = 0;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    i++;
  }
  if (s.slice(i) === '0') return 0;
  if (i >= s.length) return undefined;
  let total = 0;
  while (i < s.length) {
    const start = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const intEnd = i;
    let frac = '';
    if (s[i] === '.') {
      i++;
      const fs = i;
      while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      frac = s.slice(fs, i);
    }
    if (intEnd === start && frac === '') return undefined;
    const us = i;
    while (i < s.length && !(s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) && s[i] !== '.') i++;
    const unit = GO_UNITS[s.slice(us, i)];
    if (unit === undefined) return undefined;
    const num = Number((intEnd > start ? s.slice(start, intEnd) : '0') + (frac ? '.' + frac : ''));
    total += num * unit;
  }
  return sign * total;
}

/**
 * Parses a duration as Loki's API and range selectors accept it: Prometheus form first, then Go
 * form (fractions, `us`, `ns`). Returns milliseconds (fractions of a millisecond are kept).
 */
export function parseDuration(s: string): number {
  const p = tryParsePromDuration(s);
  if (p !== undefined) return p;
  const g = tryParseGoDuration(s);
  if (g !== undefined) return g / 1e6;
  throw new Error(`cannot parse duration ${JSON.stringify(s)}: not a valid duration string`);
}

/** Parses a Go `time.ParseDuration` string into nanoseconds (as a float; exact below ~104 days). */
export function parseGoDuration(s: string): number {
  const g = tryParseGoDuration(s);
  if (g === undefined) throw new Error(`cannot parse duration ${JSON.stringify(s)}: invalid duration`);
  return g;
}

/** Formats milliseconds the way Prometheus prints durations: `1h30m`, `500ms`, `0s`, `1d`, `2w`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let neg = '';
  if (ms < 0) {
    neg = '-';
    ms = -ms;
  }
  if (!Number.isInteger(ms)) {
    // Sub-millisecond precision only exists in Go form.
    return neg + String(Math.round(ms * 1e6)) + 'ns';
  }
  let out = '';
  let rest = ms;
  for (const [unit, size] of PROM_UNITS) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += n + unit;
      rest -= n * size;
    }
  }
  return neg + out;
}
