import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { failureMessage, formatScopes, formatTenants, formatWhen, parseTenantsInput, parseTokens, parseUsers, passwordProblem, sortTokens, timeOf, tokenRequest, tokenStatus, userNameProblem, userRequest, userStatus, type TokenForm, type TokenRecord, type UserForm } from '../../ui/src/components/admin/admin-model.js';

const NOW = Date.parse('2025-11-22T12:00:00Z');

describe('admin lists', () => {
  it('reads users and tokens, RFC 3339 or epoch ms times, and never invents fields', () => {
    const users = parseUsers({ users: [{ name: 'ann', scopes: ['admin'], tenants: '*', defaultTenant: 'default', disabled: false, createdAt: '2025-11-01T00:00:00Z', lastUsedAt: null }, { name: 'bob', scopes: ['logs:read'], tenants: ['a'], disabled: true, expiresAt: NOW - 1 }] });
    assert.deepEqual(users, [
      { name: 'ann', scopes: ['admin'], tenants: '*', defaultTenant: 'default', disabled: false, expiresAt: undefined, createdAt: Date.parse('2025-11-01T00:00:00Z'), lastUsedAt: undefined },
      { name: 'bob', scopes: ['logs:read'], tenants: ['a'], defaultTenant: undefined, disabled: true, expiresAt: NOW - 1, createdAt: undefined, lastUsedAt: undefined },
    ]);
    const tokens = parseTokens([{ id: 'abcdefghijkl', name: 'vector', scopes: ['logs:write'], tenants: ['a'], createdBy: 'ann', createdAt: NOW - 5000, revokedAt: '2025-11-22T11:00:00Z' }]);
    assert.equal(tokens[0].revokedAt, Date.parse('2025-11-22T11:00:00Z'));
    assert.equal(tokens[0].createdBy, 'ann');
    assert.equal(parseTokens({ tokens: [] }).length, 0);
    assert.throws(() => parseTokens({ nope: 1 }), /cannot read the tokens list/);
    assert.throws(() => parseUsers('x'), /cannot read the users list/);
  });

  it('times', () => {
    const f = (v: unknown, want: number | undefined): void => assert.equal(timeOf(v), want, String(v));
    f('2025-11-22T12:00:00Z', NOW);
    f(NOW, NOW);
    f(null, undefined);
    f('', undefined);
    f('garbage', undefined);
    f(0, undefined);
  });

  it('statuses: revoked wins over expired; disabled over expired', () => {
    const tok = (o: Partial<TokenRecord>): TokenRecord => ({ id: 'i', name: 'n', scopes: [], tenants: [], ...o });
    assert.equal(tokenStatus(tok({}), NOW), 'active');
    assert.equal(tokenStatus(tok({ expiresAt: NOW + 1 }), NOW), 'active');
    assert.equal(tokenStatus(tok({ expiresAt: NOW }), NOW), 'expired');
    assert.equal(tokenStatus(tok({ expiresAt: NOW - 1, revokedAt: NOW - 2 }), NOW), 'revoked');
    const user = { name: 'u', scopes: [], tenants: [] as string[], disabled: false };
    assert.equal(userStatus(user, NOW), 'active');
    assert.equal(userStatus({ ...user, expiresAt: NOW - 1 }, NOW), 'expired');
    assert.equal(userStatus({ ...user, disabled: true, expiresAt: NOW - 1 }, NOW), 'disabled');
  });

  it('lists active tokens first, newest first', () => {
    const tok = (name: string, createdAt: number, o: Partial<TokenRecord> = {}): TokenRecord => ({ id: name, name, scopes: [], tenants: [], createdAt, ...o });
    const sorted = sortTokens([tok('old', 1), tok('revoked-new', 9, { revokedAt: 10 }), tok('new', 5), tok('expired', 7, { expiresAt: NOW - 1 })], NOW);
    assert.deepEqual(sorted.map((t) => t.name), ['new', 'old', 'revoked-new', 'expired']);
  });

  it('formats times and tenants', () => {
    assert.equal(formatWhen(undefined, NOW), 'never');
    assert.equal(formatWhen(undefined, NOW, '—'), '—');
    assert.match(formatWhen(NOW - 3 * 86_400_000, NOW), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(3 d ago\)$/);
    assert.match(formatWhen(NOW + 30 * 86_400_000, NOW), /\(in 30 d\)$/);
    assert.match(formatWhen(NOW + 30 * 86_400_000 - 5000, NOW), /\(in 30 d\)$/);
    assert.match(formatWhen(NOW + 90 * 60_000, NOW), /\(in 2 h\)$/);
    assert.match(formatWhen(NOW + 20_000, NOW), /\(in less than a minute\)$/);
    assert.equal(formatScopes(['admin', 'logs:write', 'custom', 'logs:read']), 'logs:read, logs:write, admin, custom');
    assert.equal(formatScopes([]), '—');
    assert.equal(formatTenants('*'), 'every tenant');
    assert.equal(formatTenants('*', 'ops'), 'every tenant (default ops)');
    assert.equal(formatTenants(['a', 'b'], 'b'), 'a, b (default)');
    assert.equal(formatTenants(['a'], 'a'), 'a');
    assert.equal(formatTenants([]), 'none');
  });
});

