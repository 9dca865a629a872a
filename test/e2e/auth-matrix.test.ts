/**
 * The authorization matrix over every route (issue 11): each push protocol, every query API,
 * the live tail's WebSocket, the overview, rules read and write, alerts, recording-rule queries
 * and the admin API, each with no credential, a wrong tenant (also `a|b` with one part outside),
 * a wrong scope, a revoked token, an expired token and the right credential — the expected status
 * for each, in the embedded mode (`serve`) and in the cluster roles (ingest, query and ruler pods
 * over a real Redis and PostgreSQL).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, startServer, type ServerHandle } from './harness.js';
import { clusterUnavailable, useCluster } from './cluster-fixture.js';
import { adminCredentials, api, makeToken, wsStatus, type MadeToken } from './auth-helpers.js';

type Scope = 'logs:write' | 'logs:read' | 'rules:read' | 'rules:write' | 'admin';
type Pod = 'ingest' | 'query' | 'ruler';

interface Route {
  name: string;
  pod: Pod;
  method: string;
  path: string;
  type?: string;
  body?: string;
  ws?: boolean;
  scope: Scope;
  tenant: 'read' | 'write' | 'rules' | 'none';
  ok: number;
  /** What the right credential gets from a cluster pod, when it differs from `ok`. */
  okCluster?: number;
}

const now = (): string => String(BigInt(Date.now()) * 1_000_000n);
const q = (path: string, params: Record<string, string>): string => `${path}?${new URLSearchParams(params)}`;
const SEL = '{app="matrix"}';
const RULE = 'name: matrix\nrules:\n  - alert: MatrixAlert\n    expr: sum(count_over_time({app="matrix"}[1m])) > 1000000\n';

