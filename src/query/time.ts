/**
 * Loki's time parameters: an integer of up to 10 digits is seconds, a longer one nanoseconds,
 * a decimal is (fractional) seconds, anything else RFC3339 (fraction kept to the nanosecond).
 */
import { LogSentinelError } from '../errors.js';
import type { Nanos } from '../model/entry.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

export function nowNs(): Nanos {
  return BigInt(Date.now()) * 1_000_000n;
}

export function parseRfc3339(s: string): Nanos | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Number.isNaN(ms)) return undefined;
  let ns = BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  const tz = m[8];
  if (tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1n : 1n;
    const off = BigInt(+tz.slice(1, 3) * 3600 + +tz.slice(4, 6) * 60) * 1_000_000_000n;
    ns -= sign * off;
  }
  return ns;
}

export function parseTime(name: string, value: string | undefined, def: Nanos): Nanos {
  if (value === undefined || value === '') return def;
  const v = value.trim();
  if (/^-?\d+$/.test(v)) {
    const n = BigInt(v);
    return v.replace('-', '').length <= 10 ? n * 1_000_000_000n : n;
  }
  if (/^-?\d+\.\d*$/.test(v) || /^-?\d*\.\d+$/.test(v)) {
    const [i, f = ''] = v.split('.');
    const neg = i.startsWith('-');
    const whole = BigInt(i === '' || i === '-' ? '0' : i) * 1_000_000_000n;
    const frac = BigInt(f.slice(0, 9).padEnd(9, '0'));
    return neg ? whole - frac : whole + frac;
  }
  const t = parseRfc3339(v);
  if (t !== undefined) return t;
  throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter ${name}: ${JSON.stringify(value)} is neither a Unix timestamp nor RFC3339`);
}

export function formatRfc3339Nano(ns: Nanos): string {
  const ms = ns / 1_000_000n;
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const iso = new Date(Number(ms)).toISOString().slice(0, 19);
  const f = frac.toString().padStart(9, '0').replace(/0+$/, '');
  return iso + (f ? '.' + f : '') + 'Z';
}
