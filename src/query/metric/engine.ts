/**
 * The LogQL metric query engine: evaluates a metric expression at the steps of a grid (one step
 * for an instant query) over a Storage, for the API routes and the alerting ruler.
 *
 * Each range aggregation reads its samples once for the whole grid (see samples.ts), pushing the
 * counting into the backend when the query has no pipeline stage left to run in JavaScript and
 * the bucket grid `gcd(step, range)` stays small; everything above range aggregations works on
 * per-step instant vectors. Limits: steps per series and series per result.
 */
import { LogSentinelError } from '../../errors.js';
import type { Labels } from '../../model/labels.js';
import type { Storage } from '../../storage/storage.js';
import { parseExpr, type MetricExpr, type RangeAggregationExpr, type VectorAggregationExpr } from '../../logql/index.js';
import { evalRangeAggregation, sampleSpan } from './range-aggregation.js';
import { evalVectorAggregation } from './vector-aggregation.js';
import { evalLabelReplace, labelReplacer } from './label-replace.js';
import { scalarScalar, vectorScalar, vectorVector } from './binary.js';
import { COUNTING_OPS, readSamples, type SampleStats } from './samples.js';
import { labelsKey, makeGrid, stepTime, type InstantSample, type StepGrid, type StepValues } from './series.js';
import type { QueryBudget } from '../budget.js';

export type { InstantSample } from './series.js';

export type InstantResult = { type: 'vector'; samples: InstantSample[] } | { type: 'scalar'; value: number };

export interface MatrixSeries {
  labels: Labels;
  /** [step time in nanoseconds, value], ascending. */
  points: Array<[bigint, number]>;
}

export interface RangeResult {
  type: 'matrix';
  series: MatrixSeries[];
}

export interface MetricLimits {
  /** Series in a result (Loki's max_query_series). */
  maxSeries: number;
  /** Step intervals `(end - start) / step` of a range query (Prometheus' and Loki's 11,000). */
  maxPoints: number;
  /** Buckets the push-down grid may have before falling back to reading rows. */
  maxBuckets: number;
  /** false forces the row path (tests compare both paths). */
  pushDown: boolean;
}

export const DEFAULT_METRIC_LIMITS: MetricLimits = { maxSeries: 500, maxPoints: 11_000, maxBuckets: 100_000, pushDown: true };

export interface EvalOptions {
  tenants: string[];
  signal?: AbortSignal;
  /** Time, memory and main-thread limits (default: none but `signal`). */
  budget?: QueryBudget;
  limits?: Partial<MetricLimits>;
}

export interface EvalStats extends SampleStats {
  /** Series read by range aggregations before any vector operation. */
  seriesRead: number;
}

export interface Evaluation<T> {
  result: T;
  stats: EvalStats;
}

/** Loki's text for a log query sent to the instant endpoint (logqlmodel.ErrUnsupportedSyntaxForInstantQuery). */
export const LOG_QUERY_NOT_INSTANT = 'log queries are not supported as an instant query type, please change your query to a range query type';

/** Whether `e` uses `approx_topk`, which Loki answers on instant queries only. */
function usesApproxTopk(e: MetricExpr): boolean {
  switch (e.type) {
    case 'vector_aggregation':
      return e.op === 'approx_topk' || usesApproxTopk(e.expr);
    case 'label_replace':
      return usesApproxTopk(e.expr);
    case 'binary':
      return usesApproxTopk(e.left) || usesApproxTopk(e.right);
    default:
      return false;
  }
}

