/**
 * Ruler routes, as Loki serves them (https://grafana.com/docs/loki/latest/reference/loki-http-api/#ruler):
 * - `GET /prometheus/api/v1/rules`, `GET /prometheus/api/v1/alerts`: Prometheus' JSON shapes
 *   (https://prometheus.io/docs/prometheus/latest/querying/api/#rules), for Grafana.
 * - `GET|POST|DELETE /loki/api/v1/rules[/{namespace}[/{group}]]` (and the legacy `/api/prom/rules`):
 *   YAML in and out; POST and DELETE answer 202 with `{"status":"success",...}`; a missing
 *   namespace or group is a 404 with a plain-text reason; an invalid group a 400 naming the rule.
 * The tenant is `X-Scope-OrgID` (resolved and checked by src/api/auth-resolver.ts); rule edits are written to the rule store (the rules directory, or
 * PostgreSQL in cluster mode, where other rulers follow within a poll) and applied here at once.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Alerting } from '../../alerting/index.js';
import { requestTenant, requestTenants } from '../auth-resolver.js';
import { LogSentinelError } from '../../errors.js';
import { formatYaml, parseGroupYaml } from '../../alerting/rule-file.js';
import { RuleNotFoundError } from '../../alerting/rule-store.js';
import type { ActiveAlert } from '../../alerting/alert.js';
import { CRITICAL_ALERT_NAME } from '../../alerting/critical-alerter.js';
import type { GroupRuntime, RuleRuntime } from '../../alerting/ruler.js';
import { matchesLabels, parseLogSelector } from '../../logql/index.js';

/** Prometheus prints sample values with Go's shortest float formatting. */
function formatSampleValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : '-Inf';
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's strconv.FormatFloat(v, 'e', -1, 64), as Prometheus prints an alert's value. */
export function formatAlertValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

function iso(ms: number | undefined): string {
  return ms === undefined ? ZERO_TIME : new Date(ms).toISOString();
}

function alertJson(a: ActiveAlert): Record<string, unknown> {
  return { labels: a.labels, annotations: a.annotations, state: a.state, activeAt: iso(a.activeAtMs), value: formatAlertValue(a.value) };
}

function ruleJson(g: GroupRuntime, r: RuleRuntime): Record<string, unknown> {
  const common = {
    name: r.rule.name,
    query: r.rule.expr,
    labels: r.rule.labels,
    health: r.health,
    lastError: r.lastError,
    lastEvaluation: iso(r.lastEvaluationMs),
    evaluationTime: r.evaluationTimeS,
  };
  if (r.rule.kind === 'record') return { ...common, type: 'recording' };
  void g;
  return {
    state: r.alerts!.state(),
    ...common,
    duration: r.rule.forMs / 1000,
    keepFiringFor: r.rule.keepFiringForMs / 1000,
    annotations: r.rule.annotations,
    alerts: r.alerts!.current().map(alertJson),
    type: 'alerting',
  };
}

function accepted(reply: FastifyReply): FastifyReply {
  return reply.status(202).send({ status: 'success', data: null, errorType: '', error: '' });
}

function yaml(reply: FastifyReply, v: unknown): FastifyReply {
  return reply.type('application/yaml').send(formatYaml(v));
}

