/**
 * Loki 3's "detected" metadata API, which Grafana 11–12's Loki data source and the Logs
 * Drilldown app call (docs/grafana.md):
 * - `GET /loki/api/v1/detected_labels?query=&start=&end=` → `{"detectedLabels":[{label, cardinality}]}`
 * - `GET /loki/api/v1/detected_fields?query=&start=&end=&line_limit=&limit=` →
 *   `{"fields":[{label, type, cardinality, parsers, jsonPath?}], "limit": N}`
 * - `GET /loki/api/v1/detected_field/<name>/values?...` → `{"values":[...], "limit": N}`
 * As in Loki, an answer with nothing in it is `{}` (the lists and `limit` are omitted when
 * empty). POST with a form body is accepted too, as for every Loki read route here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { requestTenants } from '../auth-resolver.js';
import { one, rangeParams, requestParams, required, stepParam, type Params } from '../params.js';
import { storageOf, withQueryLimits } from './query.js';
import { LogSentinelError } from '../../errors.js';
import { parseExpr } from '../../logql/index.js';
import { planBoth } from '../../query/compile.js';
import { resolveStreams, runLogQuery } from '../../query/log-query.js';
import { detectLabels } from '../../query/detected/labels.js';
import { FieldDetector, type SampleStream } from '../../query/detected/fields.js';
import type { Labels } from '../../model/labels.js';
import type { Nanos } from '../../model/entry.js';

/** Loki's defaults (pkg/loghttp/params.go): `line_limit` 100 lines, `limit` 1000 fields or values. */
const DEFAULT_LINE_LIMIT = 100;
const DEFAULT_FIELD_LIMIT = 1000;

function positiveInt(p: Params, names: readonly string[], def: number): number {
  let name = names[0];
  let raw: string | undefined;
  for (const n of names) {
    raw = one(p, n);
    name = n;
    if (raw !== undefined && raw !== '') break;
  }
  if (raw === undefined || raw === '') return def;
  if (!/^[+-]?\d+$/.test(raw)) throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter ${name}: ${JSON.stringify(raw)} is not an integer`);
  const n = Number(raw);
  if (n <= 0) throw new LogSentinelError('INVALID_PARAMETER', 'limit must be a positive value');
  return n;
}

interface DetectParams {
  query: string;
  start: Nanos;
  end: Nanos;
  lineLimit: number;
  limit: number;
}

function detectParams(ctx: AppContext, p: Params): DetectParams {
  const query = required(p, 'query');
  // Loki's bounds: end = now, start = end - since (default 1h); the range is inclusive of end.
  const r = rangeParams({ ...p, limit: undefined }, ctx.config);
  const lineLimit = positiveInt(p, ['line_limit'], DEFAULT_LINE_LIMIT);
  const max = ctx.config.query.maxEntriesLimit;
  if (lineLimit > max) throw new LogSentinelError('QUERY_LIMIT', `max entries limit per query exceeded, limit > max_entries_limit (${lineLimit} > ${max})`);
  // `field_limit` is the older name Loki still reads when `limit` is absent.
  const limit = positiveInt(p, ['limit', 'field_limit'], DEFAULT_FIELD_LIMIT);
  // Loki validates `step` (unused here) as for query_range.
  const step = stepParam(p, r.start, r.end);
  if ((r.end - r.start) / step > 11000n) {
    throw new LogSentinelError('INVALID_PARAMETER', 'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter');
  }
  return { query, start: r.start, end: r.end, lineLimit, limit };
}

/**
 * Reads the newest `lineLimit` entries of the query (grouped by stream labels, metadata and
 * parsed labels apart) and runs `detect` over them, both within the query limits (a slot, the
 * timeout, the memory budget).
 */
async function detect<T>(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, d: DetectParams, f: (streams: SampleStream[]) => T): Promise<T> {
  const expr = parseExpr(d.query);
  // Loki reads the query with syntax.ParseLogSelector, which refuses metric queries so.
  if (expr.type !== 'log_selector') throw new LogSentinelError('INVALID_PARAMETER', 'only log selector is supported');
  const plans = planBoth(expr);
  const tenants = requestTenants(req);
  return withQueryLimits(
    ctx,
    reply,
    async (signal, budget) => {
      const res = await runLogQuery(storageOf(ctx), plans, { tenants, start: d.start, end: d.end + 1n, limit: d.lineLimit, direction: 'backward', signal, budget }, { categorize: true });
      budget.check();
      return f(res.streams.map((s) => ({ streamLabels: s.streamLabels, entries: s.entries })));
    },
    tenants,
  );
}

/** Label sets of the request's tenants' streams matching the selector (all streams without one). */
async function selectedStreams(ctx: AppContext, req: FastifyRequest, query: string | undefined, start: Nanos, end: Nanos): Promise<Labels[]> {
  const storage = storageOf(ctx);
  let plans: ReturnType<typeof planBoth> | undefined;
  if (query) {
    const expr = parseExpr(query);
    // Loki reads this parameter with syntax.ParseMatchers: a bare selector, nothing after it.
    if (expr.type !== 'log_selector' || expr.stages.length > 0) throw new LogSentinelError('INVALID_PARAMETER', 'only label matchers are supported');
    plans = planBoth(expr);
  }
  const out: Labels[] = [];
  for (const tenant of requestTenants(req)) {
    if (!plans) {
      for (const s of await storage.streams(tenant, start, end)) out.push(s.labels);
      continue;
    }
    const r = await resolveStreams(storage, tenant, plans, start, end);
    for (const s of r.column) out.push(s.labels);
    for (const s of r.label) out.push(s.labels);
  }
  return out;
}

export async function detectedRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const route = (path: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void => {
    app.get(path, handler);
    app.post(path, handler);
  };

  route('/loki/api/v1/detected_labels', async (req) => {
    const p = requestParams(req);
    const r = rangeParams({ ...p, limit: undefined }, ctx.config);
    const streams = await selectedStreams(ctx, req, one(p, 'query'), r.start, r.end + 1n);
    const detectedLabels = detectLabels(streams);
    return detectedLabels.length > 0 ? { detectedLabels } : {};
  });

  route('/loki/api/v1/detected_fields', async (req, reply) => {
    const d = detectParams(ctx, requestParams(req));
    const fields = await detect(ctx, req, reply, d, (streams) => new FieldDetector().fields(streams, d.limit));
    return fields.length > 0 ? { fields, limit: d.limit } : {};
  });

  route('/loki/api/v1/detected_field/:name/values', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    const d = detectParams(ctx, requestParams(req));
    const values = await detect(ctx, req, reply, d, (streams) => new FieldDetector().values(streams, name, d.limit));
    return values.length > 0 ? { values, limit: d.limit } : {};
  });
}
