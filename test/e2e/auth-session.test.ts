/**
 * The UI's way in, over real HTTP: a login makes an HttpOnly, SameSite=Strict session cookie
 * that reads (query, live tail over a WebSocket) and writes only with the CSRF token; a
 * cross-site-style form or text/plain POST to push and to the rules API is refused; failed
 * logins are throttled with 429 and Retry-After; logins, failures, logouts and admin actions are
 * in the `_audit` tenant, which only admins read, and which holds no password or token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { removeDir, startServer, type ServerHandle } from './harness.js';
import { adminCredentials, api, makeToken, type AdminCredentials } from './auth-helpers.js';
import { randomSecret } from '../../src/auth/token.js';
import { registerSecret } from '../../src/testing/secrets.js';

describe('UI sessions, CSRF and the audit trail', () => {
  let s: ServerHandle;
  let admin: AdminCredentials;
  const password = randomSecret(12);
  let cookie = '';
  let csrf = '';

  before(async () => {
    registerSecret(password);
    admin = adminCredentials();
    // Debug logs (every request) make the secrets check of the run stricter.
    s = await startServer({ auth: true, env: { ...admin.env, LOGSENTINEL_SERVER_LOG_LEVEL: 'debug' } });
    const r = await api(s.url, admin.token, 'POST', '/api/v1/auth/users', { name: 'web', password, scopes: ['logs:read', 'logs:write', 'rules:read', 'rules:write'], tenants: ['web-a'] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  const login = async (username: string, pw: string): Promise<Response> =>
    fetch(s.url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: pw }) });

  it('logs in: an HttpOnly, SameSite=Strict cookie and a CSRF token', async () => {
    const r = await login('web', password);
    assert.equal(r.status, 200);
    const set = r.headers.get('set-cookie') ?? '';
    assert.match(set, /^ls_session=[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
    cookie = set.split(';')[0];
    const body = (await r.json()) as { csrfToken: string; user: { name: string; tenants: string[] } };
    csrf = body.csrfToken;
    registerSecret(cookie.slice('ls_session='.length), csrf);
    assert.deepEqual([body.user.name, body.user.tenants], ['web', ['web-a']]);
  });

  it('the cookie reads; writes need the CSRF token', async () => {
    const push = (headers: Record<string, string>): Promise<Response> =>
      fetch(s.url + '/loki/api/v1/push', {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ streams: [{ stream: { app: 'ui' }, values: [[String(BigInt(Date.now()) * 1_000_000n), 'from the browser']] }] }),
      });
    assert.equal((await push({})).status, 403);
    assert.equal((await push({ 'X-CSRF-Token': csrf })).status, 204);
    const q = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{app="ui"}', since: '5m' }), { headers: { Cookie: cookie } });
    assert.equal(q.status, 200);
    const res = (await q.json()) as { data: { result: Array<{ values: string[][] }> } };
    assert.equal(res.data.result[0]?.values[0]?.[1], 'from the browser');
    const other = await fetch(s.url + '/loki/api/v1/labels', { headers: { Cookie: cookie, 'X-Scope-OrgID': 'web-b' } });
    assert.equal(other.status, 403, 'the tenant picker can only pick the user\'s tenants');
  });

  it('the live tail authenticates with the cookie on the WebSocket upgrade', async () => {
    const url = `${s.url.replace(/^http/, 'ws')}/loki/api/v1/tail?${new URLSearchParams({ query: '{app="ui"}', orgId: 'web-a' })}`;
    const ws = new WebSocket(url, { headers: { Cookie: cookie, Origin: s.url } });
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (d: Buffer) => resolve(d.toString()));
      ws.once('unexpected-response', (_q, r) => reject(new Error(`upgrade refused: ${r.statusCode}`)));
      ws.once('error', reject);
    });
    assert.match(first, /from the browser/);
    ws.close();
    const refused = await new Promise<number>((resolve) => {
      const w = new WebSocket(url.replace('web-a', 'web-b'), { headers: { Cookie: cookie } });
      w.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0));
      w.on('error', () => undefined);
    });
    assert.equal(refused, 403, 'orgId outside the user\'s tenants');
  });

  it('a cross-site-style form or text/plain POST to push and to the rules API is refused', async () => {
    // What a form on another site can send with the user's cookie: no custom header, a simple type.
    for (const [path, type, body] of [
      ['/loki/api/v1/push', 'text/plain', '{"streams":[{"stream":{"app":"evil"},"values":[["1","x"]]}]}'],
      ['/api/v1/push/jsonlines', 'application/x-www-form-urlencoded', '{"message":"evil"}'],
      ['/loki/api/v1/rules/evil', 'text/plain', 'name: evil\nrules: []\n'],
      ['/api/prom/rules/evil', 'multipart/form-data; boundary=x', '--x--'],
    ]) {
      const r = await fetch(s.url + path, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': type }, body });
      assert.equal(r.status, 415, `${path} ${type}: ${await r.text()}`);
    }
    const rules = await fetch(s.url + '/loki/api/v1/rules', { headers: { Cookie: cookie } });
    assert.equal(rules.status, 404, 'no rule group was created');
  });

  it('throttles failed logins per user name with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login('web', 'not-the-password')).status);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    const locked = await login('web', password);
    assert.equal(locked.status, 429, 'even the right password waits');
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    assert.match(((await locked.json()) as { message: string }).message, /too many failed attempts/);
  });

  it('logout ends the session', async () => {
    assert.equal((await fetch(s.url + '/api/v1/auth/logout', { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf } })).status, 204);
    assert.equal((await fetch(s.url + '/loki/api/v1/labels', { headers: { Cookie: cookie } })).status, 401);
  });

  it('the audit trail: in _audit, admin only, without secrets', async () => {
    const t = await makeToken(s.url, admin.token, { name: 'audited', scopes: ['logs:read'], tenants: '*' });
    assert.equal((await api(s.url, admin.token, 'DELETE', `/api/v1/auth/tokens/${t.id}`)).status, 204);
    const read = async (token: string): Promise<Response> =>
      fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{component="audit"}', since: '10m', limit: '1000', direction: 'forward' }), {
        headers: { Authorization: `Bearer ${token}`, 'X-Scope-OrgID': '_audit' },
      });
    assert.equal((await read(t.token)).status, 401);
    const reader = await makeToken(s.url, admin.token, { name: 'everything-reader', scopes: ['logs:read'], tenants: '*' });
    assert.equal((await read(reader.token)).status, 403, 'tenants * does not include the audit trail');
    const r = await read(admin.token);
    assert.equal(r.status, 200);
    const text = await r.text();
    const entries = ((JSON.parse(text) as { data: { result: Array<{ values: string[][] }> } }).data.result.flatMap((x) => x.values.map((v) => JSON.parse(v[1]))) as Array<Record<string, unknown>>);
    const seen = entries.map((e) => `${e.action}:${e.outcome}:${e.actor}`);
    for (const want of ['user.create:success:admin (auth.adminToken)', 'login:success:web', 'login:failure:web', 'logout:success:web', 'token.create:success:admin (auth.adminToken)', 'token.revoke:success:admin (auth.adminToken)']) {
      assert.ok(seen.includes(want), `${want} in ${seen.join(', ')}`);
    }
    for (const secret of [password, admin.token, admin.password, t.token, csrf, cookie.slice('ls_session='.length)]) assert.ok(!text.includes(secret), 'no secret in the audit trail');
    assert.ok(entries.every((e) => typeof e.ip === 'string' || e.action === 'bootstrap'));
  });
});
