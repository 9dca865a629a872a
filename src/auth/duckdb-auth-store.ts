/**
 * Users, tokens and sessions in the embedded store's DuckDB file, beside the entries (one file
 * to back up). Writes go through the store's writer connection between group commits; reads use
 * their own short-lived connections. One process owns a DuckDB file, so the bootstrap lock is an
 * in-process mutex.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { LogSentinelError } from '../errors.js';
import { Mutex } from '../storage/common/mutex.js';
import { SqlAuthStore, type SqlDriver, type SqlQuery, type SqlRow, type SqlValue } from './sql-auth-store.js';

function wrap(err: unknown, what: string): LogSentinelError {
  if (err instanceof LogSentinelError) return err;
  return new LogSentinelError('STORAGE_UNAVAILABLE', `cannot use ${what}: ${(err as Error).message}`, { retryable: true, cause: err });
}

/** One bootstrap lock per store file, whichever auth store instance asks. */
const bootstrapLocks = new WeakMap<DuckDBStorage, Mutex>();

class DuckDBDriver implements SqlDriver {
  readonly name = 'duckdb';
  private readonly bootstrap: Mutex;

  constructor(
    private readonly storage: DuckDBStorage,
    private readonly what: string,
  ) {
    let m = bootstrapLocks.get(storage);
    if (!m) bootstrapLocks.set(storage, (m = new Mutex()));
    this.bootstrap = m;
  }

  private static async run(conn: DuckDBConnection, sql: string, values?: SqlValue[]): Promise<SqlRow[]> {
    return (await conn.runAndReadAll(sql, values as DuckDBValue[] | undefined)).getRows();
  }

  query: SqlQuery = async (sql, values) => {
    try {
      // Reads need no lock; writes share the writer connection with the group commits.
      if (/^\s*SELECT\b/i.test(sql)) return await this.storage.query(sql, values as DuckDBValue[] | undefined);
      return await this.storage.withWriter((conn) => DuckDBDriver.run(conn, sql, values));
    } catch (err) {
      throw wrap(err, this.what);
    }
  };

  async transaction<T>(fn: (q: SqlQuery) => Promise<T>): Promise<T> {
    try {
      return await this.storage.withWriter(async (conn) => {
        await conn.run('BEGIN TRANSACTION');
        try {
          const res = await fn((sql, values) => DuckDBDriver.run(conn, sql, values));
          await conn.run('COMMIT');
          return res;
        } catch (err) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
    } catch (err) {
      throw wrap(err, this.what);
    }
  }

  async withSchemaLock(fn: (q: SqlQuery) => Promise<void>): Promise<void> {
    await this.transaction(fn);
  }

  withBootstrapLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.bootstrap.run(fn);
  }

  async close(): Promise<void> {
    // The DuckDB file belongs to the storage module, which closes it.
  }
}

/** A SQL driver over the store's file; `what` names the store in errors (saved queries use it too). */
export function duckdbSqlDriver(storage: DuckDBStorage, what = 'the credentials store'): SqlDriver {
  return new DuckDBDriver(storage, what);
}

export function duckdbAuthStore(storage: DuckDBStorage): SqlAuthStore {
  return new SqlAuthStore(duckdbSqlDriver(storage));
}
