/**
 * Loki's query API: query_range, query, labels, label values, series, index/stats — with Loki's
 * parameters and exact response shapes (string nanosecond timestamps, `stats`), honouring
 * `X-Loki-Response-Encoding-Flags: categorize-labels`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { requestTenants } from '../auth-resolver.js';
import { many, one, rangeParams, requestParams, required, stepParam, type Params } from '../params.js';
import { compileSelector, planBoth } from '../../query/compile.js';
import { parseExpr, type LogSelectorExpr, type MetricExpr } from '../../logql/index.js';
import { evaluateInstantExpr, evaluateRangeExpr, LOG_QUERY_NOT_INSTANT, type InstantResult, type MatrixSeries } from '../../query/metric/engine.js';
import type { SampleStats } from '../../query/metric/samples.js';
import { formatValue, unixSeconds } from '../../query/metric/series.js';
import { volumeInstant, volumeRange } from '../../query/metric/volume.js';
import { resolveStreams, runLogQuery, type LogQueryResult, type LogQueryStats, type ResolvedStreams } from '../../query/log-query.js';
import { LogSentinelError } from '../../errors.js';
import type { Labels } from '../../model/labels.js';
import type { Nanos } from '../../model/entry.js';
import type { Storage, StreamInfo } from '../../storage/storage.js';
import { nowNs, parseTime } from '../../query/time.js';
import { cacheKey, uncacheableReason } from '../../query/cache/index.js';
import { timeoutError, type QueryBudget } from '../../query/budget.js';
import { queryBudget } from '../../query/admission.js';

const CATEGORIZE = 'categorize-labels';

function wantsCategorized(req: FastifyRequest): boolean {
  const h = req.headers['x-loki-response-encoding-flags'];
  const v = Array.isArray(h) ? h.join(',') : (h ?? '');
  return v.split(',').some((f) => f.trim() === CATEGORIZE);
}

export function storageOf(ctx: AppContext): Storage {
  if (!ctx.storage) {
    if (!ctx.ready()) throw new LogSentinelError('NOT_READY', 'cannot serve queries: the store is still opening', { retryAfter: 1 });
    throw new LogSentinelError('NOT_FOUND', 'cannot serve queries: this role has no query store');
  }
  return ctx.storage;
}

/**
 * Runs fn within the query limits: the parallelism of the tenants it reads (a slot of their own,
 * src/limits/query-queue.ts), a slot (query.maxConcurrent, bounded line), the query timeout
 * counted from arrival (waiting included), and a QueryBudget (memory, main-thread slices, the
 * deadline inside every stage). The budget's pool share is released when fn settles.
 */
export async function withQueryLimits<T>(ctx: AppContext, reply: FastifyReply, fn: (signal: AbortSignal, budget: QueryBudget) => Promise<T>, tenants?: readonly string[]): Promise<T> {
  const q = ctx.config.query;
  const arrived = performance.now();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(timeoutError(q.timeoutMs)), q.timeoutMs);
  // The response closing before it was written means the client went away: stop the query.
  const onClose = (): void => {
    if (!reply.raw.writableFinished) ac.abort(new LogSentinelError('BAD_REQUEST', 'query cancelled: client closed the connection'));
  };
  reply.raw.once('close', onClose);
  const run = (): Promise<T> =>
    ctx.querySlots.run(async () => {
      const budget = queryBudget(q, ctx, q.timeoutMs - (performance.now() - arrived), ac.signal);
      try {
        return await fn(ac.signal, budget);
      } finally {
        budget.release();
      }
    }, ac.signal);
  try {
    const tl = ctx.tenantLimits;
    return await (tl !== undefined && tenants !== undefined ? tl.runQuery(tenants, run) : run());
  } catch (err) {
    if (ac.signal.aborted && ac.signal.reason instanceof LogSentinelError) throw ac.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    reply.raw.off('close', onClose);
  }
}