function routes(): Route[] {
  const loki = JSON.stringify({ streams: [{ stream: { app: 'matrix' }, values: [[now(), 'level=info matrix line']] }] });
  const otlp = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'matrix' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: now(), body: { stringValue: 'matrix otlp' } }] }] }] });
  const bulk = '{"index":{"_index":"matrix"}}\n{"message":"matrix bulk"}\n';
  const push = (name: string, path: string, type: string, body: string, ok: number): Route => ({ name, pod: 'ingest', method: 'POST', path, type, body, scope: 'logs:write', tenant: 'write', ok });
  const read = (name: string, path: string, extra: Partial<Route> = {}): Route => ({ name, pod: 'query', method: 'GET', path, scope: 'logs:read', tenant: 'read', ok: 200, ...extra });
  return [
    push('loki push', '/loki/api/v1/push', 'application/json', loki, 204),
    push('loki push (legacy path)', '/api/prom/push', 'application/json', loki, 204),
    push('OTLP /otlp/v1/logs', '/otlp/v1/logs', 'application/json', otlp, 200),
    push('OTLP /v1/logs', '/v1/logs', 'application/json', otlp, 200),
    push('Elasticsearch /_bulk', '/_bulk', 'application/x-ndjson', bulk, 200),
    push('Elasticsearch /<index>/_bulk', '/matrix/_bulk', 'application/x-ndjson', bulk, 200),
    push('JSON lines', '/api/v1/push/jsonlines', 'application/x-ndjson', '{"app":"matrix","message":"matrix jsonl"}\n', 204),
    { name: 'Elasticsearch probe /_license', pod: 'ingest', method: 'GET', path: '/_license', scope: 'logs:write', tenant: 'none', ok: 200 },
    // Loki 3 answers only metric queries on the instant endpoint.
    read('query', q('/loki/api/v1/query', { query: `count_over_time(${SEL}[5m])` })),
    read('query_range', q('/loki/api/v1/query_range', { query: SEL, since: '5m' })),
    read('labels', '/loki/api/v1/labels'),
    read('label values', '/loki/api/v1/label/app/values'),
    read('series', q('/loki/api/v1/series', { 'match[]': SEL })),
    read('index/stats', q('/loki/api/v1/index/stats', { query: SEL })),
    read('index/volume', q('/loki/api/v1/index/volume', { query: SEL })),
    read('index/volume_range', q('/loki/api/v1/index/volume_range', { query: SEL, since: '1h', step: '60' })),
    read('detected_labels', q('/loki/api/v1/detected_labels', { query: SEL })),
    read('detected_fields', q('/loki/api/v1/detected_fields', { query: SEL })),
    read('detected_field values', q('/loki/api/v1/detected_field/app/values', { query: SEL })),
    read('drilldown-limits', '/loki/api/v1/drilldown-limits'),
    read('format_query', q('/loki/api/v1/format_query', { query: SEL }), { tenant: 'none' }),
    // Patterns are mined by the embedded mode only: a query pod answers 501 once authorized.
    read('patterns', q('/loki/api/v1/patterns', { query: SEL, since: '1h' }), { okCluster: 501 }),
    read('tail (WebSocket)', q('/loki/api/v1/tail', { query: SEL }), { ws: true, ok: 101 }),
    read('/logs/query', '/logs/query', { method: 'POST', type: 'application/json', body: '{"service":"matrix"}' }),
    read('/api/v1/overview', '/api/v1/overview'),
    { name: 'rules read', pod: 'ruler', method: 'GET', path: '/loki/api/v1/rules', scope: 'rules:read', tenant: 'rules', ok: 200 },
    { name: 'rules read (group)', pod: 'ruler', method: 'GET', path: '/loki/api/v1/rules/matrix/matrix', scope: 'rules:read', tenant: 'rules', ok: 200 },
    { name: 'rules write', pod: 'ruler', method: 'POST', path: '/loki/api/v1/rules/matrix', type: 'application/yaml', body: RULE, scope: 'rules:write', tenant: 'rules', ok: 202 },
    { name: 'rules delete', pod: 'ruler', method: 'DELETE', path: '/loki/api/v1/rules/absent-namespace', scope: 'rules:write', tenant: 'rules', ok: 404 },
    { name: 'Prometheus rules', pod: 'ruler', method: 'GET', path: '/prometheus/api/v1/rules', scope: 'rules:read', tenant: 'read', ok: 200 },
    { name: 'alerts', pod: 'ruler', method: 'GET', path: '/prometheus/api/v1/alerts', scope: 'rules:read', tenant: 'read', ok: 200 },
    { name: 'recording-rule query', pod: 'ruler', method: 'GET', path: q('/prometheus/api/v1/query', { query: 'matrix:lines' }), scope: 'rules:read', tenant: 'read', ok: 200 },
    { name: 'admin: users', pod: 'query', method: 'GET', path: '/api/v1/auth/users', scope: 'admin', tenant: 'none', ok: 200 },
    { name: 'admin: tokens', pod: 'query', method: 'GET', path: '/api/v1/auth/tokens', scope: 'admin', tenant: 'none', ok: 200 },
    { name: 'admin: create token', pod: 'query', method: 'POST', path: '/api/v1/auth/tokens', type: 'application/json', body: '{"name":"matrix-made","scopes":["logs:read"],"tenants":["a"]}', scope: 'admin', tenant: 'none', ok: 201 },
  ];
}

/** A token lacking each scope (tenant a). */
const WRONG_SCOPE: Record<Scope, Scope> = { 'logs:write': 'logs:read', 'logs:read': 'logs:write', 'rules:read': 'logs:read', 'rules:write': 'rules:read', admin: 'rules:write' };

interface Tokens {
  right: Record<Scope, string>;
  wrong: Record<Scope, string>;
  revoked: string;
  expired: string;
}

async function prepare(adminUrl: string, adminToken: string): Promise<Tokens> {
  const mk = (name: string, scopes: Scope[], tenants: string[] | '*', ttl?: string): Promise<MadeToken> => makeToken(adminUrl, adminToken, { name, scopes, tenants, ...(ttl ? { ttl } : {}) });
  const right = {} as Record<Scope, string>;
  for (const s of ['logs:write', 'logs:read', 'rules:read', 'rules:write'] as const) right[s] = (await mk(`right-${s.replace(':', '-')}`, [s], ['a'])).token;
  right.admin = (await mk('right-admin', ['admin'], '*')).token;
  const wrong = {} as Record<Scope, string>;
  for (const [s, other] of Object.entries(WRONG_SCOPE) as Array<[Scope, Scope]>) wrong[s] = other === 'admin' ? right.admin : right[other];
  const expired = await mk('expired', ['admin'], '*', '1s');
  const revoked = await mk('revoked', ['admin'], '*');
  assert.equal((await api(adminUrl, adminToken, 'DELETE', `/api/v1/auth/tokens/${revoked.id}`)).status, 204);
  const left = Date.parse(expired.expiresAt!) - Date.now();
  if (left > -1) await new Promise((r) => setTimeout(r, left + 50));
  return { right, wrong, revoked: revoked.token, expired: expired.token };
}

