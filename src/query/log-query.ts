/**
 * Runs a LogQL log query against a Storage: resolves the selector to stream ids in memory,
 * pushes time range, levels and line filters into the backend, and runs the remaining pipeline
 * stages over rows as the backend streams them in order — stopping as soon as `limit` entries
 * have passed, so a query never loads its whole time range.
 */
import type { Labels } from '../model/labels.js';
import { labelsToString } from '../model/labels.js';
import type { Nanos } from '../model/entry.js';
import type { Storage, StoredRow, StreamInfo } from '../storage/storage.js';
import { matchesLabels, type LogQueryPlan } from '../logql/index.js';
import type { LogQueryPlans } from './compile.js';
import { mergeOrdered } from './merge.js';
import { labelsBytes, unlimitedBudget, type QueryBudget } from './budget.js';

export interface LogQueryParams {
  tenants: string[];
  start: Nanos;
  end: Nanos;
  limit: number;
  direction: 'backward' | 'forward';
  signal?: AbortSignal;
  /** Time, memory and main-thread limits (default: none but `signal`). */
  budget?: QueryBudget;
}

export interface ResultEntry {
  ts: Nanos;
  line: string;
  structuredMetadata: Labels;
  parsed: Labels;
}

export interface ResultStream {
  /** Full label set (stream + metadata + parsed), Loki's legacy response key. */
  labels: Labels;
  /** Stream labels only (for categorize-labels responses). */
  streamLabels: Labels;
  entries: ResultEntry[];
}

export interface LogQueryStats {
  linesScanned: number;
  bytesScanned: number;
  entriesReturned: number;
  streamsMatched: number;
  structuredMetadataBytes: number;
}

export interface LogQueryResult {
  /** Streams keyed by final label set; with categorize-labels, by stream labels. */
  streams: ResultStream[];
  stats: LogQueryStats;
}

export interface ResolvedStreams {
  /** Streams without their own `level` label: level matchers apply to the level column. */
  column: StreamInfo[];
  /** Streams with their own `level` label: level matchers apply to it like to any label. */
  label: StreamInfo[];
}

/** Streams of a tenant selected by the plans' matchers over [start, end). */
export async function resolveStreams(storage: Storage, tenant: string, plans: LogQueryPlans, start: Nanos, end: Nanos): Promise<ResolvedStreams> {
  const out: ResolvedStreams = { column: [], label: [] };
  for (const s of await storage.streams(tenant, start, end)) {
    if (s.labels.level === undefined) {
      if (matchesLabels(plans.column.matchers, s.labels)) out.column.push(s);
    } else if (matchesLabels(plans.label.matchers, s.labels)) out.label.push(s);
  }
  return out;
}

interface Collected {
  ts: Nanos;
  streamId: bigint;
  tenant: string;
  line: string;
  labels: Labels;
  structuredMetadata: Labels;
  parsed: Labels;
}

/**
 * Executes the plan. With `categorize`, entries are grouped by stream labels and carry their
 * metadata and parsed labels separately (X-Loki-Response-Encoding-Flags: categorize-labels).
 */
