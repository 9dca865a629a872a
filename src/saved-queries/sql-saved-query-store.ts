/**
 * The SavedQueryStore over SQL, shared by DuckDB and PostgreSQL through the credentials store's
 * `SqlDriver` (src/auth/sql-auth-store.ts): the same statements, `$n` parameters, `ON CONFLICT`,
 * `RETURNING`. One table, created idempotently by `open()` under the driver's schema lock:
 *
 * - saved_queries: one row per (tenant, id); `name_key` is `nameKey(name)`, unique per tenant;
 *   `description` is '' when none; `range_from`/`range_to` NULL when no range is kept; times are
 *   BIGINT milliseconds since the epoch; `created_by`/`updated_by` NULL without authentication.
 */
import { LogSentinelError } from '../errors.js';
import type { SqlDriver, SqlQuery, SqlRow, SqlValue } from '../auth/sql-auth-store.js';
import { nameKey, type SavedQuery, type SavedQueryPatch } from './saved-query.js';
import type { SavedQueryStore } from './saved-query-store.js';

export const SAVED_QUERY_TABLES = [
  `CREATE TABLE IF NOT EXISTS saved_queries (
     tenant VARCHAR NOT NULL,
     id VARCHAR NOT NULL,
     name VARCHAR NOT NULL,
     name_key VARCHAR NOT NULL,
     query VARCHAR NOT NULL,
     description VARCHAR NOT NULL,
     range_from VARCHAR,
     range_to VARCHAR,
     created_at BIGINT NOT NULL,
     created_by VARCHAR,
     updated_at BIGINT NOT NULL,
     updated_by VARCHAR,
     PRIMARY KEY (tenant, id),
     UNIQUE (tenant, name_key))`,
];

const COLS = 'tenant, id, name, name_key, query, description, range_from, range_to, created_at, created_by, updated_at, updated_by';
const PARAMS =
  'CAST($1 AS VARCHAR), CAST($2 AS VARCHAR), CAST($3 AS VARCHAR), CAST($4 AS VARCHAR), CAST($5 AS VARCHAR), CAST($6 AS VARCHAR), CAST($7 AS VARCHAR), CAST($8 AS VARCHAR), CAST($9 AS BIGINT), CAST($10 AS VARCHAR), CAST($11 AS BIGINT), CAST($12 AS VARCHAR)';

function str(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

function recordOf(r: SqlRow): SavedQuery {
  const q: SavedQuery = {
    tenant: String(r[0]),
    id: String(r[1]),
    name: String(r[2]),
    query: String(r[4]),
    description: String(r[5]),
    createdAt: Number(r[8]),
    updatedAt: Number(r[10]),
  };
  const from = str(r[6]);
  const to = str(r[7]);
  if (from !== undefined && to !== undefined) q.range = { from, to };
  const cb = str(r[9]);
  const ub = str(r[11]);
  if (cb !== undefined) q.createdBy = cb;
  if (ub !== undefined) q.updatedBy = ub;
  return q;
}

function valuesOf(q: SavedQuery): SqlValue[] {
  return [q.tenant, q.id, q.name, nameKey(q.name), q.query, q.description, q.range?.from ?? null, q.range?.to ?? null, q.createdAt, q.createdBy ?? null, q.updatedAt, q.updatedBy ?? null];
}

/** A unique-constraint violation, as PostgreSQL (SQLSTATE 23505) or DuckDB reports it, through the drivers' wrapping. */
function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return true;
    if (typeof e.message === 'string' && /duplicate key|unique constraint/i.test(e.message)) return true;
  }
  return false;
}

export class SqlSavedQueryStore implements SavedQueryStore {
  constructor(private readonly db: SqlDriver) {}

  get name(): string {
    return this.db.name;
  }

