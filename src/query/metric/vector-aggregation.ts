/**
 * Vector aggregations over one step's instant vector, as Prometheus/Loki define them:
 * `sum avg min max count stddev stdvar` reduce each `by`/`without` group to one sample labelled
 * with the group's labels; `topk`/`bottomk` keep k samples per group with their own labels;
 * `sort`/`sort_desc` order the vector by value. `approx_topk(k, …)` (no grouping) answers exactly
 * what `topk` does: Loki approximates it with a count-min sketch only to spread it over shards.
 * Each reduction runs step for step as Loki's VectorAggEvaluator does, so that infinities and NaN
 * come out as Loki's.
 */
import type { VectorAggregationExpr } from '../../logql/ast.js';
import { groupLabels, labelsKey, type InstantSample } from './series.js';

interface Group {
  labels: InstantSample['labels'];
  samples: InstantSample[];
}

function groups(vec: InstantSample[], expr: VectorAggregationExpr): Group[] {
  const m = new Map<string, Group>();
  for (const s of vec) {
    const labels = groupLabels(s.labels, expr.grouping);
    const k = labelsKey(labels);
    let g = m.get(k);
    if (!g) {
      g = { labels, samples: [] };
      m.set(k, g);
    }
    g.samples.push(s);
  }
  return [...m.values()];
}

function reduce(op: VectorAggregationExpr['op'], vs: number[]): number {
  switch (op) {
    case 'sum':
      return vs.reduce((a, b) => a + b);
    case 'count':
      return vs.length;
    case 'avg': {
      let m = vs[0];
      for (let i = 1; i < vs.length; i++) m += (vs[i] - m) / (i + 1);
      return m;
    }
    case 'min':
      return vs.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a));
    case 'max':
      return vs.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a));
    case 'stddev':
    case 'stdvar': {
      // Loki starts each group at mean = first value, sum of squares 0, then runs Welford's update.
      let m = vs[0];
      let m2 = 0;
      for (let i = 1; i < vs.length; i++) {
        const d = vs[i] - m;
        m += d / (i + 1);
        m2 += d * (vs[i] - m);
      }
      const variance = m2 / vs.length;
      return op === 'stddev' ? Math.sqrt(variance) : variance;
    }
    default:
      throw new Error(`BUG: ${op} is not a reducing aggregation`);
  }
}

export function evalVectorAggregation(expr: VectorAggregationExpr, vec: InstantSample[]): InstantSample[] {
  switch (expr.op) {
    case 'sort':
      return [...vec].sort((a, b) => a.value - b.value || (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : 0));
    case 'sort_desc':
      return [...vec].sort((a, b) => b.value - a.value || (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : 0));
    case 'topk':
    case 'approx_topk':
    case 'bottomk': {
      const k = Math.floor(expr.param ?? 0);
      if (k < 1) return [];
      const out: InstantSample[] = [];
      const desc = expr.op !== 'bottomk';
      for (const g of groups(vec, expr)) {
        // NaN sorts last either way, as in Prometheus.
        const sorted = [...g.samples].sort((a, b) => {
          if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
          if (Number.isNaN(b.value)) return -1;
          return desc ? b.value - a.value : a.value - b.value;
        });
        out.push(...sorted.slice(0, k));
      }
      return out;
    }
    default:
      return groups(vec, expr).map((g) => ({ labels: g.labels, value: reduce(expr.op, g.samples.map((s) => s.value)) }));
  }
}