export function lokiStats(s: LogQueryStats, execSeconds: number): Record<string, unknown> {
  const rate = (n: number): number => (execSeconds > 0 ? Math.round(n / execSeconds) : 0);
  return {
    summary: {
      bytesProcessedPerSecond: rate(s.bytesScanned),
      linesProcessedPerSecond: rate(s.linesScanned),
      totalBytesProcessed: s.bytesScanned,
      totalLinesProcessed: s.linesScanned,
      execTime: execSeconds,
      queueTime: 0,
      subqueries: 0,
      totalEntriesReturned: s.entriesReturned,
      splits: 0,
      shards: 0,
      totalPostFilterLines: s.entriesReturned,
      totalStructuredMetadataBytesProcessed: s.structuredMetadataBytes,
    },
    querier: {
      store: {
        totalChunksRef: 0,
        totalChunksDownloaded: 0,
        chunksDownloadTime: 0,
        queryReferencedStructuredMetadata: s.structuredMetadataBytes > 0,
        chunk: {
          headChunkBytes: 0,
          headChunkLines: 0,
          decompressedBytes: s.bytesScanned,
          decompressedLines: s.linesScanned,
          compressedBytes: 0,
          totalDuplicates: 0,
          postFilterLines: s.entriesReturned,
          headChunkStructuredMetadataBytes: 0,
          decompressedStructuredMetadataBytes: s.structuredMetadataBytes,
        },
      },
    },
    ingester: {
      totalReached: 0,
      totalChunksMatched: 0,
      totalBatches: 0,
      totalLinesSent: 0,
      store: { chunk: { headChunkBytes: 0, headChunkLines: 0, decompressedBytes: 0, decompressedLines: 0, compressedBytes: 0, totalDuplicates: 0 } },
    },
  };
}

export function streamsBody(res: LogQueryResult, categorize: boolean, execSeconds: number): Record<string, unknown> {
  const result = res.streams.map((s) => ({
    stream: categorize ? s.streamLabels : s.labels,
    values: s.entries.map((e) => {
      const ts = e.ts.toString();
      if (!categorize) return [ts, e.line];
      const hasMeta = Object.keys(e.structuredMetadata).length > 0;
      const hasParsed = Object.keys(e.parsed).length > 0;
      if (!hasMeta && !hasParsed) return [ts, e.line];
      const extra: Record<string, Labels> = {};
      if (hasMeta) extra.structuredMetadata = e.structuredMetadata;
      if (hasParsed) extra.parsed = e.parsed;
      return [ts, e.line, extra];
    }),
  }));
  const data: Record<string, unknown> = { resultType: 'streams', result, stats: lokiStats(res.stats, execSeconds) };
  if (categorize) data.encodingFlags = [CATEGORIZE];
  return { status: 'success', data };
}

function metricStats(s: SampleStats, returned: number): LogQueryStats {
  return { linesScanned: s.linesScanned, bytesScanned: s.bytesScanned, entriesReturned: returned, streamsMatched: 0, structuredMetadataBytes: 0 };
}

function matrixBody(series: MatrixSeries[], stats: SampleStats, secs: number): Record<string, unknown> {
  const result = series.map((m) => ({ metric: m.labels, values: m.points.map(([t, v]) => [unixSeconds(t), formatValue(v)]) }));
  return { status: 'success', data: { resultType: 'matrix', result, stats: lokiStats(metricStats(stats, series.length), secs) } };
}

function instantBody(r: InstantResult, timeNs: Nanos, stats: SampleStats, secs: number): Record<string, unknown> {
  const t = unixSeconds(timeNs);
  if (r.type === 'scalar') {
    return { status: 'success', data: { resultType: 'scalar', result: [t, formatValue(r.value)], stats: lokiStats(metricStats(stats, 1), secs) } };
  }
  const result = r.samples.map((s) => ({ metric: s.labels, value: [t, formatValue(s.value)] }));
  return { status: 'success', data: { resultType: 'vector', result, stats: lokiStats(metricStats(stats, result.length), secs) } };
}

/** Runs `fn` within the query limits, counting it in the query metrics under `type`. */
async function timed<T>(ctx: AppContext, reply: FastifyReply, type: string, tenants: readonly string[], fn: (signal: AbortSignal, budget: QueryBudget) => Promise<T>): Promise<{ res: T; secs: number }> {
  const t0 = performance.now();
  try {
    const res = await withQueryLimits(ctx, reply, fn, tenants);
    const secs = (performance.now() - t0) / 1000;
    ctx.metrics.queries.inc({ type, status: 'success' });
    ctx.metrics.queryDuration.observe({ type }, secs);
    return { res, secs };
  } catch (err) {
    ctx.metrics.queries.inc({ type, status: 'error' });
    throw err;
  }
}

async function metricRangeQuery(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, expr: MetricExpr, start: Nanos, end: Nanos, step: Nanos): Promise<Record<string, unknown>> {
  const tenants = requestTenants(req);
  // Cache-aside (cluster mode): only aligned ranges old enough that their result cannot change.
  const qc = ctx.queryCache;
  const key = qc && uncacheableReason(start, end, step, nowNs(), qc.maxFreshnessNs) === undefined ? cacheKey(qc.prefix, { tenants, expr, start, end, step }) : undefined;
  if (qc && key) {
    const hit = await qc.cache.get(key);
    if (hit !== undefined) return hit as Record<string, unknown>;
  }
  const { res, secs } = await timed(ctx, reply, 'metric', tenants, (signal, budget) => evaluateRangeExpr(storageOf(ctx), expr, start, end, step, { tenants, signal, budget }));
  const body = matrixBody(res.result.series, res.stats, secs);
  if (qc && key) await qc.cache.set(key, body);
  return body;
}

