/**
 * The resolver over the whole server (Fastify inject, a real DuckDB store and credentials store):
 * every protocol answers 401/403 in its own shape, scopes and tenant sets are enforced before any
 * route runs, simple content types are refused on state-changing routes, cookie sessions need the
 * CSRF token for writes, and nothing is served before the credentials store is open.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildServer } from './server.js';
import type { AppContext } from './context.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { Semaphore } from '../query/semaphore.js';
import { ingestLimits } from '../modules.js';
import { TailHub } from '../query/tail/index.js';
import { GroupCommitQueue } from '../queue/group-commit.js';
import { registerSecret } from '../testing/secrets.js';
import { AuthAdmin, type Actor } from '../auth/admin.js';
import { AuditTrail } from '../auth/audit.js';
import { AuthService } from '../auth/auth-service.js';
import { authFixture, type AuthFixture } from '../auth/testing/fixture.js';
import { checkRouteTable } from './route-scopes.js';

const basic = (user: string, pass: string): string => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
const PUSH_BODY = JSON.stringify({ streams: [{ stream: { app: 'x' }, values: [[String(Date.now() * 1e6), 'hello']] }] });

function context(f: AuthFixture | undefined, over: Partial<AppContext> = {}, env: Record<string, string> = {}): AppContext {
  const config = loadConfig({ env });
  const queue = new GroupCommitQueue({ maxBatchEntries: 1000, maxBatchDelayMs: 0, maxQueuedEntries: 10_000 });
  if (f) queue.consume((b) => f.storage.write(b));
  return {
    config,
    logger: createLogger('silent'),
    metrics: createMetrics(),
    limits: ingestLimits(config),
    querySlots: new Semaphore(4),
    ready: () => true,
    tailHub: new TailHub(),
    version: 'test',
    storage: f?.storage,
    queue,
    auth: f?.svc,
    ...over,
  };
}

describe('auth resolver', () => {
  let f: AuthFixture;
  let app: FastifyInstance;
  const tok: Record<string, string> = {};
  let password = '';
  before(async () => {
    f = await authFixture();
    app = await buildServer(context(f), { ingest: true, query: true, rules: () => undefined });
    const admin = new AuthAdmin(f.svc);
    const actor: Actor = { principal: { kind: 'user', id: 'root', name: 'root', scopes: ['admin'], tenants: '*', defaultTenant: 'default' }, ip: '127.0.0.1' };
    const make = async (name: string, scopes: string[], tenants: string[] | '*'): Promise<void> => {
      tok[name] = (await admin.createToken({ name, scopes, tenants }, actor)).token;
      registerSecret(tok[name]);
    };
    await make('writer', ['logs:write'], ['a']);
    await make('reader', ['logs:read', 'rules:read'], ['a', 'b']);
    await make('admin', ['admin'], '*');
    password = 'resolver-' + Math.random().toString(36).slice(2);
    registerSecret(password);
    await admin.createUser({ name: 'ui', password, scopes: ['logs:read', 'logs:write', 'rules:read', 'rules:write'], tenants: ['a'] }, actor);
  });
  after(async () => {
    await app.close();
    await f.close();
  });

  const inject = async (o: InjectOptions): Promise<{ status: number; body: string; headers: Record<string, unknown> }> => {
    const r = await app.inject(o);
    return { status: r.statusCode, body: r.body, headers: r.headers };
  };

  it('answers a missing credential with 401 in each protocol\'s shape, with WWW-Authenticate', async () => {
    const f1 = async (o: InjectOptions, type: RegExp, body: RegExp): Promise<void> => {
      const r = await inject(o);
      assert.equal(r.status, 401, `${o.url}: ${r.body}`);
      assert.equal(r.headers['www-authenticate'], 'Bearer realm="logsentinel"');
      assert.match(String(r.headers['content-type']), type, String(o.url));
      assert.match(r.body, body, String(o.url));
    };
    const none = /no credentials \(send a bearer token, basic auth or log in\)/;
    await f1({ method: 'GET', url: '/loki/api/v1/labels' }, /^text\/plain/, /^cannot query logs: no credentials/);
    await f1({ method: 'POST', url: '/loki/api/v1/push', headers: { 'content-type': 'application/json' }, payload: PUSH_BODY }, /^text\/plain/, /^cannot push logs: no credentials/);
    await f1({ method: 'POST', url: '/otlp/v1/logs', headers: { 'content-type': 'application/json' }, payload: '{}' }, /^application\/json/, /"code":16,"message":"cannot push logs: no credentials/);
    await f1({ method: 'POST', url: '/_bulk', headers: { 'content-type': 'application/x-ndjson' }, payload: '{}\n' }, /^application\/json/, /"type":"security_exception","reason":"cannot push logs: no credentials/);
    await f1({ method: 'GET', url: '/' }, /^application\/json/, /"security_exception"/);
    await f1({ method: 'GET', url: '/api/v1/overview' }, /^application\/json/, /^\{"error":"unauthenticated","message":"cannot query logs: no credentials/);
    await f1({ method: 'GET', url: '/api/v1/auth/tokens' }, /^application\/json/, none);
    await f1({ method: 'GET', url: '/loki/api/v1/query', headers: { authorization: 'Bearer lst_nope' } }, /^text\/plain/, /^cannot query logs: invalid credentials\n$/);
    await f1({ method: 'GET', url: '/loki/api/v1/query', headers: { authorization: 'Digest x' } }, /^text\/plain/, /invalid credentials/);
    await f1({ method: 'GET', url: '/loki/api/v1/query', headers: { authorization: basic('ui', 'wrong-password') } }, /^text\/plain/, /invalid credentials/);
  });

  it('public routes need nothing and read no credential', async () => {
    for (const url of ['/health/liveness', '/health/readiness', '/ready', '/metrics']) {
      const r = await inject({ method: 'GET', url, headers: { authorization: 'Bearer garbage' } });
      assert.equal(r.status, 200, url);
    }
    const ui = await inject({ method: 'GET', url: '/explore', headers: { cookie: 'ls_session=stale' } });
    assert.notEqual(ui.status, 401, 'a stale cookie never locks the UI (and its login page) out');
    const root = await inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.notEqual(root.status, 401);
  });

  it('checks scopes and tenant sets, naming the credential', async () => {
    const f1 = async (o: InjectOptions, status: number, want?: RegExp): Promise<void> => {
      const r = await inject(o);
      assert.equal(r.status, status, `${o.method} ${o.url} ${JSON.stringify(o.headers)}: ${r.body}`);
      if (want) assert.match(r.body, want);
    };
    const bearer = (t: string, extra: Record<string, string> = {}): Record<string, string> => ({ authorization: `Bearer ${tok[t]}`, ...extra });
    const push = (headers: Record<string, string>): InjectOptions => ({ method: 'POST', url: '/loki/api/v1/push', headers: { 'content-type': 'application/json', ...headers }, payload: PUSH_BODY });
    await f1(push(bearer('writer')), 204);
    await f1(push(bearer('writer', { 'x-scope-orgid': 'b' })), 403, /^cannot push for tenant "b": the credential writer may use tenants a$/m);
    await f1(push(bearer('reader')), 403, /^cannot push logs: the credential reader lacks scope logs:write$/m);
    await f1(push(bearer('admin', { 'x-scope-orgid': '_audit' })), 403, /reserved for the audit trail/);
    await f1(push({ authorization: basic('a', tok.writer) }), 204);
    await f1(push({ authorization: basic('b', tok.writer) }), 403, /tenant "b"/);
    await f1(push({ authorization: basic('b', tok.writer), 'x-scope-orgid': 'a' }), 204);
    await f1(push({ authorization: basic('ui', password) }), 204);
    const q = (headers: Record<string, string>): InjectOptions => ({ method: 'GET', url: '/loki/api/v1/query_range?query=' + encodeURIComponent('{app="x"}'), headers });
    await f1(q(bearer('reader', { 'x-scope-orgid': 'a|b' })), 200);
    await f1(q(bearer('reader', { 'x-scope-orgid': 'a|c' })), 403, /^cannot read tenant "c": the credential reader may use tenants a, b$/m);
    await f1(q(bearer('writer')), 403, /lacks scope logs:read/);
    await f1(q(bearer('reader', { 'x-scope-orgid': '_audit' })), 403, /readable with scope admin only/);
    await f1(q(bearer('admin', { 'x-scope-orgid': '_audit' })), 200);
    await f1({ method: 'GET', url: '/loki/api/v1/rules', headers: bearer('writer') }, 403, /lacks scope rules:read/);
    await f1({ method: 'POST', url: '/loki/api/v1/rules/ns', headers: bearer('reader', { 'content-type': 'application/yaml' }), payload: 'name: g\nrules: []\n' }, 403, /lacks scope rules:write/);
    await f1({ method: 'GET', url: '/api/v1/auth/users', headers: bearer('reader') }, 403, /^\{"error":"forbidden","message":"cannot list users: the credential reader lacks scope admin"\}$/);
    await f1({ method: 'POST', url: '/v1/logs', headers: bearer('reader', { 'content-type': 'application/json' }), payload: '{}' }, 403, /"code":7/);
    await f1({ method: 'GET', url: '/_license', headers: { authorization: `ApiKey ${tok.reader}` } }, 403, /security_exception/);
    await f1({ method: 'GET', url: '/_license', headers: { authorization: `ApiKey ${tok.writer}` } }, 200);
  });

  it('refuses simple content types on state-changing routes, whatever the credential', async () => {
    for (const [url, type] of [
      ['/loki/api/v1/push', 'text/plain'],
      ['/api/v1/push/jsonlines', 'application/x-www-form-urlencoded'],
      ['/_bulk', 'text/plain; charset=utf-8'],
      ['/loki/api/v1/rules/ns', 'text/plain'],
      ['/api/v1/auth/tokens', 'multipart/form-data; boundary=x'],
      ['/api/v1/auth/login', 'application/x-www-form-urlencoded'],
    ]) {
      const r = await inject({ method: 'POST', url, headers: { 'content-type': type, authorization: `Bearer ${tok.admin}` }, payload: 'x=1' });
      assert.equal(r.status, 415, `${url} ${type}: ${r.body}`);
      assert.match(r.body, /is refused on routes that change state/);
    }
    const read = await inject({ method: 'POST', url: '/loki/api/v1/query_range', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${tok.reader}`, 'x-scope-orgid': 'a' }, payload: 'query=' + encodeURIComponent('{app="x"}') });
    assert.equal(read.status, 200, 'a query with a form body still works (Grafana sends them)');
  });

  it('a session cookie reads; it writes only with the CSRF token; logout ends it', async () => {
    const login = await inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'ui', password }) });
    assert.equal(login.status, 200, login.body);
    const setCookie = String(login.headers['set-cookie']);
    assert.match(setCookie, /^ls_session=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0];
    const { csrfToken, user } = JSON.parse(login.body) as { csrfToken: string; user: Record<string, unknown> };
    registerSecret(cookie.slice('ls_session='.length), csrfToken);
    assert.deepEqual(user, { authEnabled: true, kind: 'session', name: 'ui', scopes: ['logs:write', 'logs:read', 'rules:read', 'rules:write'], tenants: ['a'], defaultTenant: 'a', csrfToken });

    const me = await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    assert.equal(JSON.parse(me.body).csrfToken, csrfToken);
    assert.equal((await inject({ method: 'GET', url: '/loki/api/v1/labels', headers: { cookie } })).status, 200);
    const write = (headers: Record<string, string>): InjectOptions => ({ method: 'POST', url: '/loki/api/v1/push', headers: { cookie, 'content-type': 'application/json', ...headers }, payload: PUSH_BODY });
    const noCsrf = await inject(write({}));
    assert.equal(noCsrf.status, 403);
    assert.match(noCsrf.body, /X-CSRF-Token header is missing or wrong/);
    assert.equal((await inject(write({ 'x-csrf-token': 'wrong' }))).status, 403);
    assert.equal((await inject(write({ 'x-csrf-token': csrfToken }))).status, 204);
    const searchNoCsrf = await inject({ method: 'POST', url: '/logs/query', headers: { cookie, 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(searchNoCsrf.status, 403, 'every non-GET under a cookie needs it');

    const ws = await inject({ method: 'GET', url: '/loki/api/v1/tail?query=' + encodeURIComponent('{app="x"}'), headers: { cookie, origin: 'https://evil.example', host: 'localhost:80', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    assert.equal(ws.status, 403, 'a cross-origin WebSocket under a cookie is refused');

    assert.equal((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).status, 403, 'logout needs the CSRF token too');
    const out = await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': csrfToken } });
    assert.equal(out.status, 204);
    assert.match(String(out.headers['set-cookie']), /^ls_session=; Max-Age=0;/);
    assert.equal((await inject({ method: 'GET', url: '/loki/api/v1/labels', headers: { cookie } })).status, 401);
    assert.equal((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).status, 401);
  });

  it('answers 503 with Retry-After until the credentials store is open', async () => {
    const logger = createLogger('silent');
    const pending = new AuthService({ logger, audit: new AuditTrail(() => undefined, logger) });
    const a = await buildServer(context(undefined, { auth: pending, ready: () => false }), { ingest: true, query: true });
    try {
      const r = await a.inject({ method: 'GET', url: '/loki/api/v1/labels', headers: { authorization: `Bearer ${tok.reader}` } });
      assert.equal(r.statusCode, 503);
      assert.equal(r.headers['retry-after'], '1');
      assert.equal((await a.inject({ method: 'GET', url: '/health/liveness' })).statusCode, 200);
    } finally {
      await a.close();
    }
  });

  it('auth.openMetrics=false puts /metrics under admin', async () => {
    const a = await buildServer(context(f, {}, { LOGSENTINEL_AUTH_OPEN_METRICS: 'false' }), { ingest: false, query: false });
    try {
      assert.equal((await a.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
      assert.equal((await a.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${tok.reader}` } })).statusCode, 403);
      assert.equal((await a.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${tok.admin}` } })).statusCode, 200);
    } finally {
      await a.close();
    }
  });

  it('with authentication disabled: the open behaviour, and me says so', async () => {
    const a = await buildServer(context(undefined, { storage: f.storage }), { ingest: true, query: true });
    try {
      assert.equal((await a.inject({ method: 'GET', url: '/loki/api/v1/labels', headers: { 'x-scope-orgid': 'anyone|else' } })).statusCode, 200);
      const me = await a.inject({ method: 'GET', url: '/api/v1/auth/me' });
      assert.deepEqual(JSON.parse(me.body), { authEnabled: false, kind: 'anonymous', name: 'anonymous', scopes: ['logs:write', 'logs:read', 'rules:read', 'rules:write', 'admin'], tenants: '*', defaultTenant: 'default' });
      assert.equal((await a.inject({ method: 'GET', url: '/api/v1/auth/users' })).statusCode, 404);
      const r = await a.inject({ method: 'POST', url: '/loki/api/v1/push', headers: { 'content-type': 'application/json', 'x-scope-orgid': '_audit' }, payload: PUSH_BODY });
      assert.equal(r.statusCode, 403, 'nobody pushes to the audit tenant');
    } finally {
      await a.close();
    }
  });

  it('checkRouteTable refuses a route without an entry', () => {
    assert.throws(() => checkRouteTable([{ method: 'GET', url: '/loki/api/v1/new' }, { method: 'OPTIONS', url: '*' }, { method: 'HEAD', url: '/metrics' }]), /^Error: BUG: routes without an entry in src\/api\/route-scopes.ts: GET \/loki\/api\/v1\/new$/);
  });
});
