/**
 * Users, tokens and sessions in PostgreSQL (cluster mode), in the deployment's schema
 * (`storage.postgres.schema`), so every pod of every role sees the same credentials. The tables
 * are created by `open()` with `CREATE TABLE IF NOT EXISTS` while holding a session advisory lock
 * keyed on the schema, so pods starting together do not race on the catalog; the first-admin
 * bootstrap holds another advisory lock, so exactly one pod creates (and prints) it.
 */
import pg from 'pg';
import { storageError } from '../storage/postgres/errors.js';
import { SqlAuthStore, type SqlDriver, type SqlQuery, type SqlRow } from './sql-auth-store.js';

export interface PostgresAuthStoreOptions {
  url: string;
  schema: string;
}

class PostgresDriver implements SqlDriver {
  readonly name = 'postgres';
  private readonly pool: pg.Pool;

  constructor(private readonly opts: PostgresAuthStoreOptions) {
    this.pool = new pg.Pool({ connectionString: opts.url, max: 4, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000, options: `-c search_path=${opts.schema}` });
    this.pool.on('error', () => {
      // An idle connection that broke is dropped by the pool; the next query reports the outage.
    });
  }

  private static async run(c: pg.Pool | pg.PoolClient, sql: string, values?: unknown[]): Promise<SqlRow[]> {
    const res = await c.query({ text: sql, values, rowMode: 'array' });
    return res.rows as SqlRow[];
  }

  query: SqlQuery = async (sql, values) => {
    try {
      return await PostgresDriver.run(this.pool, sql, values);
    } catch (err) {
      throw storageError('use the credentials store', err);
    }
  };

  private async withClient<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw storageError(what, err);
    }
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  transaction<T>(fn: (q: SqlQuery) => Promise<T>): Promise<T> {
    return this.withClient('use the credentials store', async (c) => {
      try {
        await c.query('BEGIN');
        const res = await fn((sql, values) => PostgresDriver.run(c, sql, values));
        await c.query('COMMIT');
        return res;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw storageError('use the credentials store', err);
      }
    });
  }

  private withAdvisoryLock<T>(key: string, what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(what, async (c) => {
      try {
        await c.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      } catch (err) {
        throw storageError(what, err);
      }
      try {
        return await fn(c);
      } finally {
        await c.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
      }
    });
  }

  withSchemaLock(fn: (q: SqlQuery) => Promise<void>): Promise<void> {
    const what = `create the credential tables in schema ${this.opts.schema}`;
    return this.withAdvisoryLock(`logsentinel:auth-schema:${this.opts.schema}`, what, async (c) => {
      try {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.opts.schema}`);
        await fn((sql, values) => PostgresDriver.run(c, sql, values));
      } catch (err) {
        throw storageError(what, err);
      }
    });
  }

  withBootstrapLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.withAdvisoryLock(`logsentinel:auth-bootstrap:${this.opts.schema}`, 'lock the first-admin bootstrap', () => fn());
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export function postgresAuthStore(opts: PostgresAuthStoreOptions): SqlAuthStore {
  return new SqlAuthStore(new PostgresDriver(opts));
}
