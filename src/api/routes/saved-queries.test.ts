/**
 * The saved queries API over the whole server (Fastify inject, the resolver, a real DuckDB store
 * for credentials and saved queries): tenant isolation, the scopes of reading and changing,
 * CSRF under a session cookie, validation errors naming what was wrong, 404 for unknown ids,
 * 409 for a taken name and for a full tenant, 413 past the body bound, and authors recorded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildServer } from '../server.js';
import type { AppContext } from '../context.js';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../telemetry/logger.js';
import { createMetrics } from '../../telemetry/metrics.js';
import { Semaphore } from '../../query/semaphore.js';
import { ingestLimits } from '../../modules.js';
import { registerSecret } from '../../testing/secrets.js';
import { AuthAdmin, type Actor } from '../../auth/admin.js';
import { authFixture, type AuthFixture } from '../../auth/testing/fixture.js';
import { duckdbSavedQueryStore } from '../../saved-queries/init.js';

const URL_ = '/api/v1/saved-queries';

function context(f: AuthFixture, env: Record<string, string>, auth: boolean): AppContext {
  const config = loadConfig({ env });
  return {
    config,
    logger: createLogger('silent'),
    metrics: createMetrics(),
    limits: ingestLimits(config),
    querySlots: new Semaphore(4),
    ready: () => true,
    version: 'test',
    storage: f.storage,
    auth: auth ? f.svc : undefined,
    savedQueries: duckdbSavedQueryStore(f.storage),
  };
}

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
  json: any;
  body: string;
}

describe('saved queries API', () => {
  let f: AuthFixture;
  let app: FastifyInstance;
  let open: FastifyInstance;
  const tok: Record<string, string> = {};
  let password = '';
  before(async () => {
    f = await authFixture();
    const ctx = context(f, { LOGSENTINEL_SAVED_QUERIES_MAX_PER_TENANT: '3' }, true);
    await ctx.savedQueries!.open();
    app = await buildServer(ctx, { ingest: false, query: true });
    open = await buildServer(context(f, {}, false), { ingest: false, query: true });
    const admin = new AuthAdmin(f.svc);
    const actor: Actor = { principal: { kind: 'user', id: 'root', name: 'root', scopes: ['admin'], tenants: '*', defaultTenant: 'default' }, ip: '127.0.0.1' };
    const make = async (name: string, scopes: string[], tenants: string[] | '*'): Promise<void> => {
      tok[name] = (await admin.createToken({ name, scopes, tenants }, actor)).token;
      registerSecret(tok[name]);
    };
    await make('editor-a', ['logs:read', 'rules:write'], ['a']);
    await make('editor-b', ['logs:read', 'rules:write'], ['b']);
    await make('reader-ab', ['logs:read'], ['a', 'b']);
    await make('pusher', ['logs:write', 'rules:write'], ['a']);
    password = 'saved-' + Math.random().toString(36).slice(2);
    registerSecret(password);
    await admin.createUser({ name: 'ann', password, scopes: ['logs:read', 'rules:write'], tenants: ['a'] }, actor);
  });
  after(async () => {
    await app.close();
    await open.close();
    await f.close();
  });

  const call = async (who: string | undefined, method: InjectOptions['method'], path: string, body?: unknown, headers: Record<string, string> = {}, server = app): Promise<Answer> => {
    const h: Record<string, string> = { ...headers };
    if (who) h.authorization = `Bearer ${tok[who]}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const r = await server.inject({ method, url: path, headers: h, payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    let json: unknown;
    try {
      json = r.json();
    } catch {
      json = undefined;
    }
    return { status: r.statusCode, json, body: r.body };
  };
  const clear = async (): Promise<void> => {
    for (const t of ['a', 'b']) for (const q of (await call('reader-ab', 'GET', URL_, undefined, { 'x-scope-orgid': t })).json.savedQueries) assert.equal((await call(t === 'a' ? 'editor-a' : 'editor-b', 'DELETE', `${URL_}/${q.id}`)).status, 204);
  };

  it('creates, lists, reads, replaces, patches and deletes, recording who and when', async () => {
    await clear();
    const c = await call('editor-a', 'POST', URL_, { name: ' API errors ', query: '{service="api"} |= "error"', description: 'pages us', range: { from: 'now-6h', to: 'now' } });
    assert.equal(c.status, 201, c.body);
    const q = c.json;
    assert.match(q.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...q, id: undefined, createdAt: undefined, updatedAt: undefined }, { id: undefined, tenant: 'a', name: 'API errors', query: '{service="api"} |= "error"', description: 'pages us', range: { from: 'now-6h', to: 'now' }, createdAt: undefined, createdBy: 'editor-a', updatedAt: undefined, updatedBy: 'editor-a' });
    assert.ok(Math.abs(Date.parse(q.createdAt) - Date.now()) < 60_000);

    const list = await call('reader-ab', 'GET', URL_, undefined, { 'x-scope-orgid': 'a' });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, { savedQueries: [q] });
    assert.deepEqual((await call('reader-ab', 'GET', `${URL_}/${q.id}`, undefined, { 'x-scope-orgid': 'a' })).json, q);

    // An absolute range given as RFC 3339 is kept as epoch milliseconds, as Explore's URL has it.
    const put = await call('editor-a', 'PUT', `${URL_}/${q.id}`, { name: 'API errors', query: 'sum(count_over_time({service="api"}[5m]))', range: { from: '2026-12-05T10:00:00Z', to: 1796551200000 } });
    assert.equal(put.status, 200, put.body);
    assert.equal(put.json.description, '', 'PUT replaces the whole: the absent description is cleared');
    assert.deepEqual(put.json.range, { from: String(Date.parse('2026-12-05T10:00:00Z')), to: '1796551200000' });
    assert.equal(put.json.createdAt, q.createdAt);

    const patch = await call('pusher', 'PATCH', `${URL_}/${q.id}`, { name: 'renamed', range: null });
    assert.equal(patch.status, 200, patch.body);
    assert.equal(patch.json.name, 'renamed');
    assert.equal(patch.json.range, null);
    assert.equal(patch.json.query, 'sum(count_over_time({service="api"}[5m]))', 'PATCH keeps what it does not name');
    assert.equal(patch.json.createdBy, 'editor-a');
    assert.equal(patch.json.updatedBy, 'pusher');

    assert.equal((await call('editor-a', 'DELETE', `${URL_}/${q.id}`)).status, 204);
    assert.deepEqual((await call('editor-a', 'GET', URL_)).json, { savedQueries: [] });
  });

  it('keeps tenants apart: B neither sees, reads, changes nor deletes what A saved', async () => {
    await clear();
    const a = (await call('editor-a', 'POST', URL_, { name: 'mine', query: '{app="a"}' })).json;
    const b = await call('editor-b', 'POST', URL_, { name: 'mine', query: '{app="b"}' });
    assert.equal(b.status, 201, 'the same name in another tenant is another query');
    assert.deepEqual((await call('editor-b', 'GET', URL_)).json.savedQueries.map((q: { query: string }) => q.query), ['{app="b"}']);
    const f1 = async (method: InjectOptions['method'], body: unknown, verb: string): Promise<void> => {
      const r = await call('editor-b', method, `${URL_}/${a.id}`, body);
      assert.equal(r.status, 404, r.body);
      assert.equal(r.json.error, `cannot ${verb} saved query "${a.id}": tenant b has no saved query with that id`);
    };
    await f1('GET', undefined, 'read');
    await f1('PATCH', { name: 'stolen' }, 'change');
    await f1('PUT', { name: 'stolen', query: '{x="y"}' }, 'change');
    await f1('DELETE', undefined, 'delete');
    // Naming A's tenant with B's credential is refused before the route runs.
    const cross = await call('editor-b', 'GET', URL_, undefined, { 'x-scope-orgid': 'a' });
    assert.equal(cross.status, 403);
    assert.match(cross.json.message, /^cannot use the saved queries of tenant "a": the credential editor-b may use tenants b/);
    const two = await call('reader-ab', 'GET', URL_, undefined, { 'x-scope-orgid': 'a|b' });
    assert.equal(two.status, 400, 'saved queries belong to one tenant');
    assert.match(two.json.error, /^cannot use the saved queries of tenant "a\|b": tenant ids are .*one tenant per request/);
    assert.equal((await call('editor-a', 'GET', `${URL_}/${a.id}`)).json.query, '{app="a"}', 'A\'s query is untouched');
  });

  it('needs logs:read to read and rules:write to change, and a credential for both', async () => {
    await clear();
    const none = await call(undefined, 'GET', URL_);
    assert.equal(none.status, 401);
    assert.match(none.json.message, /^cannot read saved queries: no credentials/);
    assert.equal((await call(undefined, 'POST', URL_, { name: 'x', query: '{a="b"}' })).status, 401);
    const ro = await call('reader-ab', 'POST', URL_, { name: 'x', query: '{a="b"}' }, { 'x-scope-orgid': 'a' });
    assert.equal(ro.status, 403);
    assert.equal(ro.json.message, 'cannot change saved queries: the credential reader-ab lacks scope rules:write');
    const q = (await call('editor-a', 'POST', URL_, { name: 'x', query: '{a="b"}' })).json;
    assert.equal((await call('reader-ab', 'DELETE', `${URL_}/${q.id}`, undefined, { 'x-scope-orgid': 'a' })).status, 403);
    assert.equal((await call('reader-ab', 'PATCH', `${URL_}/${q.id}`, { name: 'y' }, { 'x-scope-orgid': 'a' })).status, 403);
    const pusherRead = await call('pusher', 'GET', URL_);
    assert.equal(pusherRead.status, 403, 'rules:write without logs:read does not read');
    assert.match(pusherRead.json.message, /lacks scope logs:read/);
    // text/plain is what a cross-site form sends: refused on every route that changes state.
    const form = await app.inject({ method: 'POST', url: URL_, headers: { authorization: `Bearer ${tok['editor-a']}`, 'content-type': 'text/plain' }, payload: '{"name":"forged","query":"{a=\\"b\\"}"}' });
    assert.equal(form.statusCode, 415);
  });

  it('under a session cookie, changes need the CSRF token', async () => {
    await clear();
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'ann', password }) });
    assert.equal(login.statusCode, 200, login.body);
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const { csrfToken } = login.json() as { csrfToken: string };
    registerSecret(cookie.slice('ls_session='.length), csrfToken);
    assert.equal((await call(undefined, 'GET', URL_, undefined, { cookie })).status, 200);
    const without = await call(undefined, 'POST', URL_, { name: 'from the UI', query: '{a="b"}' }, { cookie });
    assert.equal(without.status, 403);
    assert.match(without.json.message, /X-CSRF-Token header is missing or wrong/);
    const withToken = await call(undefined, 'POST', URL_, { name: 'from the UI', query: '{a="b"}' }, { cookie, 'x-csrf-token': csrfToken });
    assert.equal(withToken.status, 201, withToken.body);
    assert.equal(withToken.json.createdBy, 'ann');
    assert.equal((await call(undefined, 'DELETE', `${URL_}/${withToken.json.id}`, undefined, { cookie })).status, 403);
    assert.equal((await call(undefined, 'DELETE', `${URL_}/${withToken.json.id}`, undefined, { cookie, 'x-csrf-token': csrfToken })).status, 204);
  });

  it('answers bad input with a 4xx naming what was wrong', async () => {
    await clear();
    const f1 = async (method: InjectOptions['method'], path: string, body: unknown, status: number, error: RegExp | string, errorType?: string): Promise<void> => {
      const r = await call('editor-a', method, path, body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.body}`);
      if (typeof error === 'string') assert.equal(r.json.error, error);
      else assert.match(r.json.error, error);
      if (errorType) assert.equal(r.json.errorType, errorType);
    };
    await f1('POST', URL_, { query: '{a="b"}' }, 400, 'cannot save query: name must be a string', 'bad_request');
    await f1('POST', URL_, { name: '   ', query: '{a="b"}' }, 400, 'cannot save query: name must not be empty');
    await f1('POST', URL_, { name: 'x'.repeat(101), query: '{a="b"}' }, 400, 'cannot save query: name is longer than 100 characters');
    await f1('POST', URL_, { name: 'a\nb', query: '{a="b"}' }, 400, 'cannot save query: name must not contain control characters');
    await f1('POST', URL_, { name: 'x' }, 400, 'cannot save query: query must be a non-empty LogQL string');
    await f1('POST', URL_, { name: 'x', query: '{a="b"} |= ' }, 400, /^cannot save query: query is not valid LogQL: parse error at line 1, col \d+: /, 'logql_parse');
    await f1('POST', URL_, { name: 'x', query: '{a=~".*"}' }, 400, /^cannot save query: query is not valid LogQL: .*at least one/);
    await f1('POST', URL_, { name: 'x', query: '{a="b"}', description: 5 }, 400, 'cannot save query: description must be a string');
    await f1('POST', URL_, { name: 'x', query: '{a="b"}', description: 'd'.repeat(2001) }, 400, 'cannot save query: description is longer than 2000 characters');
    await f1('POST', URL_, { name: 'x', query: '{a="b"}', range: { from: 'yesterday' } }, 400, 'cannot save query: range.from "yesterday" is neither now, now-<duration> (such as now-1h), epoch milliseconds nor an RFC 3339 time');
    await f1('POST', URL_, { name: 'x', query: '{a="b"}', range: { from: 'now', to: 'now-1h' } }, 400, 'cannot save query: range.from "now" must be before range.to "now-1h"');
    await f1('POST', URL_, { name: 'x', query: '{a="b"}', range: 'now-1h' }, 400, 'cannot save query: range must be {"from": ..., "to": ...} or null');
    await f1('POST', URL_, { name: 'x', query: '{a="b"}', tenant: 'b' }, 400, 'cannot save query: unknown field "tenant" (known: name, query, description, range)');
    await f1('POST', URL_, [1], 400, /^cannot save query: the body must be a JSON object/);
    await f1('POST', URL_, '{"name": ', 400, /JSON/);
    await f1('POST', URL_, { name: 'x', query: `{a="${'b'.repeat(70_000)}"}` }, 413, 'cannot read request body: it is larger than the limit of 65536 bytes');
    await f1('PATCH', `${URL_}/nope`, { name: 'x' }, 404, 'cannot change saved query "nope": tenant a has no saved query with that id', 'not_found');
    await f1('DELETE', `${URL_}/nope`, undefined, 404, 'cannot delete saved query "nope": tenant a has no saved query with that id');
    await f1('GET', `${URL_}/nope`, undefined, 404, 'cannot read saved query "nope": tenant a has no saved query with that id');

    const one = (await call('editor-a', 'POST', URL_, { name: 'One', query: '{a="1"}' })).json;
    const two = (await call('editor-a', 'POST', URL_, { name: 'two', query: '{a="2"}' })).json;
    await f1('PATCH', `${URL_}/${two.id}`, {}, 400, `cannot change saved query "${two.id}": the body changes nothing (give any of name, query, description, range)`);
    await f1('PATCH', `${URL_}/${two.id}`, { query: '{' }, 400, /^cannot change saved query ".*": query is not valid LogQL: parse error/);
    await f1('POST', URL_, { name: 'one', query: '{a="3"}' }, 409, `cannot save query "one": tenant a already has a saved query named "One" (id ${one.id}); names are unique per tenant, regardless of case`, 'conflict');
    await f1('PATCH', `${URL_}/${two.id}`, { name: 'ONE' }, 409, /^cannot rename saved query "two" to "ONE": tenant a already has a saved query named "One"/);
    // The tenant's bound (3 here).
    assert.equal((await call('editor-a', 'POST', URL_, { name: 'three', query: '{a="3"}' })).status, 201);
    await f1('POST', URL_, { name: 'four', query: '{a="4"}' }, 409, 'cannot save query "four": tenant a has 3 saved queries, the most savedQueries.maxPerTenant allows (3); delete some first', 'limit_reached');
    assert.equal((await call('editor-b', 'POST', URL_, { name: 'four', query: '{a="4"}' })).status, 201, 'another tenant has its own bound');
  });

  it('without authentication, anyone saves for the tenant of X-Scope-OrgID and no author is recorded', async () => {
    const r = await call(undefined, 'POST', URL_, { name: 'open', query: '{a="b"}' }, { 'x-scope-orgid': 'c' }, open);
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.tenant, 'c');
    assert.equal(r.json.createdBy, null);
    assert.deepEqual((await call(undefined, 'GET', URL_, undefined, { 'x-scope-orgid': 'c' }, open)).json.savedQueries.map((q: { name: string }) => q.name), ['open']);
    assert.deepEqual((await call(undefined, 'GET', URL_, undefined, {}, open)).json.savedQueries, [], 'no header: the default tenant');
  });
});
