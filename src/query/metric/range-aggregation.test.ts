import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMetricExpr } from '../../logql/parser.js';
import type { RangeAggregationExpr } from '../../logql/ast.js';
import { evalRangeAggregation, absentLabels, sampleSpan } from './range-aggregation.js';
import { makeGrid } from './series.js';
import type { SeriesSamples } from './samples.js';

const S = 1_000_000_000n;
const series = (labels: Record<string, string>, secs: number[], vs?: number[]): SeriesSamples => ({
  labels,
  ts: secs.map((s) => BigInt(s) * S),
  vs: vs ?? secs.map(() => 1),
});

describe('range aggregation windows', () => {
  const f = (q: string, data: SeriesSamples[], start: number, end: number, step: number, want: string[]): void => {
    const expr = parseMetricExpr(q) as RangeAggregationExpr;
    const steps = evalRangeAggregation(expr, data, makeGrid(BigInt(start) * S, BigInt(end) * S, BigInt(step) * S));
    const got = steps.flatMap((v, i) => v.map((s) => `${start + i * step}:${JSON.stringify(s.labels)}=${s.value}`));
    assert.deepEqual(got, want, q);
  };

  it('windows are (t - range, t]', () => {
    const d = [series({ a: '1' }, [1, 2, 3, 4, 6])];
    f('count_over_time({a="1"}[2s])', d, 2, 6, 2, ['2:{"a":"1"}=2', '4:{"a":"1"}=2', '6:{"a":"1"}=1']);
    f('count_over_time({a="1"}[1s])', d, 5, 5, 1, []);
    f('rate({a="1"}[4s])', d, 4, 4, 1, ['4:{"a":"1"}=1']);
  });

  it('offset moves the window back', () => {
    const d = [series({ a: '1' }, [1, 2, 3, 4, 6])];
    f('count_over_time({a="1"}[2s] offset 2s)', d, 6, 6, 1, ['6:{"a":"1"}=2']);
  });

  it('absent_over_time answers 1 where no series has samples', () => {
    const d = [series({ a: '1' }, [3])];
    f('absent_over_time({a="1", b=~"x"}[1s])', d, 2, 4, 1, ['2:{"a":"1"}=1', '4:{"a":"1"}=1']);
  });

  it('each series keeps its labels', () => {
    const d = [series({ a: '1' }, [1], [5]), series({ a: '2' }, [1, 2], [3, 4])];
    f('sum_over_time({a=~".+"} | unwrap x [5s])', d, 2, 2, 1, ['2:{"a":"1"}=5', '2:{"a":"2"}=7']);
  });

  it('a series with __error__ is a pipeline error', () => {
    const d = [series({ a: '1', __error__: 'SampleExtractionErr' }, [1])];
    assert.throws(() => f('sum_over_time({a="1"} | unwrap x [5s])', d, 2, 2, 1, []), /^LogSentinelError: pipeline error: 'SampleExtractionErr' for series: '\{__error__="SampleExtractionErr", a="1"\}'/);
  });

  it('absent labels and sample span', () => {
    const e = parseMetricExpr('absent_over_time({a="1", a!="2", b="x", c=~"y"}[5s])') as RangeAggregationExpr;
    assert.deepEqual(absentLabels(e), { b: 'x' });
    const e2 = parseMetricExpr('count_over_time({a="1"}[5s] offset 1s)') as RangeAggregationExpr;
    assert.deepEqual(sampleSpan(e2, makeGrid(10n * S, 20n * S, 5n * S)), { start: 4n * S + 1n, end: 19n * S + 1n });
  });
});
