/**
 * The tenant picker's rules (docs/specs/auth.md "Tenants"): a user with a list of tenants chooses
 * among them; with `*` any tenant may be typed (empty = the default tenant); the reserved `_audit`
 * is offered to admins only. Pure.
 */
import { hasScope, type Me } from './me.js';

export const AUDIT_TENANT = '_audit';

export type TenantPicker =
  /** A fixed list: a select. */
  | { kind: 'list'; tenants: string[]; defaultTenant: string }
  /** Free text (as without authentication), with suggestions. */
  | { kind: 'free'; defaultTenant: string; suggestions: string[] };

export function tenantPicker(me: Me): TenantPicker {
  if (me.tenants !== '*') {
    const tenants = me.tenants.includes(me.defaultTenant) ? me.tenants : [me.defaultTenant, ...me.tenants];
    return { kind: 'list', tenants, defaultTenant: me.defaultTenant };
  }
  const suggestions = [me.defaultTenant];
  if (me.authEnabled && hasScope(me, 'admin')) suggestions.push(AUDIT_TENANT);
  return { kind: 'free', defaultTenant: me.defaultTenant, suggestions };
}

/**
 * The tenant to use given what the browser remembers: the remembered one when the user may use it,
 * else their default. Without authentication the remembered text is used as typed (empty = the
 * server's default), as before.
 */
export function effectiveTenant(remembered: string, me: Me): string {
  const t = remembered.trim();
  if (!me.authEnabled) return t;
  if (me.tenants === '*') return t || me.defaultTenant;
  return me.tenants.includes(t) ? t : me.defaultTenant;
}