export async function rulesRoutes(app: FastifyInstance, ctx: AppContext, alerting: () => Alerting | undefined): Promise<void> {
  // Rule groups arrive as YAML (Content-Type application/yaml, or anything else): keep the text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

  const need = (): Alerting => {
    const a = alerting();
    if (!a) throw new LogSentinelError('NOT_READY', 'cannot serve rules: the ruler is not running');
    return a;
  };

  app.get('/prometheus/api/v1/rules', async (req) => {
    const a = need();
    const tenants = requestTenants(req);
    const type = (req.query as Record<string, string | undefined>).type;
    const keep = (r: RuleRuntime): boolean => !type || (type === 'alert' ? r.rule.kind === 'alert' : type === 'record' ? r.rule.kind === 'record' : true);
    const groups: Array<Record<string, unknown>> = (a.ruler?.list(tenants) ?? []).map((g) => ({
      name: g.name,
      file: g.namespace,
      rules: g.rules.filter(keep).map((r) => ruleJson(g, r)),
      interval: g.intervalMs / 1000,
      limit: g.limit,
      lastEvaluation: iso(g.lastEvaluationMs),
      evaluationTime: g.evaluationTimeS,
    }));
    if (a.critical && type !== 'record') {
      const alerts = a.critical.firing(tenants);
      groups.push({
        name: 'critical-log-entries',
        file: 'logsentinel',
        rules: [
          {
            state: alerts.length > 0 ? 'firing' : 'inactive',
            name: CRITICAL_ALERT_NAME,
            query: `built-in: entries at level ${[...a.levels].join('|')}, evaluated on ingest`,
            duration: 0,
            keepFiringFor: 0,
            labels: { severity: 'critical' },
            annotations: {},
            alerts: alerts.map(alertJson),
            health: 'ok',
            lastError: '',
            type: 'alerting',
            lastEvaluation: ZERO_TIME,
            evaluationTime: 0,
          },
        ],
        interval: 0,
        limit: 0,
        lastEvaluation: ZERO_TIME,
        evaluationTime: 0,
      });
    }
    return { status: 'success', data: { groups }, errorType: '', error: '' };
  });

  app.get('/prometheus/api/v1/alerts', async (req) => {
    const a = need();
    const tenants = requestTenants(req);
    const alerts: Array<Record<string, unknown>> = [];
    for (const g of a.ruler?.list(tenants) ?? []) for (const r of g.rules) for (const al of r.alerts?.current() ?? []) alerts.push(alertJson(al));
    for (const al of a.critical?.firing(tenants) ?? []) alerts.push(alertJson(al));
    // New log patterns (patterns.alert.enabled, docs/patterns.md).
    for (const al of a.newPattern?.firing(tenants) ?? []) alerts.push(alertJson(al));
    return { status: 'success', data: { alerts }, errorType: '', error: '' };
  });

  // Recording rule results, queryable like Prometheus' instant query API — limited to selecting
  // recorded series: `name` or `name{label="v", other=~"re"}` (no PromQL functions).
  const queryRecorded = async (req: FastifyRequest): Promise<unknown> => {
    const a = need();
    const params = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
    const query = ((req.query as Record<string, string | undefined>).query ?? params.get('query') ?? '').trim();
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{.*\})?$/s.exec(query);
    if (!m) {
      throw new LogSentinelError('INVALID_PARAMETER', `cannot run query ${JSON.stringify(query)}: only a recorded series selector is supported here, like name or name{label="value"}`);
    }
    const matchers = m[2] && m[2].replace(/\s/g, '') !== '{}' ? parseLogSelector(m[2]).matchers : [];
    const tenants = new Set(requestTenants(req));
    const now = Date.now() / 1000;
    const result = a.recorded
      .latest(m[1])
      .filter((s) => tenants.has(s.labels.tenant ?? '') && matchesLabels(matchers, s.labels))
      .map((s) => ({ metric: { __name__: m[1], ...s.labels }, value: [now, formatSampleValue(s.value)] }));
    return { status: 'success', data: { resultType: 'vector', result } };
  };
  app.get('/prometheus/api/v1/query', queryRecorded);
  app.post('/prometheus/api/v1/query', queryRecorded);

  const listRules = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const a = need();
    const tenant = requestTenant(req);
    const { namespace } = req.params as { namespace?: string };
    const { namespaces, errors } = await a.store.load(tenant);
    for (const e of errors) req.log.warn({ err: e.message }, 'rule file rejected');
    const out: Record<string, unknown[]> = {};
    for (const ns of namespaces) if (namespace === undefined || ns.namespace === namespace) out[ns.namespace] = ns.groups.map((g) => g.spec);
    if (Object.keys(out).length === 0) return reply.status(404).type('text/plain; charset=utf-8').send('no rule groups found\n');
    return yaml(reply, out);
  };

  const getGroup = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const a = need();
    const tenant = requestTenant(req);
    const { namespace, group } = req.params as { namespace: string; group: string };
    const { namespaces } = await a.store.load(tenant);
    const g = namespaces.find((ns) => ns.namespace === namespace)?.groups.find((x) => x.name === group);
    if (!g) throw new LogSentinelError('NOT_FOUND', `cannot get rule group ${JSON.stringify(group)} of namespace ${JSON.stringify(namespace)}: group does not exist`);
    return yaml(reply, g.spec);
  };

  const setGroup = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const a = need();
    const tenant = requestTenant(req);
    const { namespace } = req.params as { namespace: string };
    const body = typeof req.body === 'string' ? req.body : '';
    let group;
    try {
      group = parseGroupYaml(body);
    } catch (err) {
      throw new LogSentinelError('BAD_REQUEST', (err as Error).message);
    }
    await a.store.setGroup(tenant, namespace, group);
    await a.ruler?.reload();
    return accepted(reply);
  };

  const del = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const a = need();
    const tenant = requestTenant(req);
    const { namespace, group } = req.params as { namespace: string; group?: string };
    try {
      if (group === undefined) await a.store.deleteNamespace(tenant, namespace);
      else await a.store.deleteGroup(tenant, namespace, group);
    } catch (err) {
      if (err instanceof RuleNotFoundError) throw new LogSentinelError('NOT_FOUND', err.message);
      throw err;
    }
    await a.ruler?.reload();
    return accepted(reply);
  };

  for (const base of ['/loki/api/v1/rules', '/api/prom/rules']) {
    app.get(base, listRules);
    app.get(`${base}/:namespace`, listRules);
    app.get(`${base}/:namespace/:group`, getGroup);
    app.post(`${base}/:namespace`, setGroup);
    app.delete(`${base}/:namespace`, del);
    app.delete(`${base}/:namespace/:group`, del);
  }
  void ctx;
}
