/**
 * Managing users and tokens: what bodies are refused and why, that lists never carry secrets,
 * that the last admin credential cannot be removed, and that every action — refused ones too —
 * is in the audit trail without a password or token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogSentinelError } from '../errors.js';
import { registerSecret } from '../testing/secrets.js';
import { AuthAdmin, type Actor } from './admin.js';
import { authFixture, type AuthFixture } from './testing/fixture.js';

describe('AuthAdmin', () => {
  let f: AuthFixture;
  let admin: AuthAdmin;
  const actor: Actor = { principal: { kind: 'token', id: 'aaaaaaaaaaaa', name: 'ops', scopes: ['admin'], tenants: '*', defaultTenant: 'default' }, ip: '192.0.2.1' };
  before(async () => {
    f = await authFixture();
    admin = new AuthAdmin(f.svc);
  });
  after(() => f.close());

  const refused = async (p: Promise<unknown>, code: string, want: RegExp): Promise<void> => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof LogSentinelError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, want);
      return true;
    });
  };

  it('refuses bad user bodies, naming what is wrong', async () => {
    const f1 = (body: unknown, want: RegExp): Promise<void> => refused(admin.createUser(body, actor), 'BAD_REQUEST', want);
    const ok = { name: 'dave', password: 'long-enough', scopes: ['logs:read'], tenants: ['a'] };
    await f1([], /^cannot create user: the body must be a JSON object$/);
    await f1({ ...ok, role: 'x' }, /unknown field "role"/);
    await f1({ ...ok, name: 'has space' }, /name must be 1-64 of/);
    await f1({ ...ok, password: 'short' }, /password must be at least 8 characters/);
    await f1({ ...ok, scopes: ['root'] }, /unknown scope "root"/);
    await f1({ ...ok, tenants: [] }, /tenants must be "\*" or a non-empty list/);
    await f1({ ...ok, defaultTenant: 'b' }, /the default tenant "b" is not one of its tenants \(a\)/);
    await f1({ ...ok, disabled: 'no' }, /disabled must be true or false/);
    await f1({ ...ok, ttl: 'forever' }, /ttl "forever" is not a duration/);
    const messages = f.audit.filter((a) => a.action === 'user.create').map((a) => a.outcome);
    assert.equal(messages.length, 9, 'every refusal is audited');
    assert.ok(messages.every((o) => o === 'failure'));
  });

  it('creates, lists, updates and deletes users; no list or answer carries a hash', async () => {
    registerSecret('long-enough', 'another-password');
    const u = await admin.createUser({ name: 'erin', password: 'long-enough', scopes: ['logs:read', 'logs:write'], tenants: ['a', 'b'], defaultTenant: 'b', ttl: '30d' }, actor);
    assert.equal(u.defaultTenant, 'b');
    assert.equal(u.expiresAt, new Date(f.clock.now + 30 * 86_400_000).toISOString());
    await refused(admin.createUser({ name: 'erin', password: 'long-enough', scopes: ['admin'], tenants: '*' }, actor), 'CONFLICT', /a user of that name exists/);
    const list = await admin.listUsers();
    assert.ok(list.some((x) => x.name === 'erin'));
    assert.ok(!JSON.stringify(list).includes('scrypt'));
    const up = await admin.updateUser('erin', { tenants: ['c'], password: 'another-password', expiresAt: null }, actor);
    assert.deepEqual([up.tenants, up.defaultTenant, up.expiresAt], [['c'], 'c', null], 'the default follows a new tenant set');
    await refused(admin.updateUser('nobody', { disabled: true }, actor), 'NOT_FOUND', /^cannot update user nobody: no such user$/);
    await refused(admin.updateUser('erin', { name: 'x' }, actor), 'BAD_REQUEST', /unknown field "name"/);
    await admin.deleteUser('erin', actor);
    await refused(admin.deleteUser('erin', actor), 'NOT_FOUND', /no such user/);
    const updates = f.audit.filter((a) => a.target === 'erin' && a.outcome === 'success').map((a) => [a.action, a.changed ?? null]);
    assert.deepEqual(updates, [['user.create', null], ['user.update', ['password', 'tenants', 'defaultTenant', 'expiresAt']], ['user.delete', null]]);
    assert.ok(!JSON.stringify(f.audit).includes('long-enough') && !JSON.stringify(f.audit).includes('another-password'));
  });

  it('creates tokens shown once; lists them without value or hash; revokes by id only', async () => {
    const t = await admin.createToken({ name: 'vector', scopes: ['logs:write'], tenants: ['prod'], expiresAt: '2027-06-01T00:00:00Z' }, actor);
    registerSecret(t.token);
    assert.equal(t.createdBy, 'ops');
    assert.equal(t.expiresAt, '2027-06-01T00:00:00.000Z');
    const listed = JSON.stringify(await admin.listTokens());
    assert.ok(listed.includes(t.id) && !listed.includes(t.token) && !listed.includes((await f.store.getToken(t.id))!.hash));
    await refused(admin.createToken({ name: 'x', scopes: ['logs:write'], tenants: ['prod'], ttl: '1d', expiresAt: '2027-01-01T00:00:00Z' }, actor), 'BAD_REQUEST', /not both/);
    await refused(admin.revokeToken(t.token, actor), 'NOT_FOUND', /^cannot revoke token \(not a token id\): no such token$/);
    await refused(admin.revokeToken('zzzzzzzzzzzz', actor), 'NOT_FOUND', /no such token/);
    await admin.revokeToken(t.id, actor);
    assert.ok((await admin.listTokens()).find((x) => x.id === t.id)?.revokedAt);
    const text = JSON.stringify(f.audit);
    assert.ok(!text.includes(t.token), 'the audit trail never holds a token, even one pasted as an id');
  });

  it('keeps the last admin credential', async () => {
    registerSecret('root-password');
    await admin.createUser({ name: 'root', password: 'root-password', scopes: ['admin'], tenants: '*' }, actor);
    await refused(admin.deleteUser('root', actor), 'CONFLICT', /^cannot delete user root: it is the last admin credential/);
    await refused(admin.updateUser('root', { disabled: true }, actor), 'CONFLICT', /last admin credential/);
    await refused(admin.updateUser('root', { scopes: ['logs:read'] }, actor), 'CONFLICT', /last admin credential/);
    const t = await admin.createToken({ name: 'break-glass', scopes: ['admin'], tenants: '*' }, actor);
    registerSecret(t.token);
    await admin.updateUser('root', { scopes: ['logs:read'] }, actor);
    await refused(admin.revokeToken(t.id, actor), 'CONFLICT', /^cannot revoke token [a-z2-7]{12}: it is the last admin credential/);
  });
});
