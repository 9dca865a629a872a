/**
 * The values metric evaluation passes around. A query is evaluated at the steps
 * `start, start+step, … ≤ end` (one step for an instant query); every sub-expression yields, per
 * step, either an instant vector (samples with distinct label sets) or a scalar.
 */
import { labelsToString, type Labels } from '../../model/labels.js';
import type { Grouping } from '../../logql/ast.js';

export interface InstantSample {
  labels: Labels;
  value: number;
}

/** The result of a sub-expression at every step. */
export type StepValues = { kind: 'vector'; steps: InstantSample[][] } | { kind: 'scalar'; steps: number[] };

/** The evaluation grid: step timestamps in nanoseconds. */
export interface StepGrid {
  start: bigint;
  end: bigint;
  step: bigint;
  /** Number of steps. */
  count: number;
}

export function makeGrid(start: bigint, end: bigint, step: bigint): StepGrid {
  if (step <= 0n) throw new Error('BUG: step must be positive');
  return { start, end, step, count: end < start ? 0 : Number((end - start) / step) + 1 };
}

export function stepTime(g: StepGrid, i: number): bigint {
  return g.start + BigInt(i) * g.step;
}

export function labelsKey(labels: Labels): string {
  return labelsToString(labels);
}

/** The labels a `by (...)` / `without (...)` grouping keeps of `labels`; no grouping keeps none. */
export function groupLabels(labels: Labels, grouping: Grouping | undefined): Labels {
  const out: Labels = {};
  if (!grouping) return out;
  if (grouping.without) {
    for (const k of Object.keys(labels).sort()) if (!grouping.labels.includes(k)) out[k] = labels[k];
  } else {
    for (const k of [...grouping.labels].sort()) if (labels[k] !== undefined && labels[k] !== '') out[k] = labels[k];
  }
  return out;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64), which Loki uses for sample values. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  const [mant, expStr] = s.split('e');
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const intLen = mant.replace('-', '').split('.')[0].length + exp;
  let out: string;
  if (intLen <= 0) out = '0.' + '0'.repeat(-intLen) + digits;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = digits.slice(0, intLen) + '.' + digits.slice(intLen);
  return (neg ? '-' : '') + out;
}

/** A step time as Loki's JSON writes it: Unix seconds with millisecond precision. */
export function unixSeconds(ns: bigint): number {
  return Number(ns / 1_000_000n) / 1000;
}