async function metricInstantQuery(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, expr: MetricExpr, time: Nanos): Promise<Record<string, unknown>> {
  const tenants = requestTenants(req);
  const { res, secs } = await timed(ctx, reply, 'metric', tenants, (signal, budget) => evaluateInstantExpr(storageOf(ctx), expr, time, { tenants, signal, budget }));
  return instantBody(res.result, time, res.stats, secs);
}

async function logQuery(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, expr: LogSelectorExpr, range: { start: Nanos; end: Nanos; limit: number; direction: 'backward' | 'forward' }): Promise<Record<string, unknown>> {
  const plans = planBoth(expr);
  const tenants = requestTenants(req);
  const categorize = wantsCategorized(req);
  const t0 = performance.now();
  try {
    const res = await withQueryLimits(ctx, reply, (signal, budget) => runLogQuery(storageOf(ctx), plans, { tenants, ...range, signal, budget }, { categorize }), tenants);
    const secs = (performance.now() - t0) / 1000;
    ctx.metrics.queries.inc({ type: 'log', status: 'success' });
    ctx.metrics.queryDuration.observe({ type: 'log' }, secs);
    return streamsBody(res, categorize, secs);
  } catch (err) {
    ctx.metrics.queries.inc({ type: 'log', status: 'error' });
    throw err;
  }
}

/** Streams of the request's tenants matching any of the selectors (all streams when none). */
async function selectStreams(ctx: AppContext, req: FastifyRequest, selectors: string[], start: Nanos, end: Nanos): Promise<StreamInfo[]> {
  const storage = storageOf(ctx);
  const out: StreamInfo[] = [];
  const seen = new Set<string>();
  for (const tenant of requestTenants(req)) {
    const lists =
      selectors.length === 0
        ? [await storage.streams(tenant, start, end)]
        : await Promise.all(selectors.map(async (q) => flatten(await resolveStreams(storage, tenant, compileSelector(q), start, end))));
    for (const list of lists) {
      for (const s of list) {
        const k = tenant + '\x00' + s.id;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(s);
      }
    }
  }
  return out;
}

function flatten(r: ResolvedStreams): StreamInfo[] {
  return [...r.column, ...r.label];
}

/** Loki's labels/series default window: the last 6h unless start/end/since say otherwise. */
function metaRange(p: Params, ctx: AppContext): { start: Nanos; end: Nanos } {
  const r = rangeParams({ ...p, limit: undefined }, ctx.config, { defaultSince: 6n * 3_600_000_000_000n });
  return { start: r.start, end: r.end };
}