  async open(): Promise<void> {
    await this.db.withSchemaLock(async (q) => {
      for (const ddl of SAVED_QUERY_TABLES) await q(ddl);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async list(tenant: string): Promise<SavedQuery[]> {
    return (await this.db.query(`SELECT ${COLS} FROM saved_queries WHERE tenant = CAST($1 AS VARCHAR) ORDER BY name_key, id`, [tenant])).map(recordOf);
  }

  async get(tenant: string, id: string): Promise<SavedQuery | undefined> {
    const rows = await this.db.query(`SELECT ${COLS} FROM saved_queries WHERE tenant = CAST($1 AS VARCHAR) AND id = CAST($2 AS VARCHAR)`, [tenant, id]);
    return rows.length ? recordOf(rows[0]) : undefined;
  }

  /** The CONFLICT naming the saved query of the tenant that already has `name`'s key. */
  private async nameTaken(q: SqlQuery, tenant: string, name: string, exceptId: string, what: string): Promise<LogSentinelError | undefined> {
    const rows = await q('SELECT id, name FROM saved_queries WHERE tenant = CAST($1 AS VARCHAR) AND name_key = CAST($2 AS VARCHAR) AND id <> CAST($3 AS VARCHAR)', [tenant, nameKey(name), exceptId]);
    if (rows.length === 0) return undefined;
    return new LogSentinelError('CONFLICT', `cannot ${what}: tenant ${tenant} already has a saved query named ${JSON.stringify(String(rows[0][1]))} (id ${String(rows[0][0])}); names are unique per tenant, regardless of case`);
  }

  async create(sq: SavedQuery, maxPerTenant: number): Promise<void> {
    const what = `save query ${JSON.stringify(sq.name)}`;
    let rows: SqlRow[];
    try {
      // The count check and the insert are one statement; ON CONFLICT covers the name and the id.
      rows = await this.db.query(
        `INSERT INTO saved_queries (${COLS}) SELECT ${PARAMS}
         WHERE (SELECT count(*) FROM saved_queries WHERE tenant = CAST($1 AS VARCHAR)) < CAST($13 AS BIGINT)
         ON CONFLICT DO NOTHING RETURNING id`,
        [...valuesOf(sq), maxPerTenant],
      );
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      rows = [];
    }
    if (rows.length > 0) return;
    const taken = await this.nameTaken(this.db.query, sq.tenant, sq.name, '', what);
    if (taken) throw taken;
    const n = Number((await this.db.query('SELECT count(*) FROM saved_queries WHERE tenant = CAST($1 AS VARCHAR)', [sq.tenant]))[0][0]);
    if (n >= maxPerTenant) {
      throw new LogSentinelError('LIMIT_REACHED', `cannot ${what}: tenant ${sq.tenant} has ${n} saved queries, the most savedQueries.maxPerTenant allows (${maxPerTenant}); delete some first`);
    }
    throw new LogSentinelError('CONFLICT', `cannot ${what}: a saved query with id ${sq.id} exists`);
  }

  async update(tenant: string, id: string, p: SavedQueryPatch, at: number, by: string | undefined): Promise<SavedQuery | undefined> {
    try {
      return await this.db.transaction(async (q) => {
        const cur = await q(`SELECT ${COLS} FROM saved_queries WHERE tenant = CAST($1 AS VARCHAR) AND id = CAST($2 AS VARCHAR)`, [tenant, id]);
        if (cur.length === 0) return undefined;
        const old = recordOf(cur[0]);
        const next: SavedQuery = { ...old, ...p, range: p.range === null ? undefined : (p.range ?? old.range), updatedAt: at, updatedBy: by };
        if (nameKey(next.name) !== nameKey(old.name)) {
          const taken = await this.nameTaken(q, tenant, next.name, id, `rename saved query ${JSON.stringify(old.name)} to ${JSON.stringify(next.name)}`);
          if (taken) throw taken;
        }
        const v = valuesOf(next);
        const rows = await q(
          `UPDATE saved_queries SET name = CAST($3 AS VARCHAR), name_key = CAST($4 AS VARCHAR), query = CAST($5 AS VARCHAR), description = CAST($6 AS VARCHAR),
             range_from = CAST($7 AS VARCHAR), range_to = CAST($8 AS VARCHAR), updated_at = CAST($9 AS BIGINT), updated_by = CAST($10 AS VARCHAR)
           WHERE tenant = CAST($1 AS VARCHAR) AND id = CAST($2 AS VARCHAR) RETURNING ${COLS}`,
          [...v.slice(0, 8), v[10], v[11]],
        );
        return rows.length ? recordOf(rows[0]) : undefined;
      });
    } catch (err) {
      // Another process took the name between the check and the update.
      if (isUniqueViolation(err) && p.name !== undefined) throw new LogSentinelError('CONFLICT', `cannot rename saved query ${id} to ${JSON.stringify(p.name)}: tenant ${tenant} already has a saved query of that name`);
      throw err;
    }
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM saved_queries WHERE tenant = CAST($1 AS VARCHAR) AND id = CAST($2 AS VARCHAR) RETURNING id', [tenant, id]);
    return rows.length > 0;
  }
}
