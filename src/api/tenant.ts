/**
 * The tenants of a request. The resolver (auth-resolver.ts) decides them once, before the route
 * runs, from `X-Scope-OrgID` (Loki's convention; `a|b` reads several), else the tail's `orgId`
 * parameter (browsers cannot set headers on a WebSocket), else the user name of basic auth with a
 * token as password, else the credential's default tenant — and checks each against the
 * credential's tenant set. Routes read the result through `requestTenant`/`requestTenants`
 * (auth-resolver.ts) and never the header.
 */
import type { FastifyRequest } from 'fastify';
import { LogSentinelError } from '../errors.js';
import { isValidTenant } from '../model/tenant.js';
import type { Principal } from '../auth/credential.js';
import { hasScope } from '../auth/scopes.js';
import { describeTenantSet, isReservedTenant, tenantInSet } from '../auth/tenant-set.js';
import type { TenantUse } from './route-scopes.js';

const TENANT_RULE = "tenant ids are 1-150 of [a-zA-Z0-9!-_.*'()]";

/**
 * The `X-Scope-OrgID` header, trimmed, or undefined when absent or blank. Some clients (the
 * Elasticsearch client's bulk helper) send it twice; Node would join the copies with ", ", so
 * the copies are read one by one: equal ones are one tenant, different ones a 400.
 */
export function tenantHeader(req: FastifyRequest): string | undefined {
  // headersDistinct is absent on injected requests (tests): then the one joined value.
  const h = req.headers['x-scope-orgid'];
  const all = req.raw.headersDistinct?.['x-scope-orgid'] ?? (h === undefined ? [] : Array.isArray(h) ? h : [h]);
  const values = [...new Set(all.map((v) => v.trim()).filter((v) => v !== ''))];
  if (values.length > 1) throw new LogSentinelError('INVALID_TENANT', `cannot use tenant header X-Scope-OrgID: it was sent ${values.length} times with different values`);
  return values[0];
}

function outside(verb: string, t: string, p: Principal): LogSentinelError {
  return new LogSentinelError('FORBIDDEN', `cannot ${verb} ${JSON.stringify(t)}: the credential ${p.name} may use ${p.tenants === '*' ? 'every tenant' : `tenants ${describeTenantSet(p.tenants)}`}`);
}

/**
 * The tenants `raw` names (undefined: the principal's default) for a use, checked against what
 * the principal may use: 400 for a malformed id, 403 for one outside its set.
 */
export function resolveTenants(use: Exclude<TenantUse, 'none'>, raw: string | undefined, p: Principal): string[] {
  const wanted = raw ?? p.defaultTenant;
  if (use === 'write' || use === 'rules' || use === 'saved-queries') {
    const verb = use === 'write' ? 'push for tenant' : use === 'rules' ? 'manage rules of tenant' : 'use the saved queries of tenant';
    if (use === 'write' && wanted.includes('|')) throw new LogSentinelError('INVALID_TENANT', `cannot push for tenant ${JSON.stringify(wanted)}: a push belongs to exactly one tenant`);
    if (!isValidTenant(wanted)) {
      throw new LogSentinelError('INVALID_TENANT', `cannot ${verb} ${JSON.stringify(wanted)}: ${TENANT_RULE}${use !== 'write' ? ', one tenant per request' : ''}`);
    }
    if (isReservedTenant(wanted)) throw new LogSentinelError('FORBIDDEN', `cannot ${verb} ${JSON.stringify(wanted)}: it is reserved for the audit trail`);
    if (!tenantInSet(p.tenants, wanted)) throw outside(verb, wanted, p);
    return [wanted];
  }
  const ts = [...new Set(wanted.split('|').map((s) => s.trim()).filter(Boolean))];
  if (ts.length === 0) throw new LogSentinelError('INVALID_TENANT', `cannot read tenant ${JSON.stringify(wanted)}: ${TENANT_RULE}`);
  for (const t of ts) if (!isValidTenant(t)) throw new LogSentinelError('INVALID_TENANT', `cannot read tenant ${JSON.stringify(t)}: ${TENANT_RULE}`);
  for (const t of ts) {
    if (isReservedTenant(t)) {
      if (!hasScope(p.scopes, 'admin')) throw new LogSentinelError('FORBIDDEN', `cannot read tenant ${JSON.stringify(t)}: the audit trail is readable with scope admin only`);
    } else if (!tenantInSet(p.tenants, t)) {
      throw outside('read tenant', t, p);
    }
  }
  return ts;
}
