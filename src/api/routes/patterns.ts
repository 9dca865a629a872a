/**
 * `GET|POST /loki/api/v1/patterns` — the log patterns of the streams a selector picks, with their
 * counts over time, in Loki's shape (Loki's pattern querier; Grafana Logs Drilldown's Patterns
 * tab and Explore call it):
 *
 *   {"status":"success","data":[{"pattern":"<_> level=error msg=<_>","level":"error",
 *                                "samples":[[1711839260,12],[1711839270,3]]}]}
 *
 * Parameters: `query` (a stream selector; a pipeline after it is ignored, as the miner knows
 * streams, not parsed labels), `start`/`end`/`since` as Loki's query API takes them, `step`
 * (default Loki's range step; never below `patterns.bucket`). Samples are `[unix seconds, count]`,
 * ascending; series are sorted by total count, largest first, at most MAX_SERIES.
 *
 * Patterns are mined in the process that commits (src/patterns): embedded mode only. A cluster
 * role, or `patterns.enabled: false`, answers 501 with the reason.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { LogSentinelError } from '../../errors.js';
import { parseExpr, matchesLabels } from '../../logql/index.js';
import { requestTenants } from '../auth-resolver.js';
import { rangeParams, requestParams, required, stepParam } from '../params.js';
import type { PatternMiner, PatternSeries } from '../../patterns/index.js';

const MAX_SERIES = 1000;

function minerOf(ctx: AppContext): PatternMiner {
  if (ctx.patterns) return ctx.patterns;
  if (!ctx.config.patterns.enabled) throw new LogSentinelError('NOT_IMPLEMENTED', 'cannot serve patterns: log patterns are disabled (patterns.enabled is false)');
  if (ctx.storage && !ctx.queue) throw new LogSentinelError('NOT_IMPLEMENTED', 'cannot serve patterns: log patterns are mined by the embedded mode only (logsentinel serve); this cluster role does not mine them');
  if (!ctx.ready()) throw new LogSentinelError('NOT_READY', 'cannot serve patterns: the server is still starting', { retryAfter: 1 });
  throw new LogSentinelError('NOT_IMPLEMENTED', 'cannot serve patterns: log patterns are mined by the embedded mode only (logsentinel serve); this role does not mine them');
}

export async function patternsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const handler = async (req: FastifyRequest): Promise<{ status: 'success'; data: PatternSeries[] }> => {
    const p = requestParams(req);
    const expr = parseExpr(required(p, 'query'));
    if (expr.type !== 'log_selector') throw new LogSentinelError('INVALID_PARAMETER', 'cannot serve patterns: query must be a stream selector such as {service_name="api"}, not a metric query');
    const r = rangeParams({ ...p, limit: undefined }, ctx.config);
    const stepMs = Number(stepParam(p, r.start, r.end) / 1_000_000n);
    const miner = minerOf(ctx);
    const tenants = requestTenants(req);
    const data = miner.query(tenants, (labels) => matchesLabels(expr.matchers, labels), Number(r.start / 1_000_000n), Number(r.end / 1_000_000n), stepMs, MAX_SERIES);
    return { status: 'success', data };
  };
  app.get('/loki/api/v1/patterns', handler);
  app.post('/loki/api/v1/patterns', handler);
}
