/**
 * `POST /logs/query` — a simple JSON search for scripts:
 * `{service?, level?, contains?, start?, end?, limit?, direction?}` → matching entries, newest
 * first. `level` is one level or a list; `contains` a substring or a list (all must match).
 * Times take every form Loki's API takes (ns, seconds, RFC3339).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { requestTenants } from '../auth-resolver.js';
import { rangeParams, type Params } from '../params.js';
import type { LogSelectorExpr, Stage } from '../../logql/index.js';
import { planBoth } from '../../query/compile.js';
import { runLogQuery } from '../../query/log-query.js';
import { LogSentinelError } from '../../errors.js';
import { isLevel, LEVELS } from '../../model/level.js';
import { formatRfc3339Nano } from '../../query/time.js';
import { storageOf, withQueryLimits, lokiStats } from './query.js';

interface SearchBody {
  service?: unknown;
  level?: unknown;
  contains?: unknown;
  start?: unknown;
  end?: unknown;
  since?: unknown;
  limit?: unknown;
  direction?: unknown;
}

function strings(name: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const s of list) {
    if (typeof s !== 'string') throw new LogSentinelError('BAD_REQUEST', `cannot run search: field ${name} must be a string or a list of strings`);
  }
  return list as string[];
}

function scalar(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new LogSentinelError('BAD_REQUEST', `cannot run search: field ${name} must be a string or a number`);
}

export async function searchRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/logs/query', async (req, reply) => {
    const body = (req.body ?? {}) as SearchBody;
    if (typeof body !== 'object' || Array.isArray(body)) throw new LogSentinelError('BAD_REQUEST', 'cannot run search: body must be a JSON object');
    const known = new Set(['service', 'level', 'contains', 'start', 'end', 'since', 'limit', 'direction']);
    for (const k of Object.keys(body)) if (!known.has(k)) throw new LogSentinelError('BAD_REQUEST', `cannot run search: unknown field ${JSON.stringify(k)} (known: ${[...known].join(', ')})`);
    const services = strings('service', body.service);
    const levels = strings('level', body.level).map((l) => l.toLowerCase());
    for (const l of levels) if (!isLevel(l)) throw new LogSentinelError('BAD_REQUEST', `cannot run search: level ${JSON.stringify(l)} is not one of ${LEVELS.join(', ')}`);
    const p: Params = {
      start: scalar('start', body.start),
      end: scalar('end', body.end),
      since: scalar('since', body.since),
      limit: scalar('limit', body.limit),
      direction: scalar('direction', body.direction),
    };
    const range = rangeParams(p, ctx.config);
    const expr: LogSelectorExpr = { type: 'log_selector', matchers: [], stages: [] };
    if (services.length === 1) expr.matchers.push({ name: 'service', op: '=', value: services[0] });
    else if (services.length > 1) expr.matchers.push({ name: 'service', op: '=~', value: services.map(escapeRe).join('|') });
    if (levels.length > 0) expr.matchers.push({ name: 'level', op: '=~', value: levels.join('|') });
    for (const c of strings('contains', body.contains)) expr.stages.push({ type: 'line_filter', op: '|=', values: [c] } as Stage);
    const plans = planBoth(expr);
    const tenants = requestTenants(req);
    const t0 = performance.now();
    const res = await withQueryLimits(ctx, reply, (signal, budget) => runLogQuery(storageOf(ctx), plans, { tenants, ...range, end: range.end + 1n, signal, budget }), tenants);
    const entries = res.streams
      .flatMap((s) => s.entries.map((e) => ({ s, e })))
      .sort((a, b) => (range.direction === 'backward' ? (a.e.ts < b.e.ts ? 1 : -1) : a.e.ts < b.e.ts ? -1 : 1))
      .map(({ s, e }) => ({
        timestamp: formatRfc3339Nano(e.ts),
        ts: e.ts.toString(),
        labels: s.streamLabels,
        level: e.structuredMetadata.level ?? s.streamLabels.level ?? 'unknown',
        line: e.line,
        metadata: withoutLevel(e.structuredMetadata),
      }));
    const secs = (performance.now() - t0) / 1000;
    return { status: 'success', data: { entries, stats: lokiStats(res.stats, secs).summary } };
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function withoutLevel(m: Record<string, string>): Record<string, string> {
  const { level: _level, ...rest } = m;
  return rest;
}
