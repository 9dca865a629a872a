/**
 * Users, tokens and sessions in PostgreSQL (cluster mode), in the deployment's schema
 * (`storage.postgres.schema`), so every pod of every role sees the same credentials. The tables
 * are created by `open()` with `CREATE TABLE IF NOT EXISTS` while holding the session advisory lock
 * the storage's migrations hold (keyed on the schema), so pods starting together do not race on
 * the catalog; the first-admin
 * bootstrap holds another advisory lock, so exactly one pod creates (and prints) it.
 */
import pg from 'pg';
import { storageError } from '../storage/postgres/errors.js';
import { SqlAuthStore, type SqlDriver, type SqlQuery, type SqlRow } from './sql-auth-store.js';

export interface PostgresAuthStoreOptions {
  url: string;
  schema: string;
}

/** What a driver for another store in the same database names in errors, and its pool size. */
export interface PostgresDriverOptions extends PostgresAuthStoreOptions {
  /** `use <what>`: `the credentials store` unless given. */
  what?: string;
  /** `create <tables> in schema ...`: `the credential tables` unless given. */
  tables?: string;
  /** Connections of the pool (4 unless given). */
  max?: number;
}

class PostgresDriver implements SqlDriver {
  readonly name = 'postgres';
  private readonly pool: pg.Pool;
  private readonly use: string;

  constructor(private readonly opts: PostgresDriverOptions) {
    this.use = `use ${opts.what ?? 'the credentials store'}`;
    this.pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 4, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000, options: `-c search_path=${opts.schema}` });
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
      throw storageError(this.use, err);
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
    return this.withClient(this.use, async (c) => {
      try {
        await c.query('BEGIN');
        const res = await fn((sql, values) => PostgresDriver.run(c, sql, values));
        await c.query('COMMIT');
        return res;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw storageError(this.use, err);
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
    const what = `create ${this.opts.tables ?? 'the credential tables'} in schema ${this.opts.schema}`;
    // The storage's migration lock (src/storage/postgres/schema.ts): every DDL on the schema,
    // CREATE SCHEMA included, runs under one lock, so pods of any role starting together never race.
    return this.withAdvisoryLock(`logsentinel:migrate:${this.opts.schema}`, what, async (c) => {
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

/** A SQL driver with its own pool in the deployment's schema (saved queries use it too). */
export function postgresSqlDriver(opts: PostgresDriverOptions): SqlDriver {
  return new PostgresDriver(opts);
}

export function postgresAuthStore(opts: PostgresAuthStoreOptions): SqlAuthStore {
  return new SqlAuthStore(new PostgresDriver(opts));
}
