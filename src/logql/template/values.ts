/**
 * Template values and Go's rules for them: how they print (`fmt.Sprint`), which are "true"
 * in `if`, and conversions the sprig-style functions apply to their arguments.
 */
import { GoTime } from './go-time.js';

/**
 * A float64 result (addf, bytes, duration, round, ...). Plain JS numbers are Go ints or
 * literals; the two print differently (`fmt.Sprint(3e6)` is `3e+06`, of 3000000 `3000000`).
 */
export class F64 {
  constructor(readonly v: number) {}
}

/** A value flowing through a template pipeline. Maps are the template's dot (the labels). */
export type TValue = string | number | boolean | null | undefined | GoTime | F64 | Record<string, string>;

/**
 * Go's `%v` of a float64: strconv's 'g' format with the shortest precision, which switches to
 * an exponent when the decimal exponent is below -4 or at least 6 (`3e+06`, `1e-05`).
 */
export function formatGoFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const e = n.toExponential(); // shortest digits: "3e+6", "1.2345e-5"
  const exp = Number(e.slice(e.indexOf('e') + 1));
  if (exp < -4 || exp >= 6) return e.replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/** `fmt.Sprint` of a value. */
export function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (v instanceof F64) return formatGoFloat(v.v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return '<no value>';
  if (v instanceof GoTime) return v.toString();
  if (typeof v === 'object') {
    const o = v as Record<string, string>;
    return 'map[' + Object.keys(o).sort().map((k) => k + ':' + o[k]).join(' ') + ']';
  }
  return String(v);
}

/** Go's `%v` of a float64: shortest representation, exponent form outside [1e-4, 1e21). */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e21)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/** Go template truthiness: false, 0, nil, "" and empty maps are false. */
export function truthy(v: TValue): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  if (v instanceof GoTime) return true;
  if (v instanceof F64) return v.v !== 0;
  return Object.keys(v).length > 0;
}

/** sprig's `toInt64` (cast.ToInt64): numbers truncate, numeric strings parse, the rest is 0. */
export function toInt(v: TValue): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (v instanceof F64) return Number.isFinite(v.v) ? Math.trunc(v.v) : 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[-+]?\d+$/.test(t)) return Number(t);
    return 0;
  }
  return 0;
}

/** sprig's `toFloat64`. */
export function toFloat(v: TValue): number {
  if (typeof v === 'number') return v;
  if (v instanceof F64) return v.v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return v.trim() === '' || Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** Strings for functions that take strings (sprig converts with `fmt.Sprint`). */
export function toStr(v: TValue): string {
  if (v === null || v === undefined) return '';
  return toText(v);
}