/** Parses `query` and returns its metric expression; a log query is LOGQL_UNSUPPORTED here. */
export function parseMetricQuery(query: string): MetricExpr {
  const expr = parseExpr(query);
  if (expr.type === 'log_selector') {
    throw new LogSentinelError('LOGQL_UNSUPPORTED', `cannot evaluate query ${JSON.stringify(query)}: it is a log query, not a metric query`);
  }
  return expr;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

class Evaluator {
  readonly stats: EvalStats = { linesScanned: 0, bytesScanned: 0, seriesRead: 0 };
  constructor(
    private readonly storage: Storage,
    private readonly grid: StepGrid,
    private readonly opts: EvalOptions,
    private readonly limits: MetricLimits,
  ) {}

  /**
   * `need`: the only labels of the result its consumer looks at (undefined = all). Vector
   * aggregations that drop labels pass their grouping down, so counting in the store can ignore
   * structured metadata nobody groups by (a unique trace id per entry would make a series each).
   */
  async eval(e: MetricExpr, need?: readonly string[]): Promise<StepValues> {
    const n = this.grid.count;
    this.opts.signal?.throwIfAborted();
    switch (e.type) {
      case 'literal':
        return { kind: 'scalar', steps: new Array<number>(n).fill(e.value) };
      case 'vector':
        return { kind: 'vector', steps: Array.from({ length: n }, () => [{ labels: {}, value: e.value }]) };
      case 'range_aggregation':
        return { kind: 'vector', steps: await this.rangeAggregation(e, need) };
      case 'vector_aggregation': {
        const inner = this.asVector(await this.eval(e.expr, labelsNeededBelow(e, need)), e.op);
        return { kind: 'vector', steps: inner.map((v) => evalVectorAggregation(e, v)) };
      }
      case 'label_replace': {
        const inner = this.asVector(await this.eval(e.expr), 'label_replace');
        const replace = labelReplacer(e);
        return { kind: 'vector', steps: inner.map((v) => evalLabelReplace(e, v, replace)) };
      }
      case 'binary': {
        const [l, r] = await Promise.all([this.eval(e.left), this.eval(e.right)]);
        if (l.kind === 'scalar' && r.kind === 'scalar') return { kind: 'scalar', steps: l.steps.map((a, i) => scalarScalar(e.op, a, r.steps[i])) };
        if (e.op === 'and' || e.op === 'or' || e.op === 'unless') {
          if (l.kind !== 'vector' || r.kind !== 'vector') {
            throw new LogSentinelError('LOGQL_PARSE', `cannot evaluate ${e.op}: set operations are only allowed between vectors`);
          }
        }
        if (l.kind === 'vector' && r.kind === 'scalar') return { kind: 'vector', steps: l.steps.map((v, i) => vectorScalar(e, v, r.steps[i], false)) };
        if (l.kind === 'scalar' && r.kind === 'vector') return { kind: 'vector', steps: r.steps.map((v, i) => vectorScalar(e, v, l.steps[i], true)) };
        const lv = l as { kind: 'vector'; steps: InstantSample[][] };
        const rv = r as { kind: 'vector'; steps: InstantSample[][] };
        return { kind: 'vector', steps: lv.steps.map((v, i) => vectorVector(e, v, rv.steps[i])) };
      }
    }
  }

  private asVector(v: StepValues, what: string): InstantSample[][] {
    if (v.kind !== 'vector') throw new LogSentinelError('LOGQL_PARSE', `cannot evaluate ${what}: its argument must be a vector, not a scalar`);
    return v.steps;
  }

  private async rangeAggregation(e: RangeAggregationExpr, need: readonly string[] | undefined): Promise<InstantSample[][]> {
    const g = this.grid;
    const span = sampleSpan(e, g);
    const range = BigInt(e.range.rangeMs) * 1_000_000n;
    const offset = BigInt(e.range.offsetMs) * 1_000_000n;
    let buckets: { origin: bigint; width: bigint } | undefined;
    if (this.limits.pushDown && COUNTING_OPS.has(e.op) && !e.range.unwrap && range > 0n) {
      const width = g.count > 1 ? gcd(g.step, range) : range;
      const origin = g.start - offset - range;
      if ((span.end - origin) / width <= BigInt(this.limits.maxBuckets)) buckets = { origin, width };
    }
    const series = await readSamples(this.storage, {
      tenants: this.opts.tenants,
      range: e.range,
      op: e.op,
      grouping: e.grouping,
      labelsNeeded: e.grouping ? (e.grouping.without ? undefined : e.grouping.labels) : need,
      start: span.start,
      end: span.end,
      buckets,
      signal: this.opts.signal,
      budget: this.opts.budget,
      stats: this.stats,
    });
    this.stats.seriesRead += series.length;
    const steps = evalRangeAggregation(e, series, g);
    // The per-step vectors are what the operators above hold while they work.
    if (this.opts.budget) {
      let n = 0;
      for (const v of steps) n += v.length;
      this.opts.budget.charge(n * 64);
    }
    return steps;
  }
}

/**
 * The labels a vector aggregation reads from its input, given what its own consumer needs. Only
 * `sum` may merge input series that differ in labels nobody reads (the sum is the same); every
 * other operator depends on how many series there are (max, avg, count, topk…), so it needs them all.
 */
function labelsNeededBelow(e: VectorAggregationExpr, _need: readonly string[] | undefined): readonly string[] | undefined {
  if (e.op !== 'sum') return undefined;
  if (!e.grouping) return [];
  return e.grouping.without ? undefined : e.grouping.labels;
}

function limitsOf(opts: EvalOptions): MetricLimits {
  return { ...DEFAULT_METRIC_LIMITS, ...opts.limits };
}

function seriesLimitError(limit: number): LogSentinelError {
  return new LogSentinelError(
    'QUERY_LIMIT',
    `maximum number of series (${limit}) reached for a single query; consider reducing query cardinality by adding more specific stream selectors, reducing the time range, or aggregating results with functions like sum(), count() or topk()`,
  );
}

/** Evaluates a metric expression at one instant, with statistics. */
export async function evaluateInstantExpr(storage: Storage, expr: MetricExpr, timeNs: bigint, opts: EvalOptions): Promise<Evaluation<InstantResult>> {
  const limits = limitsOf(opts);
  const ev = new Evaluator(storage, makeGrid(timeNs, timeNs, 1n), opts, limits);
  const v = await ev.eval(expr);
  if (v.kind === 'scalar') return { result: { type: 'scalar', value: v.steps[0] }, stats: ev.stats };
  const samples = v.steps[0];
  if (samples.length > limits.maxSeries) throw seriesLimitError(limits.maxSeries);
  return { result: { type: 'vector', samples }, stats: ev.stats };
}

/**
 * Evaluates a metric expression at `start, start+step, … ≤ end`. A scalar expression gives one
 * series without labels, as Loki answers a range query over a scalar.
 */
export async function evaluateRangeExpr(storage: Storage, expr: MetricExpr, start: bigint, end: bigint, stepNs: bigint, opts: EvalOptions): Promise<Evaluation<RangeResult>> {
  const limits = limitsOf(opts);
  if (usesApproxTopk(expr)) throw new LogSentinelError('LOGQL_UNSUPPORTED', 'approx_topk error: count min sketches are only supported on instant queries');
  if (stepNs <= 0n) throw new LogSentinelError('INVALID_PARAMETER', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
  // Like Loki and Prometheus: the number of step intervals, (end - start) / step, may not exceed it.
  if ((end - start) / stepNs > BigInt(limits.maxPoints)) {
    throw new LogSentinelError('QUERY_LIMIT', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
  }
  const grid = makeGrid(start, end, stepNs);
  const ev = new Evaluator(storage, grid, opts, limits);
  const v = await ev.eval(expr);
  if (v.kind === 'scalar') {
    return { result: { type: 'matrix', series: [{ labels: {}, points: v.steps.map((x, i) => [stepTime(grid, i), x]) }] }, stats: ev.stats };
  }
  const byKey = new Map<string, MatrixSeries>();
  for (let i = 0; i < grid.count; i++) {
    for (const s of v.steps[i]) {
      const k = labelsKey(s.labels);
      let m = byKey.get(k);
      if (!m) {
        if (byKey.size >= limits.maxSeries) throw seriesLimitError(limits.maxSeries);
        m = { labels: s.labels, points: [] };
        byKey.set(k, m);
      }
      m.points.push([stepTime(grid, i), s.value]);
    }
  }
  const series = [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, s]) => s);
  return { result: { type: 'matrix', series }, stats: ev.stats };
}

/** Evaluates a LogQL metric query (text) at one instant for the given tenants. Throws LogSentinelError (LOGQL_PARSE, LOGQL_UNSUPPORTED for a log query, QUERY_LIMIT...). */
export async function evaluateInstant(storage: Storage, query: string, timeNs: bigint, tenants: string[], signal?: AbortSignal, budget?: QueryBudget): Promise<InstantResult> {
  return (await evaluateInstantExpr(storage, parseMetricQuery(query), timeNs, { tenants, signal, budget })).result;
}

/** Evaluates a LogQL metric query (text) over `[start, end]` at `step` for the given tenants. */
export async function evaluateRange(storage: Storage, query: string, start: bigint, end: bigint, stepNs: bigint, tenants: string[], signal?: AbortSignal): Promise<RangeResult> {
  return (await evaluateRangeExpr(storage, parseMetricQuery(query), start, end, stepNs, { tenants, signal })).result;
}
