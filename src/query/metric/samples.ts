/**
 * Reads the samples a range aggregation works on, per output series, in one of two ways:
 * - the row path: rows come from `Storage.select` and run through the log pipeline; each entry
 *   that passes is one sample (value 1, its line bytes, or its unwrapped label value);
 * - the push-down path (pipeline.noop, no unwrap): `Storage.countBuckets` counts entries in
 *   buckets inside the backend and each non-empty bucket becomes one weighted sample stamped
 *   at the bucket's right edge. Windows are unions of whole buckets, so summing weights over a
 *   window gives exactly what the row path counts. Counting functions over rows that do need the
 *   pipeline fold their samples into the same buckets, so memory grows with buckets, not rows.
 * Series labels are identical on both paths: stream labels, structured metadata, and the
 * detected `level` unless the stream has its own `level` label (see docs/logql.md).
 */
import type { Labels } from '../../model/labels.js';
import type { Nanos } from '../../model/entry.js';
import type { Storage, StreamInfo } from '../../storage/storage.js';
import type { LogRangeExpr, RangeOp } from '../../logql/ast.js';
import type { LogQueryPlan } from '../../logql/index.js';
import { parseGoFloat, buildLabelPredicate } from '../../logql/stages/label-filter.js';
import { tryParseBytes } from '../../logql/bytes.js';
import { tryParseGoDuration } from '../../logql/duration.js';
import { LabelsBuilder, ERROR_LABEL, ERROR_DETAILS_LABEL } from '../../logql/labels-builder.js';
import { resolveStreams } from '../log-query.js';
import { planBoth } from '../compile.js';
import { labelsKey } from './series.js';
import type { Grouping } from '../../logql/ast.js';

/** Samples of one series, ascending by time. */
export interface SeriesSamples {
  labels: Labels;
  ts: bigint[];
  vs: number[];
}

export interface SampleStats {
  linesScanned: number;
  bytesScanned: number;
}

export interface SampleRequest {
  tenants: string[];
  range: LogRangeExpr;
  op: RangeOp;
  grouping?: Grouping;
  /** The only series labels the caller reads (undefined = all): other metadata is not read. */
  labelsNeeded?: readonly string[];
  /** Entries with start <= ts < end. */
  start: Nanos;
  end: Nanos;
  /** Bucket grid for the push-down path: origin and width (see CountPlan); undefined = row path. */
  buckets?: { origin: Nanos; width: Nanos };
  signal?: AbortSignal;
  stats: SampleStats;
}

