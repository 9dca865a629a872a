/**
 * The functions of LogQL range aggregations over the samples of one window `(t - range, t]`,
 * as Loki computes them (pkg/logql/range_vector.go). `ts` are nanoseconds, ascending; `vs` the
 * sample values (1 per entry for counting functions, the line bytes for `bytes_*`, the unwrapped
 * value otherwise). A window is never empty here: empty windows produce no sample.
 */
import type { RangeOp } from '../../logql/ast.js';

export type RangeFn = (ts: readonly bigint[], vs: readonly number[], from: number, to: number, rangeNs: bigint, windowEnd: bigint, param?: number) => number;

function sum(vs: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += vs[i];
  return s;
}

/**
 * Loki's avgOverTime, step for step (`mean += v/n - mean/n`, keeping an infinite mean while the
 * values added are finite or the same infinity), so results agree to the last bit.
 */
function mean(vs: readonly number[], from: number, to: number): number {
  let m = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = vs[i];
    n++;
    if (!Number.isFinite(m) && !Number.isNaN(m)) {
      if (!Number.isFinite(v) && !Number.isNaN(v) && m > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    m += v / n - m / n;
  }
  return m;
}

function variance(vs: readonly number[], from: number, to: number): number {
  // Welford's algorithm; population variance as Prometheus' stdvar_over_time.
  let n = 0;
  let m = 0;
  let m2 = 0;
  for (let i = from; i < to; i++) {
    n++;
    const d = vs[i] - m;
    m += d / n;
    m2 += d * (vs[i] - m);
  }
  return m2 / n;
}

/** Prometheus' quantile: linear interpolation between the closest ranks; φ outside [0,1] gives ∓Inf. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const rank = q * (n - 1);
  const lo = Math.max(0, Math.floor(rank));
  const hi = Math.min(n - 1, lo + 1);
  const w = rank - Math.floor(rank);
  return s[lo] * (1 - w) + s[hi] * w;
}

const seconds = (ns: bigint): number => Number(ns) / 1e9;

/**
 * Loki's rate_counter: Prometheus' extrapolatedRate as Loki runs it (pkg/logql range_vector.go),
 * quirks included. Loki measures the distance to the window start from the first sample
 * (`first.T - (first.T - range)`: always the whole range, in seconds), the distance to the end
 * from the last sample (always 0), and the sampled interval from nanosecond timestamps divided by
 * 1000. Counter resets add the value before the drop, starting from 0.
 */
function rateCounter(ts: readonly bigint[], vs: readonly number[], from: number, to: number, rangeNs: bigint): number {
  const n = to - from;
  if (n < 2) return 0;
  let result = vs[to - 1] - vs[from];
  let last = 0;
  for (let i = from; i < to; i++) {
    if (vs[i] < last) result += last;
    last = vs[i];
  }
  let durToStart = Number(rangeNs / 1_000_000n) / 1000;
  const durToEnd = 0;
  const sampled = Number(ts[to - 1] - ts[from]) / 1000;
  const avgBetween = sampled / (n - 1);
  if (result > 0 && vs[from] >= 0) {
    const durToZero = sampled * (vs[from] / result);
    if (durToZero < durToStart) durToStart = durToZero;
  }
  const threshold = avgBetween * 1.1;
  let extrapolateTo = sampled;
  extrapolateTo += durToStart < threshold ? durToStart : avgBetween / 2;
  extrapolateTo += durToEnd < threshold ? durToEnd : avgBetween / 2;
  result *= extrapolateTo / sampled;
  return result / seconds(rangeNs);
}

export const RANGE_FUNCTIONS: Record<Exclude<RangeOp, 'absent_over_time'>, RangeFn> = {
  count_over_time: (_ts, vs, from, to) => sum(vs, from, to),
  rate: (_ts, vs, from, to, rangeNs) => sum(vs, from, to) / seconds(rangeNs),
  bytes_over_time: (_ts, vs, from, to) => sum(vs, from, to),
  bytes_rate: (_ts, vs, from, to, rangeNs) => sum(vs, from, to) / seconds(rangeNs),
  sum_over_time: (_ts, vs, from, to) => sum(vs, from, to),
  avg_over_time: (_ts, vs, from, to) => mean(vs, from, to),
  min_over_time: (_ts, vs, from, to) => {
    let m = vs[from];
    for (let i = from + 1; i < to; i++) if (vs[i] < m || Number.isNaN(m)) m = vs[i];
    return m;
  },
  max_over_time: (_ts, vs, from, to) => {
    let m = vs[from];
    for (let i = from + 1; i < to; i++) if (vs[i] > m || Number.isNaN(m)) m = vs[i];
    return m;
  },
  stddev_over_time: (_ts, vs, from, to) => Math.sqrt(variance(vs, from, to)),
  stdvar_over_time: (_ts, vs, from, to) => variance(vs, from, to),
  quantile_over_time: (_ts, vs, from, to, _r, _e, param) => quantile(param ?? NaN, vs.slice(from, to)),
  first_over_time: (_ts, vs, from) => vs[from],
  last_over_time: (_ts, vs, _from, to) => vs[to - 1],
  rate_counter: rateCounter,
};
