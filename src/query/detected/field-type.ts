/**
 * The type Loki gives a detected field from one of its values, and the spelling it gives byte
 * sizes in `detected_field/<name>/values`. Loki tries Go's parsers in a fixed order
 * (pkg/querier/queryrange/detected_fields.go `determineType`): `strconv.ParseInt` → int,
 * `strconv.ParseFloat` → float, `strconv.ParseBool` → boolean, `time.ParseDuration` → duration,
 * go-humanize `ParseBytes` → bytes, else string. The helpers below accept what those Go
 * functions accept, not what JavaScript's `Number` does (`0x10`, `1_000`, `" 1"` are strings).
 */
import { tryParseGoDuration } from '../../logql/duration.js';
import { tryParseBytes } from '../../logql/bytes.js';
import { humanizeBytes } from '../../logql/humanize.js';

export type DetectedFieldType = 'string' | 'int' | 'float' | 'boolean' | 'duration' | 'bytes';

const INT_RE = /^[+-]?\d+$/;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
// Go float literals in decimal or hexadecimal (mantissa with `p` exponent); no underscores.
const DEC_FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX_FLOAT_RE = /^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+$/;
const SPECIAL_FLOAT_RE = /^[+-]?(inf|infinity|nan)$/i;
const BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go `strconv.ParseInt(s, 10, 64)` succeeds. */
export function isGoInt(s: string): boolean {
  if (!INT_RE.test(s)) return false;
  const n = BigInt(s);
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** Go `strconv.ParseFloat(s, 64)` succeeds (an out-of-range literal is an error in Go). */
export function isGoFloat(s: string): boolean {
  if (SPECIAL_FLOAT_RE.test(s)) return true;
  if (DEC_FLOAT_RE.test(s)) return Number.isFinite(Number(s));
  if (HEX_FLOAT_RE.test(s)) return true;
  return false;
}

/** Go `strconv.ParseBool(s)` succeeds. */
export function isGoBool(s: string): boolean {
  return BOOLS.has(s);
}

/** Go `time.ParseDuration(s)` succeeds. */
export function isGoDuration(s: string): boolean {
  return tryParseGoDuration(s) !== undefined;
}

/**
 * go-humanize `ParseBytes`: a number made of digits, `.` and `,` (commas dropped), then a unit
 * after optional whitespace (`B`, `kB`, `KiB`, `M`, ... case-insensitive, or none). Returns the
 * byte count (truncated to an integer, as the Go function returns a uint64) or undefined.
 */
export function humanizeParseBytes(s: string): number | undefined {
  let i = 0;
  while (i < s.length && ((s[i] >= '0' && s[i] <= '9') || s[i] === '.' || s[i] === ',')) i++;
  const num = s.slice(0, i).replaceAll(',', '');
  if (num === '' || !/^(\d+\.?\d*|\.\d+)$/.test(num)) return undefined;
  return tryParseBytes(num + s.slice(i).trim());
}

export function determineType(value: string): DetectedFieldType {
  if (isGoInt(value)) return 'int';
  if (isGoFloat(value)) return 'float';
  if (isGoBool(value)) return 'boolean';
  if (isGoDuration(value)) return 'duration';
  if (humanizeParseBytes(value) !== undefined) return 'bytes';
  return 'string';
}

// Loki rewrites a value as a byte size only when it ends in one of these (lower-cased).
const BYTES_SUFFIXES = ['b', 'kib', 'kb', 'mib', 'mb', 'gib', 'gb', 'tib', 'tb', 'pib', 'pb', 'eib', 'eb', 'ki', 'k', 'mi', 'm', 'gi', 'g', 'ti', 't', 'pi', 'p', 'ei', 'e'];

/**
 * How `detected_field/<name>/values` lists a parsed value: a byte size with a unit suffix is
 * respelled the way go-humanize prints it, without the space (`2048kib` → `2.1MB`), so it can
 * be pasted into a query; anything else is returned as is.
 */
export function detectedFieldValue(v: string): string {
  const n = humanizeParseBytes(v);
  if (n === undefined) return v;
  const lower = v.toLowerCase();
  return BYTES_SUFFIXES.some((u) => lower.endsWith(u)) ? humanizeBytes(n) : v;
}
