import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogSentinelError } from '../errors.js';
import { defaultTenantOf, describeTenantSet, parseTenantSet, tenantInSet, type TenantSet } from './tenant-set.js';
import { hasScope, parseScopes } from './scopes.js';

test('tenantInSet: * is every tenant but the reserved ones', () => {
  const f = (set: TenantSet, t: string, want: boolean): void => assert.equal(tenantInSet(set, t), want, `${JSON.stringify(set)} ${t}`);
  f('*', 'a', true);
  f('*', '_audit', false);
  f(['a', 'b'], 'b', true);
  f(['a', 'b'], 'c', false);
  f([], 'a', false);
});

test('parseTenantSet and defaultTenantOf accept', () => {
  assert.equal(parseTenantSet('*', 'x'), '*');
  assert.equal(parseTenantSet(['*'], 'x'), '*');
  assert.deepEqual(parseTenantSet(['a', 'b', 'a'], 'x'), ['a', 'b']);
  assert.deepEqual(parseTenantSet('a, b', 'x'), ['a', 'b']);
  assert.equal(defaultTenantOf('*', undefined, 'x'), 'default');
  assert.equal(defaultTenantOf('*', 'team-1', 'x'), 'team-1');
  assert.equal(defaultTenantOf(['a', 'b'], undefined, 'x'), 'a');
  assert.equal(defaultTenantOf(['a', 'b'], 'b', 'x'), 'b');
  assert.equal(describeTenantSet(['a', 'b']), 'a, b');
  assert.equal(describeTenantSet('*'), 'every tenant');
});

test('parseTenantSet and defaultTenantOf refuse', () => {
  const f = (fn: () => unknown, want: RegExp): void =>
    assert.throws(fn, (e: unknown) => e instanceof LogSentinelError && e.code === 'BAD_REQUEST' && want.test(e.message));
  f(() => parseTenantSet(undefined, 'create token'), /^cannot create token: tenants must be "\*" or a non-empty list/);
  f(() => parseTenantSet([], 'x'), /non-empty list/);
  f(() => parseTenantSet(['a|b'], 'x'), /"a\|b" is not a tenant id/);
  f(() => parseTenantSet(['_audit'], 'x'), /tenant _audit is reserved/);
  f(() => parseTenantSet([3], 'x'), /3 is not a tenant id/);
  f(() => defaultTenantOf(['a'], 'b', 'x'), /the default tenant "b" is not one of its tenants \(a\)/);
  f(() => defaultTenantOf('*', '_audit', 'x'), /not one of its tenants/);
});

test('scopes: admin implies all; parseScopes orders and checks', () => {
  assert.equal(hasScope(['admin'], 'logs:write'), true);
  assert.equal(hasScope(['logs:read'], 'logs:read'), true);
  assert.equal(hasScope(['logs:read'], 'logs:write'), false);
  assert.equal(hasScope([], 'rules:read'), false);
  assert.deepEqual(parseScopes(['admin', 'logs:write', 'logs:write'], 'x'), ['logs:write', 'admin']);
  assert.deepEqual(parseScopes('logs:read,rules:read', 'x'), ['logs:read', 'rules:read']);
  assert.throws(() => parseScopes([], 'x'), /scopes must be a non-empty list/);
  assert.throws(() => parseScopes(['logs:delete'], 'x'), /unknown scope "logs:delete"/);
});