export async function runLogQuery(
  storage: Storage,
  plans: LogQueryPlans,
  params: LogQueryParams,
  opts: { categorize: boolean } = { categorize: false },
): Promise<LogQueryResult> {
  const stats: LogQueryStats = { linesScanned: 0, bytesScanned: 0, entriesReturned: 0, streamsMatched: 0, structuredMetadataBytes: 0 };
  const collected: Collected[] = [];
  const multiTenant = params.tenants.length > 1;
  const budget = params.budget ?? unlimitedBudget(params.signal);
  const signal = params.signal ?? budget.signal;
  for (const tenant of params.tenants) {
    const resolved = await resolveStreams(storage, tenant, plans, params.start, params.end);
    // One backend select per plan that has streams; rows are merged back into time order.
    const parts: Array<{ plan: LogQueryPlan; streams: StreamInfo[] }> = [];
    if (resolved.column.length) parts.push({ plan: plans.column, streams: resolved.column });
    if (resolved.label.length) parts.push({ plan: plans.label, streams: resolved.label });
    if (parts.length === 0) continue;
    const byId = new Map<bigint, StreamInfo>();
    for (const p of parts) for (const s of p.streams) byId.set(s.id, s);
    stats.streamsMatched += byId.size;
    const sources = parts.map(({ plan, streams }) =>
      storage.select({
        tenant,
        streamIds: streams.map((s) => s.id),
        start: params.start,
        end: params.end,
        direction: params.direction,
        // Everything pushed down is done by the backend; when nothing remains in JavaScript its
        // LIMIT is exact. Otherwise rows are read until enough pass the pipeline.
        limit: plan.pipeline.noop ? params.limit : undefined,
        levels: plan.levels,
        line: plan.line,
        signal,
        pace: () => budget.pace(),
      }),
    );
    let taken = 0;
    const take = (row: StoredRow, plan: LogQueryPlan): boolean => {
      stats.linesScanned++;
      stats.bytesScanned += row.line.length;
      const stream = byId.get(row.streamId);
      if (!stream) return false;
      const out = processRow(plan.pipeline, row, stream, tenant, multiTenant, stats);
      if (!out) return false;
      budget.charge(entryBytes(out));
      collected.push(out);
      return ++taken >= params.limit;
    };
    if (sources.length === 1) {
      const plan = parts[0].plan;
      for await (const chunk of sources[0]) if (await budget.each(chunk, (row) => take(row, plan))) break;
    } else {
      let n = 0;
      for await (const [row, k] of mergeOrdered(sources, params.direction)) {
        if ((++n & 31) === 0) {
          budget.check();
          if (budget.due()) await budget.pace();
        }
        if (budget.run(() => take(row, parts[k].plan))) break;
      }
    }
  }
  // Several tenants: keep the `limit` entries nearest the query's starting edge.
  if (multiTenant) {
    collected.sort((a, b) => (params.direction === 'backward' ? cmp(b.ts, a.ts) : cmp(a.ts, b.ts)));
    collected.length = Math.min(collected.length, params.limit);
  }
  const groups = new Map<string, ResultStream>();
  for (const c of collected) {
    const streamLabels = streamPart(c);
    const key = labelsToString(opts.categorize ? streamLabels : c.labels);
    let g = groups.get(key);
    if (!g) {
      g = { labels: c.labels, streamLabels, entries: [] };
      groups.set(key, g);
    }
    g.entries.push({ ts: c.ts, line: c.line, structuredMetadata: c.structuredMetadata, parsed: c.parsed });
  }
  stats.entriesReturned = collected.length;
  return { streams: [...groups.values()], stats };
}

/** The final labels that are neither metadata nor parsed: the stream labels after drop/keep/label_format. */
function streamPart(c: Collected): Labels {
  const out: Labels = {};
  for (const k in c.labels) if (!(k in c.structuredMetadata) && !(k in c.parsed)) out[k] = c.labels[k];
  return out;
}

/** What a collected entry keeps alive, roughly (see budget.ts). */
function entryBytes(c: Collected): number {
  return 2 * c.line.length + labelsBytes(c.parsed) + labelsBytes(c.structuredMetadata) + 96;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function processRow(
  pipeline: LogQueryPlan['pipeline'],
  row: StoredRow,
  stream: StreamInfo,
  tenant: string,
  multiTenant: boolean,
  stats: LogQueryStats,
): Collected | null {
  let streamLabels = stream.labels;
  if (multiTenant) streamLabels = { ...streamLabels, __tenant_id__: tenant };
  if (row.metadata) for (const k in row.metadata) stats.structuredMetadataBytes += k.length + row.metadata[k].length;
  // The detected level is offered as metadata `level` unless the stream has its own.
  const res = pipeline.process(row.ts, row.line, streamLabels, row.metadata, row.level);
  if (!res) return null;
  return {
    ts: row.ts,
    streamId: row.streamId,
    tenant,
    line: res.line,
    labels: res.labels,
    structuredMetadata: res.structuredMetadata,
    parsed: res.parsed,
  };
}
