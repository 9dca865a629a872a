import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasScope, parseMe, type Me } from '../../ui/src/components/auth/me.js';
import { effectiveTenant, tenantPicker } from '../../ui/src/components/auth/tenants.js';
import { formatWait, loginFailure } from '../../ui/src/components/auth/login-error.js';
import { apiErrorMessage } from '../../ui/src/components/auth/error-message.js';

const me = (o: Partial<Me>): Me => ({ authEnabled: true, kind: 'session', name: 'ann', scopes: ['logs:read'], tenants: ['a', 'b'], defaultTenant: 'a', ...o });

describe('parseMe', () => {
  it('reads a signed-in user, a user with every tenant, and the open mode', () => {
    const f = (v: unknown, want: Me): void => assert.deepEqual(parseMe(v), want);
    f({ authEnabled: true, kind: 'session', name: 'ann', scopes: ['logs:read'], tenants: ['a', 'b'], defaultTenant: 'b', csrfToken: 'c1' }, { authEnabled: true, kind: 'session', name: 'ann', scopes: ['logs:read'], tenants: ['a', 'b'], defaultTenant: 'b', csrfToken: 'c1' });
    f({ authEnabled: true, kind: 'session', name: 'root', scopes: ['admin'], tenants: '*' }, { authEnabled: true, kind: 'session', name: 'root', scopes: ['admin'], tenants: '*', defaultTenant: 'default', csrfToken: undefined });
    // No default named: the first tenant (the server should always send one).
    f({ name: 'bob', scopes: [], tenants: ['x'], kind: 'weird' }, { authEnabled: true, kind: 'session', name: 'bob', scopes: [], tenants: ['x'], defaultTenant: 'x', csrfToken: undefined });
    assert.equal(parseMe({ authEnabled: false }).authEnabled, false);
    assert.equal(parseMe({ authEnabled: false }).tenants, '*');
    assert.equal(parseMe({ authEnabled: false, defaultTenant: 'd' }).defaultTenant, 'd');
  });

  it('refuses what is not a Me', () => {
    const f = (v: unknown): void => assert.throws(() => parseMe(v), /cannot read \/api\/v1\/auth\/me/);
    f(null);
    f('x');
    f({ authEnabled: true, scopes: [], tenants: [] });
    f({ authEnabled: true, name: 'x', scopes: 'admin', tenants: [] });
    f({ authEnabled: true, name: 'x', scopes: [], tenants: 'a' });
  });
});

describe('hasScope', () => {
  it('admin implies every scope; open mode allows everything', () => {
    const f = (m: Me, scope: Parameters<typeof hasScope>[1], want: boolean): void => assert.equal(hasScope(m, scope), want, `${m.scopes} ${scope}`);
    f(me({ scopes: ['logs:read'] }), 'logs:read', true);
    f(me({ scopes: ['logs:read'] }), 'admin', false);
    f(me({ scopes: ['logs:read'] }), 'rules:write', false);
    f(me({ scopes: ['admin'] }), 'rules:write', true);
    f(me({ scopes: [], authEnabled: false }), 'admin', true);
  });
});

describe('tenant picker', () => {
  it('a list of tenants is a select with the default first when missing; * is free text', () => {
    assert.deepEqual(tenantPicker(me({})), { kind: 'list', tenants: ['a', 'b'], defaultTenant: 'a' });
    assert.deepEqual(tenantPicker(me({ tenants: ['b'], defaultTenant: 'a' })), { kind: 'list', tenants: ['a', 'b'], defaultTenant: 'a' });
    assert.deepEqual(tenantPicker(me({ tenants: '*', defaultTenant: 'default' })), { kind: 'free', defaultTenant: 'default', suggestions: ['default'] });
    // Admins may read the reserved audit tenant, so it is suggested to them only.
    assert.deepEqual(tenantPicker(me({ tenants: '*', scopes: ['admin'], defaultTenant: 'ops' })), { kind: 'free', defaultTenant: 'ops', suggestions: ['ops', '_audit'] });
    assert.deepEqual(tenantPicker(parseMe({ authEnabled: false })), { kind: 'free', defaultTenant: 'default', suggestions: ['default'] });
  });

  it('uses the remembered tenant only when the user may', () => {
    const f = (remembered: string, m: Me, want: string): void => assert.equal(effectiveTenant(remembered, m), want, `${remembered} for ${JSON.stringify(m.tenants)}`);
    f('b', me({}), 'b');
    f('c', me({}), 'a');
    f('', me({}), 'a');
    f(' b ', me({}), 'b');
    f('anything', me({ tenants: '*' }), 'anything');
    f('', me({ tenants: '*', defaultTenant: 'ops' }), 'ops');
    // Open mode: as typed, empty = the server's default.
    f('', parseMe({ authEnabled: false }), '');
    f('x', parseMe({ authEnabled: false }), 'x');
  });
});

describe('login errors', () => {
  it('formats waits', () => {
    const f = (s: number, want: string): void => assert.equal(formatWait(s), want, String(s));
    f(0, '1 s');
    f(0.2, '1 s');
    f(59, '59 s');
    f(60, '1 min');
    f(90, '1 min 30 s');
    f(3600, '1 h');
    f(3720, '1 h 2 min');
  });

  it('says what went wrong without telling which part of the credentials', () => {
    const now = 1_000_000;
    const f = (status: number, msg: string, retry: number | undefined, want: ReturnType<typeof loginFailure>): void => assert.deepEqual(loginFailure(status, msg, retry, now), want);
    f(401, 'invalid credentials', undefined, { message: 'Wrong user name or password.' });
    f(429, 'too many failed logins', 90, { message: 'Too many failed logins. Try again in 1 min 30 s.', retryAtMs: now + 90_000 });
    f(429, 'too many failed logins', undefined, { message: 'Too many failed logins. Try again in 1 min.', retryAtMs: now + 60_000 });
    f(0, 'cannot reach LogSentinel (fetch failed) — is the server running?', undefined, { message: 'Cannot reach LogSentinel (fetch failed) — is the server running?' });
    f(500, 'internal error (request id 7)', undefined, { message: 'Cannot log in: internal error (request id 7)' });
    f(503, '', undefined, { message: 'Cannot log in: HTTP 503' });
  });
});

describe('apiErrorMessage', () => {
  it('reads the auth API, the JSON APIs and Loki plain text', () => {
    const f = (body: string, want: string): void => assert.equal(apiErrorMessage(body), want, body);
    f('{"error":"unauthenticated","message":"cannot read logs: no credentials"}', 'cannot read logs: no credentials');
    f('{"status":"error","errorType":"bad_data","error":"cannot parse query"}', 'cannot parse query');
    f('parse error at line 1, col 2: x\n', 'parse error at line 1, col 2: x');
    f('', '');
    f('{"other":1}', '{"other":1}');
  });
});
