/**
 * The tenants a credential may use: a list, or `*` for every tenant except the reserved ones.
 * The reserved tenant `_audit` holds the audit trail: it is readable with scope `admin` only,
 * whatever the tenant set, and nobody can push to it (docs/specs/auth.md).
 */
import { LogSentinelError } from '../errors.js';
import { DEFAULT_TENANT, isValidTenant } from '../model/tenant.js';

export type TenantSet = '*' | readonly string[];

export const AUDIT_TENANT = '_audit';

export function isReservedTenant(t: string): boolean {
  return t === AUDIT_TENANT;
}

/** Whether `set` holds `tenant` (reserved tenants are in no set). */
export function tenantInSet(set: TenantSet, tenant: string): boolean {
  if (isReservedTenant(tenant)) return false;
  return set === '*' || set.includes(tenant);
}

/** `a, b` or `every tenant`, for messages. */
export function describeTenantSet(set: TenantSet): string {
  return set === '*' ? 'every tenant' : set.length === 0 ? 'no tenant' : set.join(', ');
}

/** `*` or a non-empty list of valid, unreserved tenant ids (a comma-separated string too). */
export function parseTenantSet(v: unknown, what: string): TenantSet {
  if (v === '*') return '*';
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
  if (Array.isArray(list) && list.length === 1 && list[0] === '*') return '*';
  if (!Array.isArray(list) || list.length === 0) throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: tenants must be "*" or a non-empty list of tenant ids`);
  for (const t of list) {
    if (typeof t !== 'string' || !isValidTenant(t)) throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: ${JSON.stringify(t)} is not a tenant id (1-150 of [a-zA-Z0-9!-_.*'()])`);
    if (isReservedTenant(t)) throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: tenant ${t} is reserved (the audit trail is readable with scope admin)`);
  }
  return [...new Set(list as string[])];
}

/** The default tenant of a set: `given` when it is in the set, else the first listed (`default` for `*`). */
export function defaultTenantOf(set: TenantSet, given: unknown, what: string): string {
  if (given === undefined || given === null || given === '') return set === '*' ? DEFAULT_TENANT : set[0];
  if (typeof given !== 'string' || !tenantInSet(set, given)) {
    throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: the default tenant ${JSON.stringify(given)} is not one of its tenants (${describeTenantSet(set)})`);
  }
  return given;
}
