/**
 * Log volume (`/loki/api/v1/index/volume`, `/index/volume_range`): bytes of log lines per label
 * set, the data behind Grafana's log volume histogram. Like Loki, series are aggregated by the
 * labels named in the selector (or `targetLabels`); `aggregateBy=labels` gives one series per
 * label name with value "" instead. The instant form sums `[start, end]`; the range form is
 * `sum by (labels) (bytes_over_time({selector}[step]))` evaluated at each step. Counting runs in
 * the backend (`Storage.countBuckets`). The `limit` largest series are kept.
 */
import type { Labels } from '../../model/labels.js';
import type { Storage } from '../../storage/storage.js';
import { LogSentinelError } from '../../errors.js';
import { parseExpr } from '../../logql/index.js';
import { readSamples, type SampleStats, type SeriesSamples } from './samples.js';
import { labelsKey, makeGrid, stepTime } from './series.js';
import type { MatrixSeries } from './engine.js';
import type { QueryBudget } from '../budget.js';

export interface VolumeParams {
  tenants: string[];
  query: string;
  start: bigint;
  end: bigint;
  limit: number;
  targetLabels?: string[];
  aggregateBy: 'series' | 'labels';
  signal?: AbortSignal;
  budget?: QueryBudget;
}

interface Acc {
  labels: Labels;
  /** bytes per step */
  values: Map<number, number>;
  total: number;
}

function keysOf(labels: Labels, names: string[], by: 'series' | 'labels'): Labels[] {
  if (by === 'labels') return names.filter((n) => labels[n] !== undefined).map((n) => ({ [n]: '' }));
  const out: Labels = {};
  for (const n of [...names].sort()) if (labels[n] !== undefined) out[n] = labels[n];
  return Object.keys(out).length ? [out] : [];
}

async function volume(storage: Storage, p: VolumeParams, origin: bigint, width: bigint, end: bigint): Promise<{ accs: Acc[]; stats: SampleStats }> {
  const expr = parseExpr(p.query);
  if (expr.type !== 'log_selector' || expr.stages.length > 0) {
    throw new LogSentinelError('INVALID_PARAMETER', `cannot query volume of ${JSON.stringify(p.query)}: only label matchers are supported`);
  }
  const names = p.targetLabels?.length ? p.targetLabels : [...new Set(expr.matchers.map((m) => m.name))];
  const stats: SampleStats = { linesScanned: 0, bytesScanned: 0 };
  const series: SeriesSamples[] = await readSamples(storage, {
    tenants: p.tenants,
    range: { selector: expr, rangeMs: 0, offsetMs: 0 },
    op: 'bytes_over_time',
    start: origin + 1n,
    end: end + 1n,
    buckets: { origin, width },
    signal: p.signal,
    budget: p.budget,
    stats,
  });
  const accs = new Map<string, Acc>();
  for (const s of series) {
    for (const labels of keysOf(s.labels, names, p.aggregateBy)) {
      const k = labelsKey(labels);
      let a = accs.get(k);
      if (!a) {
        a = { labels, values: new Map(), total: 0 };
        accs.set(k, a);
      }
      for (let i = 0; i < s.ts.length; i++) {
        const b = Number((s.ts[i] - origin) / width) - 1;
        a.values.set(b, (a.values.get(b) ?? 0) + s.vs[i]);
        a.total += s.vs[i];
      }
    }
  }
  const top = [...accs.values()].sort((x, y) => y.total - x.total || (labelsKey(x.labels) < labelsKey(y.labels) ? -1 : 1)).slice(0, p.limit);
  return { accs: top, stats };
}

/** Bytes per label set over `[start, end]`, largest first. */
export async function volumeInstant(storage: Storage, p: VolumeParams): Promise<{ samples: Array<{ labels: Labels; value: number }>; stats: SampleStats }> {
  const { accs, stats } = await volume(storage, p, p.start - 1n, p.end - p.start + 1n, p.end);
  return { samples: accs.map((a) => ({ labels: a.labels, value: a.total })), stats };
}

/** Bytes per label set in `(t - step, t]` for each step t of `start … end`. */
export async function volumeRange(storage: Storage, p: VolumeParams, stepNs: bigint): Promise<{ series: MatrixSeries[]; stats: SampleStats }> {
  const grid = makeGrid(p.start, p.end, stepNs);
  const last = stepTime(grid, grid.count - 1);
  const { accs, stats } = await volume(storage, p, p.start - stepNs, stepNs, last);
  const series = accs.map((a) => ({
    labels: a.labels,
    points: [...a.values.entries()].sort((x, y) => x[0] - y[0]).map(([b, v]): [bigint, number] => [stepTime(grid, b), v]),
  }));
  return { series, stats };
}