export async function queryRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const route = (path: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void => {
    app.get(path, handler);
    app.post(path, handler);
  };

  route('/loki/api/v1/query_range', async (req, reply) => {
    const p = requestParams(req);
    const expr = parseExpr(required(p, 'query'));
    if (expr.type !== 'log_selector') {
      const r = rangeParams({ ...p, limit: undefined }, ctx.config);
      const step = stepParam(p, r.start, r.end);
      // Loki's align_queries_with_step: both ends down to a multiple of the step.
      if (ctx.config.query.alignQueriesWithStep) return metricRangeQuery(ctx, req, reply, expr, r.start - (r.start % step), r.end - (r.end % step), step);
      return metricRangeQuery(ctx, req, reply, expr, r.start, r.end, step);
    }
    const r = rangeParams(p, ctx.config);
    // Loki's range is [start, end]: include an entry stamped exactly at `end`.
    return logQuery(ctx, req, reply, expr, { ...r, end: r.end + 1n });
  });

  route('/loki/api/v1/query', async (req, reply) => {
    const p = requestParams(req);
    const time = parseTime('time', one(p, 'time'), nowNs());
    const expr = parseExpr(required(p, 'query'));
    // Loki 3 answers log queries only over query_range (pkg/querier/http.go, a 400).
    if (expr.type === 'log_selector') throw new LogSentinelError('LOGQL_UNSUPPORTED', LOG_QUERY_NOT_INSTANT);
    return metricInstantQuery(ctx, req, reply, expr, time);
  });

  const volumeParams = (req: FastifyRequest, p: Params, start: Nanos, end: Nanos, signal: AbortSignal, budget: QueryBudget): Parameters<typeof volumeInstant>[1] => {
    const limitRaw = one(p, 'limit');
    if (limitRaw !== undefined && limitRaw !== '' && !/^\d+$/.test(limitRaw)) {
      throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter limit: ${JSON.stringify(limitRaw)} is not a non-negative integer`);
    }
    const aggregateBy = one(p, 'aggregateBy') || 'series';
    if (aggregateBy !== 'series' && aggregateBy !== 'labels') {
      throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter aggregateBy: ${JSON.stringify(aggregateBy)} is neither series nor labels`);
    }
    const target = (one(p, 'targetLabels') ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
    return {
      tenants: requestTenants(req),
      query: required(p, 'query'),
      start,
      end,
      limit: limitRaw ? Number(limitRaw) || 100 : 100,
      aggregateBy,
      ...(target.length ? { targetLabels: target } : {}),
      signal,
      budget,
    };
  };

  route('/loki/api/v1/index/volume', async (req, reply) => {
    const p = requestParams(req);
    const r = rangeParams({ ...p, limit: undefined }, ctx.config);
    const { res, secs } = await timed(ctx, reply, 'volume', requestTenants(req), (signal, budget) => volumeInstant(storageOf(ctx), volumeParams(req, p, r.start, r.end, signal, budget)));
    const t = unixSeconds(r.end);
    const result = res.samples.map((s) => ({ metric: s.labels, value: [t, formatValue(s.value)] }));
    return { status: 'success', data: { resultType: 'vector', result, stats: lokiStats(metricStats(res.stats, result.length), secs) } };
  });

  route('/loki/api/v1/index/volume_range', async (req, reply) => {
    const p = requestParams(req);
    const r = rangeParams({ ...p, limit: undefined }, ctx.config);
    const step = stepParam(p, r.start, r.end);
    const { res, secs } = await timed(ctx, reply, 'volume', requestTenants(req), (signal, budget) => volumeRange(storageOf(ctx), volumeParams(req, p, r.start, r.end, signal, budget), step));
    return matrixBody(res.series, res.stats, secs);
  });

  const labelNames = async (req: FastifyRequest): Promise<unknown> => {
    const p = requestParams(req);
    const { start, end } = metaRange(p, ctx);
    const q = one(p, 'query');
    const streams = await selectStreams(ctx, req, q ? [q] : [], start, end);
    const names = new Set<string>();
    for (const s of streams) for (const k of Object.keys(s.labels)) names.add(k);
    return { status: 'success', data: [...names].sort() };
  };
  route('/loki/api/v1/labels', labelNames);
  route('/loki/api/v1/label', labelNames);

  route('/loki/api/v1/label/:name/values', async (req) => {
    const p = requestParams(req);
    const name = (req.params as { name: string }).name;
    const { start, end } = metaRange(p, ctx);
    const q = one(p, 'query');
    const streams = await selectStreams(ctx, req, q ? [q] : [], start, end);
    const values = new Set<string>();
    const withoutOwnLevel: StreamInfo[] = [];
    for (const s of streams) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
      else if (name === 'level') withoutOwnLevel.push(s);
    }
    // `level` is also the detected level column of streams without a level label.
    if (name === 'level' && withoutOwnLevel.length > 0) {
      const storage = storageOf(ctx);
      for (const tenant of requestTenants(req)) {
        const ids = withoutOwnLevel.filter((s) => s.tenant === tenant).map((s) => s.id);
        if (ids.length) for (const l of await storage.levels(tenant, ids, start, end)) values.add(l);
      }
    }
    return { status: 'success', data: [...values].sort() };
  });

  route('/loki/api/v1/series', async (req) => {
    const p = requestParams(req);
    const { start, end } = metaRange(p, ctx);
    const selectors = many(p, 'match[]').concat(many(p, 'match'));
    const streams = await selectStreams(ctx, req, selectors, start, end);
    return { status: 'success', data: streams.map((s) => s.labels) };
  });

  route('/loki/api/v1/index/stats', async (req) => {
    const p = requestParams(req);
    const { start, end } = metaRange(p, ctx);
    const plans = compileSelector(required(p, 'query'));
    const storage = storageOf(ctx);
    const total = { streams: 0, chunks: 0, bytes: 0, entries: 0 };
    for (const tenant of requestTenants(req)) {
      const streams = flatten(await resolveStreams(storage, tenant, plans, start, end + 1n));
      const s = await storage.stats(tenant, streams.map((x) => x.id), start, end + 1n);
      total.streams += s.streams;
      total.chunks += s.chunks;
      total.bytes += s.bytes;
      total.entries += s.entries;
    }
    return total;
  });

  app.get('/loki/api/v1/status/buildinfo', async () => ({
    version: ctx.version,
    revision: 'logsentinel',
    branch: 'main',
    buildUser: '',
    buildDate: '',
    goVersion: '',
  }));
}
