/**
 * The AuthService over a real DuckDB credentials store: tokens, passwords and sessions become
 * principals only while valid; revocations made elsewhere are seen once the 2 s cache expires;
 * failed logins are throttled and audited without secrets.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogSentinelError } from '../errors.js';
import { registerSecret } from '../testing/secrets.js';
import { AuthAdmin, type Actor } from './admin.js';
import { LoginThrottle } from './login-throttle.js';
import { authFixture, type AuthFixture } from './testing/fixture.js';
import { VALIDATION_TTL_MS } from './credential-cache.js';
import { AuditTrail } from './audit.js';
import { AuthService } from './auth-service.js';
import { createLogger } from '../telemetry/logger.js';

describe('AuthService', () => {
  let f: AuthFixture;
  let admin: AuthAdmin;
  let actor: Actor;
  before(async () => {
    f = await authFixture({ throttle: new LoginThrottle({ freeByUser: 3, now: () => f.clock.now }) });
    admin = new AuthAdmin(f.svc);
    actor = { principal: { kind: 'user', id: 'root', name: 'root', scopes: ['admin'], tenants: '*', defaultTenant: 'default' }, ip: '10.1.1.1' };
  });
  after(() => f.close());

  it('a token is its principal while it is valid; malformed, unknown, wrong and revoked tokens are not', async () => {
    const t = await admin.createToken({ name: 'ci', scopes: ['logs:write'], tenants: ['a', 'b'] }, actor);
    registerSecret(t.token);
    const p = await f.svc.tokenPrincipal(t.token);
    assert.deepEqual(p, { kind: 'token', id: t.id, name: 'ci', scopes: ['logs:write'], tenants: ['a', 'b'], defaultTenant: 'a' });
    const wrongSecret = t.token.slice(0, -4) + (t.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const bad of ['', 'lst_', 'nonsense', wrongSecret, `lst_aaaaaaaaaaaa_${'x'.repeat(43)}`]) assert.equal(await f.svc.tokenPrincipal(bad), undefined, bad);
    await admin.revokeToken(t.id, actor);
    assert.equal(await f.svc.tokenPrincipal(t.token), undefined, 'revoked through this process: refused at once');
  });

  it('an expired token is refused from its expiry on', async () => {
    const t = await admin.createToken({ name: 'short', scopes: ['logs:read'], tenants: '*', ttl: '1h' }, actor);
    registerSecret(t.token);
    assert.ok(await f.svc.tokenPrincipal(t.token));
    f.clock.now += 3_600_000;
    assert.equal(await f.svc.tokenPrincipal(t.token), undefined);
  });

  it('a revocation made by another process is seen within the cache TTL', async () => {
    const t = await admin.createToken({ name: 'shared', scopes: ['logs:read'], tenants: '*' }, actor);
    registerSecret(t.token);
    assert.ok(await f.svc.tokenPrincipal(t.token));
    await f.store.revokeToken(t.id, f.clock.now); // "another pod": straight to the store
    assert.ok(await f.svc.tokenPrincipal(t.token), 'still cached');
    f.clock.now += VALIDATION_TTL_MS;
    assert.equal(await f.svc.tokenPrincipal(t.token), undefined);
  });

  it('user passwords: right, wrong, unknown user, disabled; failures are audited without the password', async () => {
    const pw = 'pw-' + Math.random().toString(36).slice(2, 12);
    registerSecret(pw);
    await admin.createUser({ name: 'alice', password: pw, scopes: ['logs:read'], tenants: ['t1'] }, actor);
    const p = await f.svc.passwordPrincipal('alice', pw, '10.0.0.1', 'basic');
    assert.deepEqual(p, { kind: 'user', id: 'alice', name: 'alice', scopes: ['logs:read'], tenants: ['t1'], defaultTenant: 't1' });
    assert.deepEqual(await f.svc.passwordPrincipal('alice', pw, '10.0.0.1', 'basic'), p, 'a proven password is remembered (no second scrypt)');
    assert.equal(await f.svc.passwordPrincipal('alice', pw + 'x', '10.0.0.1', 'basic'), undefined);
    assert.equal(await f.svc.passwordPrincipal('mallory', pw, '10.0.0.1', 'basic'), undefined);
    await admin.updateUser('alice', { disabled: true }, actor);
    assert.equal(await f.svc.passwordPrincipal('alice', pw, '10.0.0.1', 'basic'), undefined);
    const failures = f.audit.filter((a) => a.action === 'login' && a.outcome === 'failure');
    assert.deepEqual(failures.map((a) => [a.actor, a.reason, a.via]), [['alice', 'wrong password', 'basic'], ['mallory', 'unknown user', 'basic'], ['alice', 'user disabled', 'basic']]);
    assert.ok(!JSON.stringify(f.audit).includes(pw));
    await admin.updateUser('alice', { disabled: false }, actor);
  });

  it('throttles a user name after its free failures with RATE_LIMITED and Retry-After', async () => {
    const pw = 'throttle-' + Math.random().toString(36).slice(2, 12);
    registerSecret(pw);
    await admin.createUser({ name: 'bob', password: pw, scopes: ['logs:read'], tenants: '*' }, actor);
    for (let i = 0; i < 4; i++) assert.equal(await f.svc.passwordPrincipal('bob', 'wrong-password', '10.0.0.2', 'ui'), undefined);
    await assert.rejects(f.svc.passwordPrincipal('bob', pw, '10.0.0.3', 'ui'), (e: unknown) => e instanceof LogSentinelError && e.code === 'RATE_LIMITED' && e.retryAfter === 1);
    f.clock.now += 1000;
    assert.ok(await f.svc.passwordPrincipal('bob', pw, '10.0.0.3', 'ui'), 'after the lockout the right password works');
  });

  it('login makes a session; the session is a principal until logout, expiry or a password change', async () => {
    const pw = 'session-' + Math.random().toString(36).slice(2, 12);
    registerSecret(pw);
    await admin.createUser({ name: 'carol', password: pw, scopes: ['logs:read', 'rules:read'], tenants: ['x'] }, actor);
    await assert.rejects(f.svc.login('carol', 'nope-nope', '10.0.0.4'), (e: unknown) => e instanceof LogSentinelError && e.code === 'UNAUTHENTICATED' && e.message === 'cannot log in: invalid credentials');
    const a = await f.svc.login('carol', pw, '10.0.0.4');
    registerSecret(a.cookieValue, a.session.csrfToken);
    const s = await f.svc.sessionPrincipal(a.cookieValue);
    assert.equal(s?.principal.kind, 'session');
    assert.equal(s?.principal.name, 'carol');
    assert.equal(s?.session.csrfToken, a.session.csrfToken);
    assert.equal(await f.svc.sessionPrincipal(a.cookieValue + 'x'), undefined);
    await f.svc.logout(a.cookieValue, '10.0.0.4');
    assert.equal(await f.svc.sessionPrincipal(a.cookieValue), undefined, 'logged out');

    const b = await f.svc.login('carol', pw, '10.0.0.4');
    registerSecret(b.cookieValue, b.session.csrfToken);
    f.clock.now += 12 * 3_600_000;
    f.svc.cache.forgetSession(b.session.idHash);
    assert.equal(await f.svc.sessionPrincipal(b.cookieValue), undefined, 'idle for 12 h');

    const c = await f.svc.login('carol', pw, '10.0.0.4');
    registerSecret(c.cookieValue, c.session.csrfToken);
    await admin.updateUser('carol', { password: pw + '-new' }, actor);
    registerSecret(pw + '-new');
    f.clock.now += VALIDATION_TTL_MS;
    assert.equal(await f.svc.sessionPrincipal(c.cookieValue), undefined, 'a new password ends the sessions');
    const actions = f.audit.filter((e) => e.actor === 'carol').map((e) => `${e.action}:${e.outcome}`);
    assert.deepEqual(actions, ['login:failure', 'login:success', 'logout:success', 'login:success', 'login:success']);
  });

  it('records last use off the request path', async () => {
    const t = await admin.createToken({ name: 'used', scopes: ['logs:read'], tenants: '*' }, actor);
    registerSecret(t.token);
    await f.svc.tokenPrincipal(t.token);
    assert.equal((await f.store.getToken(t.id))?.lastUsedAt, undefined, 'not written by the request itself');
    await f.svc.close(); // flushes
    const again = await authFixtureStoreRead(f, t.id);
    assert.equal(again, f.clock.now);
  });
});

/** Reads a token's lastUsedAt through a fresh service (the fixture's was closed). */
async function authFixtureStoreRead(f: AuthFixture, id: string): Promise<number | undefined> {
  const { duckdbAuthStore } = await import('./duckdb-auth-store.js');
  const store = duckdbAuthStore(f.storage);
  const logger = createLogger('silent');
  const svc = new AuthService({ logger, audit: new AuditTrail(() => undefined, logger) });
  svc.attach(store);
  const t = await svc.storeOf().getToken(id);
  return t?.lastUsedAt;
}

describe('AuthService before its store is open', () => {
  it('answers NOT_READY (503 with Retry-After), never a principal', async () => {
    const logger = createLogger('silent');
    const svc = new AuthService({ logger, audit: new AuditTrail(() => undefined, logger) });
    await assert.rejects(svc.tokenPrincipal('lst_x'), (e: unknown) => e instanceof LogSentinelError && e.code === 'NOT_READY' && e.retryAfter === 1);
    await assert.rejects(svc.sessionPrincipal('x'), (e: unknown) => e instanceof LogSentinelError && e.code === 'NOT_READY');
  });
});
