/** Tenant resolution from `X-Scope-OrgID` (Loki's convention); `a|b` reads several tenants. */
import type { FastifyRequest } from 'fastify';
import { LogSentinelError } from '../errors.js';
import { DEFAULT_TENANT, isValidTenant } from '../model/tenant.js';

function header(req: FastifyRequest): string | undefined {
  const h = req.headers['x-scope-orgid'];
  const v = Array.isArray(h) ? h[0] : h;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** The single tenant a write belongs to. */
export function writeTenant(req: FastifyRequest): string {
  const t = header(req) ?? DEFAULT_TENANT;
  if (t.includes('|')) throw new LogSentinelError('INVALID_TENANT', `cannot push for tenant ${JSON.stringify(t)}: a push belongs to exactly one tenant`);
  if (!isValidTenant(t)) throw new LogSentinelError('INVALID_TENANT', `cannot push for tenant ${JSON.stringify(t)}: tenant ids are 1-150 of [a-zA-Z0-9!-_.*'()]`);
  return t;
}

/**
 * The tenants a read covers (`a|b` = both). `fallback` is used when the request has no
 * `X-Scope-OrgID` header: browsers cannot set headers on a WebSocket, so the tail endpoint also
 * takes the tenant from its `orgId` query parameter.
 */
export function readTenants(req: FastifyRequest, fallback?: string): string[] {
  const raw = header(req) ?? (fallback?.trim() || DEFAULT_TENANT);
  const ts = [...new Set(raw.split('|').map((s) => s.trim()).filter(Boolean))];
  for (const t of ts) {
    if (!isValidTenant(t)) throw new LogSentinelError('INVALID_TENANT', `cannot read tenant ${JSON.stringify(t)}: tenant ids are 1-150 of [a-zA-Z0-9!-_.*'()]`);
  }
  return ts.length ? ts : [DEFAULT_TENANT];
}
