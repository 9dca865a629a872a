/**
 * Timestamp parsing into bigint nanoseconds since the epoch. Nanosecond values never pass
 * through a float: digits a client sent are the digits we keep.
 *
 * Forms:
 *  - Loki's wire form: a decimal string of nanoseconds (`"1700000000123456789"`);
 *  - RFC 3339 with 0–9 fractional digits (more are truncated) and `Z` or a `±hh:mm` offset;
 *  - epoch numbers (jsonlines): seconds, milliseconds, microseconds or nanoseconds, chosen by
 *    the number of integer digits (≤10 s, 11–13 ms, 14–16 µs, 17–19 ns), fraction allowed.
 */
import type { Nanos } from '../../model/entry.js';

const NS_PER_MS = 1_000_000n;
const MAX_INT64 = 9223372036854775807n;
const MAX_INT64_STR = '9223372036854775807';

function fail(input: string, cause: string): never {
  const shown = input.length > 64 ? input.slice(0, 64) + '…' : input;
  throw new Error(`cannot parse timestamp ${JSON.stringify(shown)}: ${cause}`);
}

function allDigits(s: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Loki's timestamp: a base-10 integer of nanoseconds (Go `strconv.ParseInt(s, 10, 64)`), which
 * must not be negative here. Throws `cannot parse timestamp ...` otherwise.
 */
export function parseNanosString(s: string): Nanos {
  const start = s.charCodeAt(0) === 43 /* + */ ? 1 : 0;
  const len = s.length - start;
  if (len > 0 && len < 19 && allDigits(s, start, s.length)) return BigInt(start === 0 ? s : s.slice(1));
  if (len === 19 && allDigits(s, start, s.length)) {
    const d = start === 0 ? s : s.slice(1);
    if (d > MAX_INT64_STR) fail(s, 'out of range for int64 nanoseconds');
    return BigInt(d);
  }
  if (s.charCodeAt(0) === 45 /* - */ && allDigits(s, 1, s.length)) fail(s, 'timestamp must not be negative');
  if (len > 19 && allDigits(s, start, s.length)) fail(s, 'out of range for int64 nanoseconds');
  return fail(s, 'expected nanoseconds since the epoch as a decimal integer string');
}

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function fractionNs(digits: string | undefined, scale: number): bigint {
  // `digits` is a fraction of a unit that is 10^scale ns; keep `scale` digits, pad with zeros.
  if (digits === undefined || digits.length === 0 || scale === 0) return 0n;
  const d = digits.length >= scale ? digits.slice(0, scale) : digits + '0'.repeat(scale - digits.length);
  return BigInt(d);
}

/** RFC 3339 (`2023-11-14T22:13:20.123456789Z`, `...+02:00`), all 9 fractional digits kept. */
export function parseRfc3339(s: string): Nanos {
  const m = RFC3339_RE.exec(s);
  if (m === null) return fail(s, 'expected RFC 3339 like 2006-01-02T15:04:05.999999999Z');
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = +m[6];
  if (month < 1 || month > 12) fail(s, 'month out of range');
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day < 1 || day > DAYS[month - 1] || (month === 2 && day === 29 && !leap)) fail(s, 'day out of range');
  if (hour > 23) fail(s, 'hour out of range');
  if (minute > 59) fail(s, 'minute out of range');
  if (second > 59) fail(s, 'second out of range');
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year < 100) {
    // Date.UTC maps years 0–99 to 1900–1999.
    const d = new Date(ms);
    d.setUTCFullYear(year);
    ms = d.getTime();
  }
  if (m[9] !== undefined) {
    const oh = +m[10];
    const om = +m[11];
    if (oh > 23 || om > 59) fail(s, 'time zone offset out of range');
    const off = (oh * 60 + om) * 60_000;
    ms += m[9] === '+' ? -off : off;
  }
  const ns = BigInt(ms) * NS_PER_MS + fractionNs(m[7], 9);
  if (ns < 0n) fail(s, 'timestamp must not be before 1970-01-01T00:00:00Z');
  return ns;
}

const EPOCH_RE = /^(\d+)(?:\.(\d*))?$/;

/**
 * An epoch number as a decimal string (`"1700000000"`, `"1700000000.123"`, `"1700000000123"`)
 * or a JS number. The unit is chosen by the number of integer digits: ≤10 seconds, 11–13
 * milliseconds, 14–16 microseconds, 17–19 nanoseconds. A JS number above 2^53 has already lost
 * digits, so callers should pass the raw text when they have it.
 */
export function parseEpoch(v: string | number): Nanos {
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return fail(String(v), 'not a finite number');
    s = String(v);
  } else {
    s = v;
  }
  const m = EPOCH_RE.exec(s);
  if (m === null) return fail(s, s.startsWith('-') ? 'timestamp must not be negative' : 'expected an epoch number');
  const int = m[1].replace(/^0+(?=\d)/, '');
  const frac = m[2];
  let scale: number; // ns per unit = 10^scale
  if (int.length <= 10) scale = 9;
  else if (int.length <= 13) scale = 6;
  else if (int.length <= 16) scale = 3;
  else if (int.length <= 19) scale = 0;
  else return fail(s, 'out of range for int64 nanoseconds');
  const ns = BigInt(int) * 10n ** BigInt(scale) + fractionNs(frac, scale);
  if (ns > MAX_INT64) fail(s, 'out of range for int64 nanoseconds');
  return ns;
}

/**
 * Any timestamp a jsonlines producer may send: an epoch number, a numeric string, or RFC 3339.
 * `raw`, when given, is the number's source text (to keep digits a JS number cannot hold).
 */
export function parseAnyTimestamp(v: unknown, raw?: string): Nanos {
  if (typeof v === 'number') {
    if (raw !== undefined && !Number.isSafeInteger(v) && EPOCH_RE.test(raw)) return parseEpoch(raw);
    return parseEpoch(v);
  }
  if (typeof v === 'string') {
    const c = v.charCodeAt(0);
    if (c >= 48 && c <= 57 && (v.length < 5 || v.charCodeAt(4) !== 45 /* - of a date */)) return parseEpoch(v);
    return parseRfc3339(v);
  }
  return fail(JSON.stringify(v) ?? String(v), 'expected a number or a string');
}

/** Go's `time.RFC3339` in UTC (`2023-11-14T22:13:20Z`), as Loki prints timestamps in errors. */
export function formatRfc3339(ns: Nanos): string {
  let ms = ns / NS_PER_MS;
  if (ns < 0n && ns % NS_PER_MS !== 0n) ms -= 1n;
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return ns.toString();
  const iso = d.toISOString();
  return iso.slice(0, iso.indexOf('.')) + 'Z';
}