const BYTES_OPS = new Set<RangeOp>(['bytes_over_time', 'bytes_rate']);
/** Range aggregations that only count entries or bytes: candidates for push-down. */
export const COUNTING_OPS: ReadonlySet<RangeOp> = new Set<RangeOp>(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time']);

class SeriesSet {
  readonly map = new Map<string, SeriesSamples>();
  private get(labels: Labels): SeriesSamples {
    const key = labelsKey(labels);
    let s = this.map.get(key);
    if (!s) {
      s = { labels, ts: [], vs: [] };
      this.map.set(key, s);
    }
    return s;
  }
  add(labels: Labels, ts: bigint, v: number): void {
    const s = this.get(labels);
    s.ts.push(ts);
    s.vs.push(v);
  }
  /** Adds `v` to the series' last sample when it is stamped `ts` (rows arrive in time order). */
  addToBucket(labels: Labels, ts: bigint, v: number): void {
    const s = this.get(labels);
    const n = s.ts.length;
    if (n > 0 && s.ts[n - 1] === ts) s.vs[n - 1] += v;
    else {
      s.ts.push(ts);
      s.vs.push(v);
    }
  }
}

/** The right edge of the bucket holding `ts` (buckets are left-open, see CountPlan). */
function bucketEnd(ts: bigint, b: { origin: Nanos; width: Nanos }): bigint {
  return b.origin + ((ts - b.origin - 1n) / b.width + 1n) * b.width;
}

/** The series labels of an entry read without a pipeline (the push-down path). */
export function entryLabels(stream: Labels, metadata: Labels | undefined, level: string): Labels {
  const out: Labels = { ...stream };
  if (metadata) for (const k in metadata) out[k] = metadata[k];
  if (stream.level === undefined) out.level = level;
  return out;
}

function convert(conversion: string | undefined, s: string): number | string {
  if (conversion === 'bytes') {
    const b = tryParseBytes(s);
    return b === undefined ? `cannot parse ${JSON.stringify(s)} as bytes` : b;
  }
  if (conversion === 'duration' || conversion === 'duration_seconds') {
    const ns = tryParseGoDuration(s);
    return ns === undefined ? `time: invalid duration ${JSON.stringify(s)}` : ns / 1e9;
  }
  const f = parseGoFloat(s);
  return f === undefined ? `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax` : f;
}

function dropLabels(labels: Labels, names: string[]): Labels {
  const out: Labels = {};
  for (const k in labels) if (!names.includes(k)) out[k] = labels[k];
  return out;
}

function keepLabels(labels: Labels, names: string[]): Labels {
  const out: Labels = {};
  for (const k of names) if (labels[k] !== undefined) out[k] = labels[k];
  return out;
}

export async function readSamples(storage: Storage, req: SampleRequest): Promise<SeriesSamples[]> {
  const plans = planBoth(req.range.selector);
  const out = new SeriesSet();
  const multiTenant = req.tenants.length > 1;
  const unwrap = req.range.unwrap;
  const bytesOp = BYTES_OPS.has(req.op);
  const post = unwrap?.postFilters.map(buildLabelPredicate) ?? [];
  const postBuilder = new LabelsBuilder();
  const g = req.grouping;

  for (const tenant of req.tenants) {
    const resolved = await resolveStreams(storage, tenant, plans, req.start, req.end);
    const parts: Array<{ plan: LogQueryPlan; streams: StreamInfo[] }> = [];
    if (resolved.column.length) parts.push({ plan: plans.column, streams: resolved.column });
    if (resolved.label.length) parts.push({ plan: plans.label, streams: resolved.label });
    for (const { plan, streams } of parts) {
      const byId = new Map<bigint, StreamInfo>();
      for (const s of streams) byId.set(s.id, s);
      const streamLabels = (s: StreamInfo): Labels => (multiTenant ? { ...s.labels, __tenant_id__: tenant } : s.labels);
      const base = { tenant, streamIds: streams.map((s) => s.id), start: req.start, end: req.end, levels: plan.levels, line: plan.line, signal: req.signal };

      if (req.buckets && plan.pipeline.noop && !unwrap) {
        const { origin, width } = req.buckets;
        for (const r of await storage.countBuckets({ ...base, origin, width, metadataKeys: req.labelsNeeded })) {
          const s = byId.get(r.streamId);
          if (!s) continue;
          req.stats.linesScanned += r.count;
          req.stats.bytesScanned += r.bytes;
          const t = origin + BigInt(r.bucket + 1) * width;
          out.add(entryLabels(streamLabels(s), r.metadata, r.level), t, bytesOp ? r.bytes : r.count);
        }
        continue;
      }

      for await (const chunk of storage.select({ ...base, direction: 'forward' })) {
        for (const row of chunk) {
          const s = byId.get(row.streamId);
          if (!s) continue;
          req.stats.linesScanned++;
          req.stats.bytesScanned += Buffer.byteLength(row.line);
          const res = plan.pipeline.process(row.ts, row.line, streamLabels(s), row.metadata, row.level);
          if (!res) continue;
          if (!unwrap) {
            const v = bytesOp ? Buffer.byteLength(res.line) : 1;
            if (req.buckets) out.addToBucket(res.labels, bucketEnd(row.ts, req.buckets), v);
            else out.add(res.labels, row.ts, v);
            continue;
          }
          // Loki's label sample extractor: a missing or empty label is no sample; a value that
          // does not convert sets __error__ (kept unless a post filter drops it).
          const raw = res.labels[unwrap.label];
          if (raw === undefined || raw === '') continue;
          const conv = convert(unwrap.conversion, raw);
          let labels = res.labels;
          let v = 0;
          if (typeof conv === 'string') {
            if (labels[ERROR_LABEL] === undefined) labels = { ...labels, [ERROR_LABEL]: 'SampleExtractionErr', [ERROR_DETAILS_LABEL]: conv };
          } else v = conv;
          if (post.length) {
            postBuilder.reset(labels, undefined, undefined);
            postBuilder.err = labels[ERROR_LABEL] ?? '';
            if (!post.every((p) => p(postBuilder))) continue;
            if (postBuilder.err && postBuilder.err !== labels[ERROR_LABEL]) labels = { ...labels, [ERROR_LABEL]: postBuilder.err };
          }
          if (labels[ERROR_LABEL] === undefined) {
            labels = !g ? dropLabels(labels, [unwrap.label]) : g.without ? dropLabels(labels, [...g.labels, unwrap.label]) : keepLabels(labels, g.labels);
          }
          out.add(labels, row.ts, v);
        }
      }
    }
  }
  const series = [...out.map.values()];
  // Two backend reads (streams with and without their own level label) may interleave in time.
  for (const s of series) sortByTime(s);
  return series;
}

function sortByTime(s: SeriesSamples): void {
  let sorted = true;
  for (let i = 1; i < s.ts.length; i++) if (s.ts[i] < s.ts[i - 1]) sorted = false;
  if (sorted) return;
  const idx = s.ts.map((_, i) => i).sort((a, b) => (s.ts[a] < s.ts[b] ? -1 : s.ts[a] > s.ts[b] ? 1 : 0));
  s.ts = idx.map((i) => s.ts[i]);
  s.vs = idx.map((i) => s.vs[i]);
}
