/**
 * Where users, API tokens and UI sessions are kept: the embedded store's DuckDB file
 * (duckdb-auth-store.ts) or PostgreSQL in cluster mode (postgres-auth-store.ts), so every pod
 * sees the same credentials. Both pass one conformance suite (testing/auth-store-conformance.ts).
 *
 * Contract
 * - Records go in and come out as plain values (credential.ts); the store never sees a
 *   password or a token in the clear, only their hashes. Returned records are copies the caller
 *   may keep and mutate.
 * - `open()` creates the tables if missing, idempotently, and is safe when several processes
 *   open the same database at once. Every other method needs `open()` to have resolved.
 * - Creates that would replace an existing user name or token id reject with a
 *   `LogSentinelError` `CONFLICT`; lookups of missing keys resolve undefined (or false), never throw.
 * - A read after a write that resolved, on any process of the deployment, sees the write (no
 *   caching here; callers cache, with bounded staleness, in auth-service.ts).
 * - Errors of the database are `LogSentinelError`s: `STORAGE_UNAVAILABLE` (retryable) when it may
 *   recover, else `INTERNAL`.
 * - Calls may overlap; each method is atomic on its own. `withBootstrapLock` runs `fn` while no
 *   other process of the deployment runs its own `fn` (PostgreSQL: an advisory lock).
 * - Lists are ordered: users by name, tokens by creation time then id.
 */
import type { SessionRecord, TokenRecord, UserRecord } from './credential.js';
import type { Scope } from './scopes.js';
import type { TenantSet } from './tenant-set.js';

/** Fields `updateUser` may change; `expiresAt: null` clears the expiry. */
export interface UserPatch {
  passwordHash?: string;
  scopes?: Scope[];
  tenants?: TenantSet;
  defaultTenant?: string;
  disabled?: boolean;
  expiresAt?: number | null;
}

export interface AuthStore {
  readonly name: string;
  open(): Promise<void>;
  /** Releases what the store opened itself (not a DuckDB file it was handed). */
  close(): Promise<void>;

  /** True when there is neither a user nor a token (a fresh deployment). */
  isEmpty(): Promise<boolean>;
  withBootstrapLock<T>(fn: () => Promise<T>): Promise<T>;

  createUser(user: UserRecord): Promise<void>;
  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** The updated record, or undefined when there is no such user. */
  updateUser(name: string, patch: UserPatch): Promise<UserRecord | undefined>;
  /** Deletes the user and its sessions; false when there was no such user. */
  deleteUser(name: string): Promise<boolean>;

  createToken(token: TokenRecord): Promise<void>;
  /** Creates or replaces the token with this id (a configured admin token). */
  putToken(token: TokenRecord): Promise<void>;
  getToken(id: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /** Sets `revokedAt` unless already revoked (the first revocation time stays); false when there is no such token. */
  revokeToken(id: string, at: number): Promise<boolean>;

  /** Records when credentials were last used (`kind` user or token; unknown ids are ignored). */
  touch(kind: 'user' | 'token', uses: ReadonlyMap<string, number>): Promise<void>;

  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  /** Moves the idle expiry of a session (no-op when it is gone). */
  extendSession(idHash: string, expiresAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteUserSessions(user: string): Promise<void>;
  /** Deletes sessions whose idle or absolute expiry is before `now`; resolves how many. */
  deleteExpiredSessions(now: number): Promise<number>;
}
