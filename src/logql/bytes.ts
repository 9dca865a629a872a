/**
 * Byte sizes as go-humanize's `ParseBytes` reads them, which is what Loki uses for bytes label
 * filters (`| size > 20MB`) and `unwrap bytes(...)`: SI units are powers of 1000 (`KB`, `MB`),
 * IEC units powers of 1024 (`KiB`, `MiB`); units are case-insensitive, the `B` is optional
 * (`1k` = `1KB`), a bare number is bytes, one space between number and unit is allowed and
 * commas in the number are ignored.
 */

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1e15,
  pb: 1e15,
  pi: 1024 ** 5,
  pib: 1024 ** 5,
  e: 1e18,
  eb: 1e18,
  ei: 1024 ** 6,
  eib: 1024 ** 6,
};

/** Returns the number of bytes, or undefined when `s` is not a byte size. */
export function tryParseBytes(s: string): number | undefined {
  let i = 0;
  let sawDigit = false;
  let num = '';
  for (; i < s.length; i++) {
    const c = s[i];
    if (c >= '0' && c <= '9') {
      sawDigit = true;
      num += c;
    } else if (c === '.') num += c;
    else if (c === ',') continue;
    else break;
  }
  if (!sawDigit) return undefined;
  let unit = s.slice(i);
  if (unit.startsWith(' ')) unit = unit.slice(1);
  const mult = UNITS[unit.toLowerCase()];
  if (mult === undefined) return undefined;
  const n = Number(num);
  if (!Number.isFinite(n)) return undefined;
  return Math.floor(n * mult);
}

/** Parses a byte size (`1KB` = 1000, `1KiB` = 1024, `20MB`, `3 GiB`, `512b`). */
export function parseBytes(s: string): number {
  const n = tryParseBytes(s);
  if (n === undefined) throw new Error(`cannot parse bytes ${JSON.stringify(s)}: unhandled size name`);
  return n;
}
