import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogSentinelError } from '../errors.js';
import type { Principal } from '../auth/credential.js';
import { resolveTenants } from './tenant.js';

const team: Principal = { kind: 'token', id: 'abcdefghij23', name: 'grafana', scopes: ['logs:read', 'logs:write', 'rules:read'], tenants: ['a', 'b'], defaultTenant: 'a' };
const all: Principal = { ...team, name: 'ops', tenants: '*', defaultTenant: 'default' };
const admin: Principal = { ...team, name: 'root', scopes: ['admin'], tenants: '*', defaultTenant: 'default' };

test('resolveTenants: what a credential may use', () => {
  const f = (use: Parameters<typeof resolveTenants>[0], raw: string | undefined, p: Principal, want: string[]): void => assert.deepEqual(resolveTenants(use, raw, p), want, `${use} ${raw} ${p.name}`);
  f('read', undefined, team, ['a']);
  f('read', 'b', team, ['b']);
  f('read', 'a|b', team, ['a', 'b']);
  f('read', ' b | a | b ', team, ['b', 'a']);
  f('tail', 'b', team, ['b']);
  f('write', undefined, team, ['a']);
  f('write', 'b', team, ['b']);
  f('rules', 'b', team, ['b']);
  f('read', 'anything', all, ['anything']);
  f('read', undefined, all, ['default']);
  f('read', '_audit', admin, ['_audit']);
  f('read', '_audit|x', admin, ['_audit', 'x']);
});

test('resolveTenants: refusals name the tenant and what the credential may use', () => {
  const f = (use: Parameters<typeof resolveTenants>[0], raw: string | undefined, p: Principal, code: string, want: string): void =>
    assert.throws(
      () => resolveTenants(use, raw, p),
      (e: unknown) => e instanceof LogSentinelError && e.code === code && e.message === want,
      `${use} ${raw}`,
    );
  f('read', 'c', team, 'FORBIDDEN', 'cannot read tenant "c": the credential grafana may use tenants a, b');
  f('read', 'a|c', team, 'FORBIDDEN', 'cannot read tenant "c": the credential grafana may use tenants a, b');
  f('write', 'c', team, 'FORBIDDEN', 'cannot push for tenant "c": the credential grafana may use tenants a, b');
  f('rules', 'c', team, 'FORBIDDEN', 'cannot manage rules of tenant "c": the credential grafana may use tenants a, b');
  f('read', '_audit', all, 'FORBIDDEN', 'cannot read tenant "_audit": the audit trail is readable with scope admin only');
  f('write', '_audit', admin, 'FORBIDDEN', 'cannot push for tenant "_audit": it is reserved for the audit trail');
  f('rules', '_audit', admin, 'FORBIDDEN', 'cannot manage rules of tenant "_audit": it is reserved for the audit trail');
  f('write', 'a|b', team, 'INVALID_TENANT', 'cannot push for tenant "a|b": a push belongs to exactly one tenant');
  f('write', 'a/b', team, 'INVALID_TENANT', "cannot push for tenant \"a/b\": tenant ids are 1-150 of [a-zA-Z0-9!-_.*'()]");
  f('rules', 'a|b', team, 'INVALID_TENANT', "cannot manage rules of tenant \"a|b\": tenant ids are 1-150 of [a-zA-Z0-9!-_.*'()], one tenant per request");
  f('read', 'a|b/c', team, 'INVALID_TENANT', "cannot read tenant \"b/c\": tenant ids are 1-150 of [a-zA-Z0-9!-_.*'()]");
  f('read', '|', team, 'INVALID_TENANT', "cannot read tenant \"|\": tenant ids are 1-150 of [a-zA-Z0-9!-_.*'()]");
});
