/**
 * The AuthStore over SQL, shared by DuckDB and PostgreSQL: both take the same statements
 * (`$n` parameters, `ON CONFLICT`, `RETURNING`); a `SqlDriver` supplies the connection, the
 * transactions and the bootstrap lock. Three tables, created idempotently by `open()`:
 *
 * - auth_users: one row per user; `scopes` a JSON list, `tenants` JSON (`"*"` or a list),
 *   `password_hash` the scrypt string of password.ts.
 * - auth_tokens: one row per token by id; `hash` the hex SHA-256 of the whole token.
 * - auth_sessions: one row per UI session by the hex SHA-256 of its cookie value.
 *
 * Times are BIGINT milliseconds since the epoch; NULL means "never" / "not set".
 */
import { LogSentinelError } from '../errors.js';
import type { SessionRecord, TokenRecord, UserRecord } from './credential.js';
import type { AuthStore, UserPatch } from './auth-store.js';
import type { Scope } from './scopes.js';
import type { TenantSet } from './tenant-set.js';

export type SqlValue = string | number | boolean | null;
export type SqlRow = unknown[];

export interface SqlQuery {
  (sql: string, values?: SqlValue[]): Promise<SqlRow[]>;
}

export interface SqlDriver {
  readonly name: string;
  /** Runs one statement (auto-commit); rows as arrays in column order. */
  query: SqlQuery;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(fn: (q: SqlQuery) => Promise<T>): Promise<T>;
  /** Runs `fn` with the DDL below serialised against other processes; `fn` runs the statements. */
  withSchemaLock(fn: (q: SqlQuery) => Promise<void>): Promise<void>;
  withBootstrapLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const AUTH_TABLES = [
  `CREATE TABLE IF NOT EXISTS auth_users (
     name VARCHAR PRIMARY KEY,
     password_hash VARCHAR NOT NULL,
     scopes VARCHAR NOT NULL,
     tenants VARCHAR NOT NULL,
     default_tenant VARCHAR NOT NULL,
     disabled BOOLEAN NOT NULL,
     expires_at BIGINT,
     created_at BIGINT NOT NULL,
     last_used_at BIGINT)`,
  `CREATE TABLE IF NOT EXISTS auth_tokens (
     id VARCHAR PRIMARY KEY,
     hash VARCHAR NOT NULL,
     name VARCHAR NOT NULL,
     scopes VARCHAR NOT NULL,
     tenants VARCHAR NOT NULL,
     default_tenant VARCHAR NOT NULL,
     created_by VARCHAR NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT,
     revoked_at BIGINT,
     last_used_at BIGINT)`,
  `CREATE TABLE IF NOT EXISTS auth_sessions (
     id_hash VARCHAR PRIMARY KEY,
     user_name VARCHAR NOT NULL,
     csrf_token VARCHAR NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     absolute_expires_at BIGINT NOT NULL)`,
];

const USER_COLS = 'name, password_hash, scopes, tenants, default_tenant, disabled, expires_at, created_at, last_used_at';
const TOKEN_COLS = 'id, hash, name, scopes, tenants, default_tenant, created_by, created_at, expires_at, revoked_at, last_used_at';
const SESSION_COLS = 'id_hash, user_name, csrf_token, created_at, expires_at, absolute_expires_at';

function num(v: unknown): number | undefined {
  return v === null || v === undefined ? undefined : Number(v);
}

function tenantsOf(v: unknown): TenantSet {
  const t = JSON.parse(String(v)) as unknown;
  return t === '*' ? '*' : (t as string[]);
}

function userOf(r: SqlRow): UserRecord {
  const u: UserRecord = {
    name: String(r[0]),
    passwordHash: String(r[1]),
    scopes: JSON.parse(String(r[2])) as Scope[],
    tenants: tenantsOf(r[3]),
    defaultTenant: String(r[4]),
    disabled: r[5] === true,
    createdAt: Number(r[7]),
  };
  const exp = num(r[6]);
  const used = num(r[8]);
  if (exp !== undefined) u.expiresAt = exp;
  if (used !== undefined) u.lastUsedAt = used;
  return u;
}

function tokenOf(r: SqlRow): TokenRecord {
  const t: TokenRecord = {
    id: String(r[0]),
    hash: String(r[1]),
    name: String(r[2]),
    scopes: JSON.parse(String(r[3])) as Scope[],
    tenants: tenantsOf(r[4]),
    defaultTenant: String(r[5]),
    createdBy: String(r[6]),
    createdAt: Number(r[7]),
  };
  const exp = num(r[8]);
  const revoked = num(r[9]);
  const used = num(r[10]);
  if (exp !== undefined) t.expiresAt = exp;
  if (revoked !== undefined) t.revokedAt = revoked;
  if (used !== undefined) t.lastUsedAt = used;
  return t;
}

function sessionOf(r: SqlRow): SessionRecord {
  return { idHash: String(r[0]), user: String(r[1]), csrfToken: String(r[2]), createdAt: Number(r[3]), expiresAt: Number(r[4]), absoluteExpiresAt: Number(r[5]) };
}

function tokenValues(t: TokenRecord): SqlValue[] {
  return [t.id, t.hash, t.name, JSON.stringify(t.scopes), JSON.stringify(t.tenants), t.defaultTenant, t.createdBy, t.createdAt, t.expiresAt ?? null, t.revokedAt ?? null, t.lastUsedAt ?? null];
}

const TOKEN_PARAMS = 'CAST($1 AS VARCHAR), CAST($2 AS VARCHAR), CAST($3 AS VARCHAR), CAST($4 AS VARCHAR), CAST($5 AS VARCHAR), CAST($6 AS VARCHAR), CAST($7 AS VARCHAR), CAST($8 AS BIGINT), CAST($9 AS BIGINT), CAST($10 AS BIGINT), CAST($11 AS BIGINT)';

export class SqlAuthStore implements AuthStore {
  constructor(private readonly db: SqlDriver) {}

