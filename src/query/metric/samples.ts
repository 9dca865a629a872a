/**
 * Reads the samples a range aggregation works on, per output series, in one of two ways:
 * - the row path: rows come from `Storage.select` and run through the log pipeline; each entry
 *   that passes is one sample (value 1, its line bytes, or its unwrapped label value);
 * - the push-down path (pipeline.noop, no unwrap): `Storage.countBuckets` counts entries in
 *   buckets inside the backend and each non-empty bucket becomes one weighted sample stamped
 *   at the bucket's right edge. Windows are unions of whole buckets, so summing weights over a
 *   window gives exactly what the row path counts. Counting functions over rows that do need the
 *   pipeline fold their samples into the same buckets, so memory grows with buckets, not rows.
 * Series labels are identical on both paths: stream labels, structured metadata (a name the
 * stream has is `<name>_extracted`), the detected `level` unless the stream has its own `level`
 * label (see docs/logql.md), and `detected_level` unless the entry has its own (docs/ingest.md).
 */
import type { Labels } from '../../model/labels.js';
import type { Nanos } from '../../model/entry.js';
import type { Storage, StreamInfo } from '../../storage/storage.js';
import type { LogRangeExpr, RangeOp } from '../../logql/ast.js';
import type { LogQueryPlan } from '../../logql/index.js';
import { parseGoFloat, buildLabelPredicate } from '../../logql/stages/label-filter.js';
import { tryParseBytes } from '../../logql/bytes.js';
import { tryParseGoDuration } from '../../logql/duration.js';
import { LabelsBuilder, ERROR_LABEL, ERROR_DETAILS_LABEL, renameCollidingMeta } from '../../logql/labels-builder.js';
import { resolveStreams } from '../log-query.js';
import { planBoth } from '../compile.js';
import { labelsKey } from './series.js';
import type { Grouping } from '../../logql/ast.js';
import { labelsBytes, unlimitedBudget, type QueryBudget } from '../budget.js';
import { DETECTED_LEVEL, detectedLevel, metadataKeysFor, streamDetectedLevel } from '../../model/metadata.js';

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
  /** Time, memory and main-thread limits (default: none but `signal`). */
  budget?: QueryBudget;
  stats: SampleStats;
}

/** Bytes one sample keeps alive: a bigint time and a number in two arrays (see budget.ts). */
const SAMPLE_BYTES = 48;