describe('admin forms', () => {
  it('user names', () => {
    assert.equal(userNameProblem('ann.o-k_1@x'), undefined);
    assert.match(userNameProblem('') ?? '', /Enter a user name/);
    assert.match(userNameProblem('a b') ?? '', /1 to 64/);
    assert.match(userNameProblem('x'.repeat(65)) ?? '', /1 to 64/);
  });

  it('tenants: a list, or * alone; never the reserved audit tenant', () => {
    const ok = (text: string, want: string[] | '*'): void => assert.deepEqual(parseTenantsInput(text), { tenants: want }, text);
    ok('a', ['a']);
    ok('a, b  c,,a', ['a', 'b', 'c']);
    ok(' * ', '*');
    const bad = (text: string, want: RegExp): void => {
      const r = parseTenantsInput(text);
      assert.ok('error' in r && want.test(r.error), `${text}: ${JSON.stringify(r)}`);
    };
    bad('', /at least one tenant/);
    bad('a, *', /alone/);
    bad('a/b', /"a\/b" is not a tenant name/);
    bad('..', /not a tenant name/);
    bad('_audit', /reserved/);
  });

  it('refusals read as one sentence', () => {
    assert.equal(failureMessage('create user ann', new Error('cannot create user: password must be at least 8 characters long')), 'Cannot create user: password must be at least 8 characters long');
    assert.equal(failureMessage('revoke token ci', new Error('HTTP 502')), 'Cannot revoke token ci: HTTP 502');
    assert.equal(failureMessage('delete user bob', 'boom'), 'Cannot delete user bob: boom');
  });

  it('passwords', () => {
    assert.equal(passwordProblem('s3cret', 's3cret'), undefined);
    assert.match(passwordProblem('', '') ?? '', /Enter a password/);
    assert.match(passwordProblem('a', 'b') ?? '', /do not match/);
  });

  const userForm = (o: Partial<UserForm>): UserForm => ({ name: 'ann', password: 'pw', confirm: 'pw', scopes: ['logs:read'], tenants: 'a, b', defaultTenant: '', ...o });
  it('a user request', () => {
    assert.deepEqual(userRequest(userForm({})), { body: { name: 'ann', password: 'pw', scopes: ['logs:read'], tenants: ['a', 'b'] } });
    assert.deepEqual(userRequest(userForm({ name: ' ann ', defaultTenant: 'b', scopes: ['admin', 'bogus'] })), { body: { name: 'ann', password: 'pw', scopes: ['admin'], tenants: ['a', 'b'], defaultTenant: 'b' } });
    const bad = (f: UserForm, want: RegExp): void => {
      const r = userRequest(f);
      assert.ok('error' in r && want.test(r.error), JSON.stringify(r));
    };
    bad(userForm({ name: 'a b' }), /user name/);
    bad(userForm({ confirm: 'px' }), /do not match/);
    bad(userForm({ scopes: [] }), /at least one scope/);
    bad(userForm({ defaultTenant: 'c' }), /default tenant c must be one of the tenants/);
    bad(userForm({ tenants: '' }), /at least one tenant/);
  });

  const tokenForm = (o: Partial<TokenForm>): TokenForm => ({ name: 'vector', scopes: ['logs:write'], tenants: 'a', defaultTenant: '', expiry: '30d', expiryDate: '', ...o });
  it('a token request: a ttl, a day, or no expiry', () => {
    assert.deepEqual(tokenRequest(tokenForm({}), NOW), { body: { name: 'vector', scopes: ['logs:write'], tenants: ['a'], ttl: '30d' } });
    assert.deepEqual(tokenRequest(tokenForm({ expiry: 'never', tenants: '*', defaultTenant: 'ops' }), NOW), { body: { name: 'vector', scopes: ['logs:write'], tenants: '*', defaultTenant: 'ops' } });
    const dated = tokenRequest(tokenForm({ expiry: 'date', expiryDate: '2026-01-31' }), NOW);
    assert.ok('body' in dated);
    const at = new Date(dated.body.expiresAt!);
    // The end of that day in the browser's zone.
    assert.deepEqual([at.getFullYear(), at.getMonth(), at.getDate(), at.getHours(), at.getMinutes()], [2026, 0, 31, 23, 59]);
    assert.equal(dated.body.ttl, undefined);
    const bad = (f: TokenForm, want: RegExp): void => {
      const r = tokenRequest(f, NOW);
      assert.ok('error' in r && want.test(r.error), JSON.stringify(r));
    };
    bad(tokenForm({ name: ' ' }), /Name the token/);
    bad(tokenForm({ name: 'my token' }), /1 to 64 letters/);
    bad(tokenForm({ expiry: 'date', expiryDate: '' }), /Choose the day/);
    bad(tokenForm({ expiry: 'date', expiryDate: '2020-01-01' }), /in the past/);
    bad(tokenForm({ scopes: [] }), /at least one scope/);
  });
});
