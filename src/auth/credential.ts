/**
 * The stored credentials (users, API tokens, UI sessions) and the principal a request resolves
 * to. Times are milliseconds since the epoch. No record here holds a secret in the clear: a
 * user keeps an scrypt hash of its password (password.ts), a token the SHA-256 of the whole
 * token (token.ts), a session the SHA-256 of its cookie value. `*Info` views are what APIs show.
 */
import type { Scope } from './scopes.js';
import type { TenantSet } from './tenant-set.js';

/** User and token names: what lists show and messages name. */
export const NAME_RE = /^[a-zA-Z0-9._@-]{1,64}$/;

export interface UserRecord {
  name: string;
  /** `scrypt$N$r$p$salt$hash` (password.ts). */
  passwordHash: string;
  scopes: Scope[];
  tenants: TenantSet;
  defaultTenant: string;
  disabled: boolean;
  expiresAt?: number;
  createdAt: number;
  lastUsedAt?: number;
}

export interface TokenRecord {
  /** The lookup key: 12 lowercase base32 characters, also inside the token itself. */
  id: string;
  /** Hex SHA-256 of the whole token. */
  hash: string;
  name: string;
  scopes: Scope[];
  tenants: TenantSet;
  defaultTenant: string;
  createdBy: string;
  createdAt: number;
  expiresAt?: number;
  revokedAt?: number;
  lastUsedAt?: number;
}

export interface SessionRecord {
  /** Hex SHA-256 of the cookie value. */
  idHash: string;
  user: string;
  csrfToken: string;
  createdAt: number;
  /** Idle expiry, moved forward as the session is used, never past `absoluteExpiresAt`. */
  expiresAt: number;
  absoluteExpiresAt: number;
}

export type PrincipalKind = 'user' | 'token' | 'session' | 'anonymous';

/** Who a request is: what the resolver in src/api hands to routes. */
export interface Principal {
  kind: PrincipalKind;
  /** User name, token id, or `anonymous`. */
  id: string;
  /** User name or token name, for messages and the audit trail. */
  name: string;
  scopes: readonly Scope[];
  tenants: TenantSet;
  defaultTenant: string;
}

export interface UserInfo {
  name: string;
  scopes: Scope[];
  tenants: TenantSet;
  defaultTenant: string;
  disabled: boolean;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface TokenInfo {
  id: string;
  name: string;
  scopes: Scope[];
  tenants: TenantSet;
  defaultTenant: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

export function userInfo(u: UserRecord): UserInfo {
  return {
    name: u.name,
    scopes: u.scopes,
    tenants: u.tenants,
    defaultTenant: u.defaultTenant,
    disabled: u.disabled,
    expiresAt: iso(u.expiresAt),
    createdAt: new Date(u.createdAt).toISOString(),
    lastUsedAt: iso(u.lastUsedAt),
  };
}

export function tokenInfo(t: TokenRecord): TokenInfo {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes,
    tenants: t.tenants,
    defaultTenant: t.defaultTenant,
    createdBy: t.createdBy,
    createdAt: new Date(t.createdAt).toISOString(),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
    lastUsedAt: iso(t.lastUsedAt),
  };
}

export function userPrincipal(u: UserRecord, kind: 'user' | 'session'): Principal {
  return { kind, id: u.name, name: u.name, scopes: u.scopes, tenants: u.tenants, defaultTenant: u.defaultTenant };
}

export function tokenPrincipal(t: TokenRecord): Principal {
  return { kind: 'token', id: t.id, name: t.name, scopes: t.scopes, tenants: t.tenants, defaultTenant: t.defaultTenant };
}