const BYTES_OPS = new Set<RangeOp>(['bytes_over_time', 'bytes_rate']);
/** Range aggregations that only count entries or bytes: candidates for push-down. */
export const COUNTING_OPS: ReadonlySet<RangeOp> = new Set<RangeOp>(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time']);

/** The series being built, charging what they hold to the query's budget as they grow. */
class SeriesSet {
  readonly map = new Map<string, SeriesSamples>();
  constructor(private readonly budget: QueryBudget) {}
  get(labels: Labels): SeriesSamples {
    const key = labelsKey(labels);
    let s = this.map.get(key);
    if (!s) {
      // A parser over unique values (request ids) makes a series per line: this is where such
      // a query runs out of budget, long before the process runs out of memory.
      this.budget.charge(labelsBytes(labels) + 2 * key.length + 160);
      s = { labels, ts: [], vs: [] };
      this.map.set(key, s);
    }
    return s;
  }
  add(labels: Labels, ts: bigint, v: number): void {
    this.push(this.get(labels), ts, v);
  }
  push(s: SeriesSamples, ts: bigint, v: number): void {
    this.budget.charge(SAMPLE_BYTES);
    s.ts.push(ts);
    s.vs.push(v);
  }
  /** Adds `v` to the series' last sample when it is stamped `ts` (rows arrive in time order). */
  addToBucket(labels: Labels, ts: bigint, v: number): void {
    const s = this.get(labels);
    const n = s.ts.length;
    if (n > 0 && s.ts[n - 1] === ts) s.vs[n - 1] += v;
    else {
      this.budget.charge(SAMPLE_BYTES);
      s.ts.push(ts);
      s.vs.push(v);
    }
  }
}

/** The right edge of the bucket holding `ts` (buckets are left-open, see CountPlan). */
function bucketEnd(ts: bigint, b: { origin: Nanos; width: Nanos }): bigint {
  return b.origin + ((ts - b.origin - 1n) / b.width + 1n) * b.width;
}

/** The series labels of an entry read without a pipeline (the push-down path), as LabelsBuilder gives them. */
export function entryLabels(stream: Labels, metadata: Labels | undefined, level: string): Labels {
  const out: Labels = { ...stream };
  // Metadata as the pipeline shows it: names normalized, `<name>_extracted` when the stream has it.
  if (metadata) {
    const m = renameCollidingMeta(stream, metadata);
    for (const k in m) out[k] = m[k];
  }
  if (stream.level === undefined) out.level = level;
  const detected = detectedLevel(stream, metadata, level);
  if (detected !== undefined) out[DETECTED_LEVEL] = detected;
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

/** The labels read above, plus the error labels (a pipeline error must still fail the query). */
function keepForCounting(labels: Labels, names: readonly string[]): Labels {
  const out: Labels = {};
  for (const k of names) if (labels[k] !== undefined) out[k] = labels[k];
  if (labels[ERROR_LABEL] !== undefined) {
    out[ERROR_LABEL] = labels[ERROR_LABEL];
    if (labels[ERROR_DETAILS_LABEL] !== undefined) out[ERROR_DETAILS_LABEL] = labels[ERROR_DETAILS_LABEL];
  }
  return out;
}

/**
 * For a counting query that reads only `names` (a `sum by`): streams whose rows would get the same
 * labels, mapped to one of them, so the store counts them as one (CountPlan.countAs). Two streams
 * agree when they have the same label names (metadata renamed on collisions, a `level` of their
 * own), the same values of the labels read, and the same level label (`level`, `detected_level`).
 */
function countingGroups(streams: readonly StreamInfo[], names: readonly string[]): Map<bigint, bigint> | undefined {
  const first = new Map<string, bigint>();
  const out = new Map<bigint, bigint>();
  for (const s of streams) {
    const l = s.labels;
    const detected = streamDetectedLevel(l);
    const key = JSON.stringify([Object.keys(l).sort(), names.map((n) => l[n] ?? null), l.level ?? null, detected === undefined ? 'entry' : detected]);
    const as = first.get(key);
    if (as === undefined) first.set(key, s.id);
    else out.set(s.id, as);
  }
  return out.size ? out : undefined;
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
  const budget = req.budget ?? unlimitedBudget(req.signal);
  const signal = req.signal ?? budget.signal;
  const out = new SeriesSet(budget);
  const multiTenant = req.tenants.length > 1;
  const unwrap = req.range.unwrap;
  const bytesOp = BYTES_OPS.has(req.op);
  const post = unwrap?.postFilters.map(buildLabelPredicate) ?? [];
  const postBuilder = new LabelsBuilder();
  const g = req.grouping;
  const merge = req.labelsNeeded !== undefined && COUNTING_OPS.has(req.op) && req.op !== 'absent_over_time' ? req.labelsNeeded : undefined;

  for (const tenant of req.tenants) {
    const resolved = await resolveStreams(storage, tenant, plans, req.start, req.end);
    const parts: Array<{ plan: LogQueryPlan; streams: StreamInfo[] }> = [];
    if (resolved.column.length) parts.push({ plan: plans.column, streams: resolved.column });
    if (resolved.label.length) parts.push({ plan: plans.label, streams: resolved.label });
    for (const { plan, streams } of parts) {
      const byId = new Map<bigint, StreamInfo>();
      for (const s of streams) byId.set(s.id, s);
      const streamLabels = (s: StreamInfo): Labels => (multiTenant ? { ...s.labels, __tenant_id__: tenant } : s.labels);
      const base = { tenant, streamIds: streams.map((s) => s.id), start: req.start, end: req.end, levels: plan.levels, line: plan.line, signal, pace: () => budget.pace() };

      if (req.buckets && plan.pipeline.noop && !unwrap) {
        const { origin, width } = req.buckets;
        const metadataKeys = req.labelsNeeded && metadataKeysFor(req.labelsNeeded);
        const rows = await storage.countBuckets({ ...base, origin, width, metadataKeys, countAs: merge && countingGroups(streams, merge) });
        // Rows of one stream, level and metadata share their labels, built once per combination
        // (a day of minutes is 1,440 rows each). With `sum by`, combinations that differ only in
        // labels nobody reads are added up here, bucket by bucket, as the row path does.
        type Merged = { labels: Labels; buckets: Map<number, number> };
        const bucketsOf = new Map<string, Merged>();
        const combos = new Map<bigint, Map<string, Merged>>();
        await budget.each(rows, (r) => {
          const s = byId.get(r.streamId);
          if (!s) return false;
          req.stats.linesScanned += r.count;
          req.stats.bytesScanned += r.bytes;
          let ofStream = combos.get(r.streamId);
          if (!ofStream) combos.set(r.streamId, (ofStream = new Map()));
          const combo = r.metadata ? r.level + JSON.stringify(r.metadata) : r.level;
          let m = ofStream.get(combo);
          if (!m) {
            const all = entryLabels(streamLabels(s), r.metadata, r.level);
            const labels = merge ? keepForCounting(all, merge) : all;
            const key = labelsKey(labels);
            m = bucketsOf.get(key);
            if (!m) bucketsOf.set(key, (m = { labels, buckets: new Map() }));
            ofStream.set(combo, m);
          }
          m.buckets.set(r.bucket, (m.buckets.get(r.bucket) ?? 0) + (bytesOp ? r.bytes : r.count));
          return false;
        });
        for (const { labels, buckets } of bucketsOf.values()) {
          const series = out.get(labels);
          for (const b of [...buckets.keys()].sort((x, y) => x - y)) out.push(series, origin + BigInt(b + 1) * width, buckets.get(b)!);
        }
        continue;
      }

      for await (const chunk of storage.select({ ...base, direction: 'forward' })) {
        await budget.each(chunk, (row) => {
          const s = byId.get(row.streamId);
          if (!s) return false;
          req.stats.linesScanned++;
          req.stats.bytesScanned += Buffer.byteLength(row.line);
          const res = plan.pipeline.process(row.ts, row.line, streamLabels(s), row.metadata, row.level);
          if (!res) return false;
          if (!unwrap) {
            const v = bytesOp ? Buffer.byteLength(res.line) : 1;
            // Counting is additive: when only some labels are read above (sum by), series that
            // differ only in others may be merged now, as the store's counting does. A parser over
            // unique values (request ids) would otherwise make one series per line.
            const labels = merge ? keepForCounting(res.labels, merge) : res.labels;
            if (req.buckets) out.addToBucket(labels, bucketEnd(row.ts, req.buckets), v);
            else out.add(labels, row.ts, v);
            return false;
          }
          // Loki's label sample extractor: a missing or empty label is no sample; a value that
          // does not convert sets __error__ (kept unless a post filter drops it).
          const raw = res.labels[unwrap.label];
          if (raw === undefined || raw === '') return false;
          const conv = convert(unwrap.conversion, raw);
          let labels = res.labels;
          let v = 0;
          if (typeof conv === 'string') {
            if (labels[ERROR_LABEL] === undefined) labels = { ...labels, [ERROR_LABEL]: 'SampleExtractionErr', [ERROR_DETAILS_LABEL]: conv };
          } else v = conv;
          if (post.length) {
            postBuilder.reset(labels, undefined, undefined);
            postBuilder.err = labels[ERROR_LABEL] ?? '';
            if (!post.every((p) => p(postBuilder))) return false;
            if (postBuilder.err && postBuilder.err !== labels[ERROR_LABEL]) labels = { ...labels, [ERROR_LABEL]: postBuilder.err };
          }
          if (labels[ERROR_LABEL] === undefined) {
            labels = !g ? dropLabels(labels, [unwrap.label]) : g.without ? dropLabels(labels, [...g.labels, unwrap.label]) : keepLabels(labels, g.labels);
          }
          out.add(labels, row.ts, v);
          return false;
        });
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
