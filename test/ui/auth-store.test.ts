/**
 * The UI's sign-in state and API calls against a scripted fetch: login, the CSRF token on every
 * state-changing call and only there, the session cookie mode, a 401 ending the session, logout,
 * throttling, the open mode. `localStorage`, `window` and `fetch` are small fakes.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, getJson, getTenant, probe, sendJson, setCsrfToken, setTenant } from '../../ui/src/api.js';
import { AuthStore } from '../../ui/src/components/auth/auth-store.js';

const g = globalThis as unknown as Record<string, unknown>;
const storage = new Map<string, string>();
g.localStorage = { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v), removeItem: (k: string) => storage.delete(k) };
g.window = { location: { origin: 'http://ui.test' } };

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  credentials?: string;
}
let calls: Call[] = [];
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
let routes: Record<string, Answer | ((c: Call) => Answer)> = {};

const realFetch = globalThis.fetch;
beforeEach(() => {
  calls = [];
  routes = {};
  storage.clear();
  setTenant('', false);
  setCsrfToken(undefined);
  globalThis.fetch = (async (url: string, init: RequestInit = {}) => {
    const c: Call = { method: init.method ?? 'GET', url, headers: (init.headers ?? {}) as Record<string, string>, body: init.body as string | undefined, credentials: init.credentials };
    calls.push(c);
    const key = `${c.method} ${new URL(url, 'http://ui.test').pathname}`;
    const r = routes[key];
    const a = typeof r === 'function' ? r(c) : (r ?? { status: 404, body: { error: 'not found' } });
    const text = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    return new Response(a.status === 204 ? null : text, { status: a.status, headers: { 'content-type': 'application/json', ...a.headers } });
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

const ANN = { authEnabled: true, kind: 'session', name: 'ann', scopes: ['logs:read', 'rules:write'], tenants: ['team-a', 'team-b'], defaultTenant: 'team-a' };
const UNAUTH = { status: 401, body: { error: 'unauthenticated', message: 'cannot read me: no credentials (send a bearer token, basic auth or log in)' } };

function loginRoute(password: string): (c: Call) => Answer {
  return (c) => {
    const b = JSON.parse(c.body ?? '{}') as { username?: string; password?: string };
    if (b.username === 'ann' && b.password === password) return { status: 200, body: { user: ANN, csrfToken: 'csrf-1' } };
    return { status: 401, body: { error: 'unauthenticated', message: 'invalid credentials' } };
  };
}

describe('AuthStore', () => {
  it('logs in, sends the CSRF token only on state-changing calls, and logs out', async () => {
    storage.set('logsentinel.tenant', 'not-mine');
    routes['GET /api/v1/auth/me'] = UNAUTH;
    routes['POST /api/v1/auth/login'] = loginRoute('right horse');
    routes['POST /api/v1/auth/logout'] = { status: 204 };
    routes['GET /loki/api/v1/labels'] = { status: 200, body: { status: 'success', data: ['service'] } };
    routes['POST /loki/api/v1/rules/ns'] = { status: 202, body: { status: 'success' } };
    const store = new AuthStore();
    let unauthEvents = 0;
    store.subscribe(() => {
      if (store.snapshot().kind === 'signed-out') unauthEvents++;
    });
    try {
      await store.boot();
      assert.deepEqual(store.snapshot(), { kind: 'signed-out' });

      // Wrong password: a 401 for the form, not a lost session.
      await assert.rejects(store.login('ann', 'wrong'), (e: unknown) => e instanceof ApiError && e.status === 401 && e.message === 'invalid credentials');
      assert.equal(store.snapshot().kind, 'signed-out');
      const before = unauthEvents;

      await store.login('ann', 'right horse');
      const s = store.snapshot();
      assert.equal(s.kind, 'signed-in');
      assert.equal(s.kind === 'signed-in' && s.me.name, 'ann');
      assert.equal(unauthEvents, before);
      // The remembered tenant is not ann's: her default is used, and the remembered one kept for whoever chose it.
      assert.equal(getTenant(), 'team-a');
      assert.equal(storage.get('logsentinel.tenant'), 'not-mine');

      // The password went in a JSON body, never the URL or storage.
      const login = calls.filter((c) => c.url === '/api/v1/auth/login');
      assert.equal(login.length, 2);
      for (const c of login) {
        assert.equal(c.method, 'POST');
        assert.equal(c.headers['Content-Type'], 'application/json');
        assert.doesNotMatch(c.url, /horse|wrong/);
      }
      assert.deepEqual(JSON.parse(login[1].body!), { username: 'ann', password: 'right horse' });
      assert.ok(![...storage.values()].some((v) => v.includes('horse') || v.includes('csrf-1')), 'nothing secret in storage');

      await getJson('/loki/api/v1/labels');
      await sendJson('POST', '/loki/api/v1/rules/ns', { name: 'g', rules: [] });
      const [get, post] = calls.slice(-2);
      assert.equal(get.credentials, 'same-origin');
      assert.equal(get.headers['X-CSRF-Token'], undefined);
      assert.equal(get.headers['X-Scope-OrgID'], 'team-a');
      assert.equal(post.credentials, 'same-origin');
      assert.equal(post.headers['X-CSRF-Token'], 'csrf-1');
      assert.equal(post.headers['X-Scope-OrgID'], 'team-a');
      assert.equal(post.headers['Content-Type'], 'application/json');

      await store.logout();
      assert.deepEqual(store.snapshot(), { kind: 'signed-out', reason: 'logged-out' });
      const out = calls[calls.length - 1];
      assert.equal(out.url, '/api/v1/auth/logout');
      assert.equal(out.headers['X-CSRF-Token'], 'csrf-1');
      // Forgotten: the next state-changing call carries no token.
      await sendJson('POST', '/loki/api/v1/rules/ns', {});
      assert.equal(calls[calls.length - 1].headers['X-CSRF-Token'], undefined);
    } finally {
      store.dispose();
    }
  });

  it('a 401 from any call while signed in ends the session; the tail probe too', async () => {
    routes['GET /api/v1/auth/me'] = { status: 200, body: { ...ANN, csrfToken: 'csrf-2' } };
    routes['GET /loki/api/v1/query_range'] = UNAUTH;
    routes['GET /loki/api/v1/tail'] = UNAUTH;
    const store = new AuthStore();
    try {
      await store.boot();
      assert.equal(store.snapshot().kind, 'signed-in');
      await sendJson('POST', '/x').catch(() => undefined);
      assert.equal(calls[calls.length - 1].headers['X-CSRF-Token'], 'csrf-2', 'the token of /me');
      await assert.rejects(getJson('/loki/api/v1/query_range', { query: '{a="b"}' }), (e: unknown) => e instanceof ApiError && e.status === 401 && /no credentials/.test(e.message));
      assert.deepEqual(store.snapshot(), { kind: 'signed-out', reason: 'expired' });

      await store.boot();
      assert.equal(store.snapshot().kind, 'signed-in');
      const r = await probe('http://ui.test/loki/api/v1/tail?query=x');
      assert.equal(r.status, 401);
      assert.deepEqual(store.snapshot(), { kind: 'signed-out', reason: 'expired' });
    } finally {
      store.dispose();
    }
  });

  it('a CSRF token replaced by a login in another tab is fetched again, once', async () => {
    let current = 'csrf-old';
    routes['GET /api/v1/auth/me'] = () => ({ status: 200, body: { ...ANN, csrfToken: current } });
    routes['POST /loki/api/v1/rules/ns'] = (c) => (c.headers['X-CSRF-Token'] === current ? { status: 202, body: { status: 'success' } } : { status: 403, body: { status: 'error', error: 'cannot change rules: missing or wrong X-CSRF-Token' } });
    const store = new AuthStore();
    try {
      await store.boot();
      current = 'csrf-new';
      assert.deepEqual(await sendJson('POST', '/loki/api/v1/rules/ns', {}), { status: 'success' });
      assert.deepEqual(calls.map((c) => `${c.method} ${c.url} ${c.headers['X-CSRF-Token'] ?? ''}`), ['GET /api/v1/auth/me ', 'POST /loki/api/v1/rules/ns csrf-old', 'GET /api/v1/auth/me ', 'POST /loki/api/v1/rules/ns csrf-new']);
      // Other refusals are not retried.
      routes['POST /loki/api/v1/rules/ns'] = { status: 403, body: { status: 'error', error: 'cannot change rules: the credential ann lacks scope rules:write' } };
      calls = [];
      await assert.rejects(sendJson('POST', '/loki/api/v1/rules/ns', {}), /lacks scope/);
      assert.equal(calls.length, 1);
      assert.equal(store.snapshot().kind, 'signed-in');
    } finally {
      store.dispose();
    }
  });

  it('throttled logins carry the wait', async () => {
    routes['POST /api/v1/auth/login'] = { status: 429, body: { error: 'too_many_requests', message: 'cannot log in: too many failed attempts' }, headers: { 'retry-after': '42' } };
    const store = new AuthStore();
    try {
      await assert.rejects(store.login('ann', 'x'), (e: unknown) => e instanceof ApiError && e.status === 429 && e.retryAfterS === 42);
    } finally {
      store.dispose();
    }
  });

  it('open mode: authEnabled false, or a server without the auth API; other failures are errors', async () => {
    const f = async (me: Answer, want: string): Promise<void> => {
      routes['GET /api/v1/auth/me'] = me;
      const store = new AuthStore();
      try {
        await store.boot();
        assert.equal(store.snapshot().kind, want, JSON.stringify(me));
      } finally {
        store.dispose();
      }
    };
    await f({ status: 200, body: { authEnabled: false } }, 'open');
    await f({ status: 404, body: 'not found' }, 'open');
    await f({ status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } }, 'error');
    await f({ status: 200, body: { authEnabled: true } }, 'error');
    // In open mode the typed tenant is used as before, and nothing is sent for "default".
    storage.set('logsentinel.tenant', 'typed');
    await f({ status: 200, body: { authEnabled: false } }, 'open');
    assert.equal(getTenant(), 'typed');
  });
});
