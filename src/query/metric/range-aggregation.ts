/**
 * Range aggregations (`count_over_time({…}[5m])`, `max_over_time({…} | unwrap x [5m]) by (a)`):
 * for every step t the window is `(t - offset - range, t - offset]` (left-open, right-closed, as
 * Loki), and each series with at least one sample in it yields one sample. `absent_over_time`
 * yields 1, labelled with the selector's equality matchers, where no series has a sample.
 * A series carrying `__error__` is a pipeline error, worded as Loki's.
 */
import { LogSentinelError } from '../../errors.js';
import type { Labels } from '../../model/labels.js';
import type { RangeAggregationExpr } from '../../logql/ast.js';
import { labelsToString } from '../../model/labels.js';
import { ERROR_LABEL } from '../../logql/labels-builder.js';
import { RANGE_FUNCTIONS } from './range-functions.js';
import { stepTime, type InstantSample, type StepGrid } from './series.js';
import type { SeriesSamples } from './samples.js';

/** Loki's PipelineError text. */
export function pipelineError(labels: Labels): LogSentinelError {
  const type = labels[ERROR_LABEL];
  return new LogSentinelError(
    'BAD_REQUEST',
    `pipeline error: '${type}' for series: '${labelsToString(labels)}'.\n` +
      `Use a label filter to intentionally skip this error. (e.g | __error__!="${type}").\n` +
      'To skip all potential errors you can match empty errors.(e.g __error__="")\n' +
      'The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )\n',
  );
}

/** Labels of `absent_over_time`'s sample: the selector's equality matchers on names used once. */
export function absentLabels(expr: RangeAggregationExpr): Labels {
  const count = new Map<string, number>();
  for (const m of expr.range.selector.matchers) count.set(m.name, (count.get(m.name) ?? 0) + 1);
  const out: Labels = {};
  for (const m of expr.range.selector.matchers) if (m.op === '=' && count.get(m.name) === 1) out[m.name] = m.value;
  return out;
}

/** The nanosecond span of entries the aggregation needs over the grid: `[start, end)`. */
export function sampleSpan(expr: RangeAggregationExpr, g: StepGrid): { start: bigint; end: bigint } {
  const range = BigInt(expr.range.rangeMs) * 1_000_000n;
  const offset = BigInt(expr.range.offsetMs) * 1_000_000n;
  const last = stepTime(g, Math.max(0, g.count - 1));
  return { start: g.start - offset - range + 1n, end: last - offset + 1n };
}

export function evalRangeAggregation(expr: RangeAggregationExpr, series: SeriesSamples[], g: StepGrid): InstantSample[][] {
  const range = BigInt(expr.range.rangeMs) * 1_000_000n;
  const offset = BigInt(expr.range.offsetMs) * 1_000_000n;
  const steps: InstantSample[][] = Array.from({ length: g.count }, () => []);
  const absent = expr.op === 'absent_over_time';
  const fn = expr.op === 'absent_over_time' ? undefined : RANGE_FUNCTIONS[expr.op];
  const cursors = series.map(() => ({ lo: 0, hi: 0 }));
  for (let i = 0; i < g.count; i++) {
    const end = stepTime(g, i) - offset;
    const start = end - range;
    let any = false;
    for (let k = 0; k < series.length; k++) {
      const s = series[k];
      const c = cursors[k];
      // Steps ascend, so both window edges only move forward.
      while (c.lo < s.ts.length && s.ts[c.lo] <= start) c.lo++;
      if (c.hi < c.lo) c.hi = c.lo;
      while (c.hi < s.ts.length && s.ts[c.hi] <= end) c.hi++;
      if (c.hi <= c.lo) continue;
      any = true;
      if (s.labels[ERROR_LABEL] !== undefined) throw pipelineError(s.labels);
      if (fn) steps[i].push({ labels: s.labels, value: fn(s.ts, s.vs, c.lo, c.hi, range, end, expr.param) });
    }
    if (absent && !any) steps[i].push({ labels: absentLabels(expr), value: 1 });
  }
  return steps;
}
