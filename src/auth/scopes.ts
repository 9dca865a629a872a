/**
 * What a credential may do (docs/specs/auth.md): `logs:write` pushes, `logs:read` queries and
 * tails, `rules:read` and `rules:write` read and change alerting and recording rules, `admin`
 * manages users and tokens, reads the audit trail and implies every other scope.
 */
import { LogSentinelError } from '../errors.js';

export const SCOPES = ['logs:write', 'logs:read', 'rules:read', 'rules:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(s: unknown): s is Scope {
  return typeof s === 'string' && (SCOPES as readonly string[]).includes(s);
}

/** Whether `scopes` grant `need` (`admin` grants everything). */
export function hasScope(scopes: readonly Scope[], need: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(need);
}

/**
 * A non-empty list of known scopes from an API body or a flag (a comma-separated string is
 * accepted too), without duplicates, in SCOPES order. `what` names the operation in messages.
 */
export function parseScopes(v: unknown, what: string): Scope[] {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
  if (!Array.isArray(list) || list.length === 0) {
    throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: scopes must be a non-empty list of ${SCOPES.join(', ')}`);
  }
  for (const s of list) {
    if (!isScope(s)) throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: unknown scope ${JSON.stringify(s)} (known: ${SCOPES.join(', ')})`);
  }
  return SCOPES.filter((s) => list.includes(s));
}