async function status(base: string, r: Route, headers: Record<string, string>): Promise<number> {
  if (r.ws) return wsStatus(base + r.path, headers);
  const res = await fetch(base + r.path, { method: r.method, headers: { ...(r.type ? { 'Content-Type': r.type } : {}), ...headers }, body: r.body });
  await res.arrayBuffer();
  return res.status;
}

/** Runs every route × credential case; resolves the mismatches ("route / case: got X, want Y"). */
async function matrix(pods: Record<Pod, string>, t: Tokens, cluster = false): Promise<{ mismatches: string[]; cases: number }> {
  const mismatches: string[] = [];
  let cases = 0;
  for (const r of routes()) {
    const base = pods[r.pod];
    const bearer = (token: string, tenant?: string): Record<string, string> => ({ Authorization: `Bearer ${token}`, ...(tenant !== undefined ? { 'X-Scope-OrgID': tenant } : {}) });
    const rightTenant = r.tenant === 'none' ? undefined : 'a';
    const rows: Array<[string, Record<string, string>, number]> = [
      ['no credential', {}, 401],
      ['wrong scope', bearer(t.wrong[r.scope], rightTenant), 403],
      ['revoked token', bearer(t.revoked, rightTenant), 401],
      ['expired token', bearer(t.expired, rightTenant), 401],
      ['right credential', bearer(t.right[r.scope], rightTenant), cluster ? (r.okCluster ?? r.ok) : r.ok],
    ];
    if (r.tenant !== 'none') rows.splice(1, 0, ['wrong tenant', bearer(t.right[r.scope], 'b'), 403]);
    if (r.tenant === 'read') rows.splice(2, 0, ['wrong tenant a|b', bearer(t.right[r.scope], 'a|b'), 403]);
    for (const [what, headers, want] of rows) {
      cases++;
      const got = await status(base, r, headers);
      if (got !== want) mismatches.push(`${r.name} (${r.method} ${r.path.split('?')[0]} on ${r.pod}) / ${what}: got ${got}, want ${want}`);
    }
  }
  return { mismatches, cases };
}

describe('authorization matrix, embedded (serve)', () => {
  it('every route × every credential case answers as expected', { timeout: 120_000 }, async () => {
    const admin = adminCredentials();
    const s: ServerHandle = await startServer({ auth: true, env: admin.env });
    try {
      const t = await prepare(s.url, admin.token);
      assert.equal((await fetch(s.url + '/loki/api/v1/rules/matrix', { method: 'POST', headers: { Authorization: `Bearer ${admin.token}`, 'X-Scope-OrgID': 'a', 'Content-Type': 'application/yaml' }, body: RULE })).status, 202);
      const { mismatches, cases } = await matrix({ ingest: s.url, query: s.url, ruler: s.url }, t);
      assert.deepEqual(mismatches, [], `${mismatches.length} of ${cases} cases`);
      assert.ok(cases > 150, `${cases} cases ran`);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });
});

const clusterSkip = await clusterUnavailable();

describe('authorization matrix, cluster roles', { skip: clusterSkip }, () => {
  const admin = adminCredentials();
  const cluster = useCluster('authmx', admin.env);
  it('every route × every credential case answers as expected on the ingest, query and ruler pods', { timeout: 180_000 }, async () => {
    const query = await cluster.start('query', undefined, { auth: true });
    const [ingest, ruler] = await Promise.all([cluster.start('ingest', undefined, { auth: true }), cluster.start('ruler', undefined, { auth: true })]);
    const t = await prepare(query.url, admin.token);
    assert.equal((await fetch(ruler.url + '/loki/api/v1/rules/matrix', { method: 'POST', headers: { Authorization: `Bearer ${admin.token}`, 'X-Scope-OrgID': 'a', 'Content-Type': 'application/yaml' }, body: RULE })).status, 202);
    const { mismatches, cases } = await matrix({ ingest: ingest.url, query: query.url, ruler: ruler.url }, t, true);
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${cases} cases`);
  });
});
