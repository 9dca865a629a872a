import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMetricExpr } from '../../logql/parser.js';
import type { VectorAggregationExpr } from '../../logql/ast.js';
import { labelsToString } from '../../model/labels.js';
import { evalVectorAggregation } from './vector-aggregation.js';
import type { InstantSample } from './series.js';

const vec: InstantSample[] = [
  { labels: { app: 'a', level: 'info' }, value: 1 },
  { labels: { app: 'a', level: 'error' }, value: 3 },
  { labels: { app: 'b', level: 'info' }, value: 4 },
  { labels: { app: 'b', level: 'warn' }, value: 8 },
];

describe('vector aggregations', () => {
  // The inner expression is only parsed: the samples come from `vec`.
  const f = (q: string, want: string[]): void => {
    const expr = parseMetricExpr(q.replace('V', 'count_over_time({x="y"}[1m])')) as VectorAggregationExpr;
    const got = evalVectorAggregation(expr, vec).map((s) => `${labelsToString(s.labels)}=${s.value}`);
    assert.deepEqual(got, want, q);
  };

  it('reduce groups', () => {
    f('sum(V)', ['{}=16']);
    f('sum by (app) (V)', ['{app="a"}=4', '{app="b"}=12']);
    f('sum without (level) (V)', ['{app="a"}=4', '{app="b"}=12']);
    f('sum by (nope) (V)', ['{}=16']);
    f('avg by (app) (V)', ['{app="a"}=2', '{app="b"}=6']);
    f('min by (app) (V)', ['{app="a"}=1', '{app="b"}=4']);
    f('max(V)', ['{}=8']);
    f('count by (level) (V)', ['{level="info"}=2', '{level="error"}=1', '{level="warn"}=1']);
    f('stdvar by (app) (V)', ['{app="a"}=1', '{app="b"}=4']);
    f('stddev by (app) (V)', ['{app="a"}=1', '{app="b"}=2']);
  });

  it('topk, bottomk and sort keep the samples labels', () => {
    f('topk(1, V)', ['{app="b", level="warn"}=8']);
    f('topk(1, V) by (app)', ['{app="a", level="error"}=3', '{app="b", level="warn"}=8']);
    f('bottomk(2, V)', ['{app="a", level="info"}=1', '{app="a", level="error"}=3']);
    f('sort(V)', ['{app="a", level="info"}=1', '{app="a", level="error"}=3', '{app="b", level="info"}=4', '{app="b", level="warn"}=8']);
    f('sort_desc(V)', ['{app="b", level="warn"}=8', '{app="b", level="info"}=4', '{app="a", level="error"}=3', '{app="a", level="info"}=1']);
  });
});
