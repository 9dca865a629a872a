/**
 * Who the UI is signed in as: `GET /api/v1/auth/me` and the `user` of the login answer
 * (docs/specs/auth.md). Pure, so the rules about scopes are tested under node.
 */

export const SCOPES = ['logs:read', 'logs:write', 'rules:read', 'rules:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a scope allows, for the admin page's checkboxes. */
export const SCOPE_HELP: Record<Scope, string> = {
  'logs:read': 'query, tail, overview',
  'logs:write': 'push logs (every protocol)',
  'rules:read': 'list rules and alerts',
  'rules:write': 'create and delete rules',
  admin: 'users, tokens, the audit trail; implies every scope',
};

export interface Me {
  authEnabled: boolean;
  kind: 'user' | 'token' | 'session' | 'anonymous';
  name: string;
  scopes: string[];
  /** The tenants this credential may use, or every tenant but reserved ones. */
  tenants: string[] | '*';
  defaultTenant: string;
  csrfToken?: string;
}

const KINDS: Me['kind'][] = ['user', 'token', 'session', 'anonymous'];

/** A /me or login `user` answer, checked field by field; a malformed one throws (the server and UI disagree). */
export function parseMe(v: unknown): Me {
  if (typeof v !== 'object' || v === null) throw new Error('cannot read /api/v1/auth/me: not an object');
  const o = v as Record<string, unknown>;
  const authEnabled = o.authEnabled !== false;
  if (!authEnabled) return { authEnabled, kind: 'anonymous', name: '', scopes: [...SCOPES], tenants: '*', defaultTenant: typeof o.defaultTenant === 'string' && o.defaultTenant ? o.defaultTenant : 'default' };
  const strings = (x: unknown): string[] | undefined => (Array.isArray(x) && x.every((s) => typeof s === 'string') ? (x as string[]) : undefined);
  const scopes = strings(o.scopes);
  const tenants = o.tenants === '*' ? '*' : strings(o.tenants);
  if (typeof o.name !== 'string' || !scopes || !tenants) throw new Error('cannot read /api/v1/auth/me: name, scopes or tenants missing');
  const defaultTenant = typeof o.defaultTenant === 'string' && o.defaultTenant ? o.defaultTenant : tenants === '*' ? 'default' : (tenants[0] ?? 'default');
  return {
    authEnabled,
    kind: KINDS.includes(o.kind as Me['kind']) ? (o.kind as Me['kind']) : 'session',
    name: o.name,
    scopes,
    tenants,
    defaultTenant,
    csrfToken: typeof o.csrfToken === 'string' ? o.csrfToken : undefined,
  };
}

/** `admin` implies every scope. */
export function hasScope(me: Me, scope: Scope): boolean {
  return !me.authEnabled || me.scopes.includes(scope) || me.scopes.includes('admin');
}