  get name(): string {
    return this.db.name;
  }

  async open(): Promise<void> {
    await this.db.withSchemaLock(async (q) => {
      for (const ddl of AUTH_TABLES) await q(ddl);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async isEmpty(): Promise<boolean> {
    const rows = await this.db.query('SELECT (SELECT count(*) FROM auth_users) + (SELECT count(*) FROM auth_tokens)');
    return Number(rows[0][0]) === 0;
  }

  withBootstrapLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.withBootstrapLock(fn);
  }

  async createUser(u: UserRecord): Promise<void> {
    const rows = await this.db.query(
      `INSERT INTO auth_users (${USER_COLS}) VALUES (CAST($1 AS VARCHAR), CAST($2 AS VARCHAR), CAST($3 AS VARCHAR), CAST($4 AS VARCHAR), CAST($5 AS VARCHAR), CAST($6 AS BOOLEAN), CAST($7 AS BIGINT), CAST($8 AS BIGINT), CAST($9 AS BIGINT))
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [u.name, u.passwordHash, JSON.stringify(u.scopes), JSON.stringify(u.tenants), u.defaultTenant, u.disabled, u.expiresAt ?? null, u.createdAt, u.lastUsedAt ?? null],
    );
    if (rows.length === 0) throw new LogSentinelError('CONFLICT', `cannot create user ${u.name}: a user of that name exists`);
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query(`SELECT ${USER_COLS} FROM auth_users WHERE name = CAST($1 AS VARCHAR)`, [name]);
    return rows.length ? userOf(rows[0]) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.query(`SELECT ${USER_COLS} FROM auth_users ORDER BY name`)).map(userOf);
  }

  async updateUser(name: string, p: UserPatch): Promise<UserRecord | undefined> {
    const rows = await this.db.query(
      `UPDATE auth_users SET
         password_hash = coalesce(CAST($2 AS VARCHAR), password_hash),
         scopes = coalesce(CAST($3 AS VARCHAR), scopes),
         tenants = coalesce(CAST($4 AS VARCHAR), tenants),
         default_tenant = coalesce(CAST($5 AS VARCHAR), default_tenant),
         disabled = coalesce(CAST($6 AS BOOLEAN), disabled),
         expires_at = CASE WHEN CAST($7 AS BOOLEAN) THEN CAST($8 AS BIGINT) ELSE expires_at END
       WHERE name = CAST($1 AS VARCHAR) RETURNING ${USER_COLS}`,
      [
        name,
        p.passwordHash ?? null,
        p.scopes ? JSON.stringify(p.scopes) : null,
        p.tenants ? JSON.stringify(p.tenants) : null,
        p.defaultTenant ?? null,
        p.disabled ?? null,
        p.expiresAt !== undefined,
        p.expiresAt ?? null,
      ],
    );
    return rows.length ? userOf(rows[0]) : undefined;
  }

  async deleteUser(name: string): Promise<boolean> {
    return this.db.transaction(async (q) => {
      await q('DELETE FROM auth_sessions WHERE user_name = CAST($1 AS VARCHAR)', [name]);
      const rows = await q('DELETE FROM auth_users WHERE name = CAST($1 AS VARCHAR) RETURNING name', [name]);
      return rows.length > 0;
    });
  }

  async createToken(t: TokenRecord): Promise<void> {
    const rows = await this.db.query(`INSERT INTO auth_tokens (${TOKEN_COLS}) VALUES (${TOKEN_PARAMS}) ON CONFLICT (id) DO NOTHING RETURNING id`, tokenValues(t));
    if (rows.length === 0) throw new LogSentinelError('CONFLICT', `cannot create token ${t.id}: a token with that id exists`);
  }

  async putToken(t: TokenRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO auth_tokens (${TOKEN_COLS}) VALUES (${TOKEN_PARAMS})
       ON CONFLICT (id) DO UPDATE SET hash = EXCLUDED.hash, name = EXCLUDED.name, scopes = EXCLUDED.scopes, tenants = EXCLUDED.tenants,
         default_tenant = EXCLUDED.default_tenant, created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at,
         expires_at = EXCLUDED.expires_at, revoked_at = EXCLUDED.revoked_at, last_used_at = EXCLUDED.last_used_at`,
      tokenValues(t),
    );
  }

  async getToken(id: string): Promise<TokenRecord | undefined> {
    const rows = await this.db.query(`SELECT ${TOKEN_COLS} FROM auth_tokens WHERE id = CAST($1 AS VARCHAR)`, [id]);
    return rows.length ? tokenOf(rows[0]) : undefined;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.db.query(`SELECT ${TOKEN_COLS} FROM auth_tokens ORDER BY created_at, id`)).map(tokenOf);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    const rows = await this.db.query(
      'UPDATE auth_tokens SET revoked_at = coalesce(revoked_at, CAST($2 AS BIGINT)) WHERE id = CAST($1 AS VARCHAR) RETURNING id',
      [id, at],
    );
    return rows.length > 0;
  }

  async touch(kind: 'user' | 'token', uses: ReadonlyMap<string, number>): Promise<void> {
    if (uses.size === 0) return;
    const sql =
      kind === 'user'
        ? 'UPDATE auth_users SET last_used_at = greatest(coalesce(last_used_at, 0), CAST($2 AS BIGINT)) WHERE name = CAST($1 AS VARCHAR)'
        : 'UPDATE auth_tokens SET last_used_at = greatest(coalesce(last_used_at, 0), CAST($2 AS BIGINT)) WHERE id = CAST($1 AS VARCHAR)';
    await this.db.transaction(async (q) => {
      for (const [id, at] of uses) await q(sql, [id, at]);
    });
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO auth_sessions (${SESSION_COLS}) VALUES (CAST($1 AS VARCHAR), CAST($2 AS VARCHAR), CAST($3 AS VARCHAR), CAST($4 AS BIGINT), CAST($5 AS BIGINT), CAST($6 AS BIGINT))`,
      [s.idHash, s.user, s.csrfToken, s.createdAt, s.expiresAt, s.absoluteExpiresAt],
    );
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const rows = await this.db.query(`SELECT ${SESSION_COLS} FROM auth_sessions WHERE id_hash = CAST($1 AS VARCHAR)`, [idHash]);
    return rows.length ? sessionOf(rows[0]) : undefined;
  }

  async extendSession(idHash: string, expiresAt: number): Promise<void> {
    await this.db.query(
      'UPDATE auth_sessions SET expires_at = least(absolute_expires_at, greatest(expires_at, CAST($2 AS BIGINT))) WHERE id_hash = CAST($1 AS VARCHAR)',
      [idHash, expiresAt],
    );
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.query('DELETE FROM auth_sessions WHERE id_hash = CAST($1 AS VARCHAR)', [idHash]);
  }

  async deleteUserSessions(user: string): Promise<void> {
    await this.db.query('DELETE FROM auth_sessions WHERE user_name = CAST($1 AS VARCHAR)', [user]);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const rows = await this.db.query('DELETE FROM auth_sessions WHERE expires_at < CAST($1 AS BIGINT) OR absolute_expires_at < CAST($1 AS BIGINT) RETURNING id_hash', [now]);
    return rows.length;
  }
}
