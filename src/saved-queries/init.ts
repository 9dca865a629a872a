/**
 * Saved queries as the roles that serve queries open them (src/modules.ts): in the database of
 * the credentials — the embedded store's DuckDB file, or PostgreSQL in cluster mode (the
 * deployment's schema, so every query pod sees what another saved) — whether or not
 * authentication is on. Until the store has opened, the routes answer 503 with Retry-After.
 */
import type { Config } from '../config/load.js';
import type { Storage } from '../storage/storage.js';
import { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { duckdbSqlDriver } from '../auth/duckdb-auth-store.js';
import { postgresSqlDriver, type PostgresAuthStoreOptions } from '../auth/postgres-auth-store.js';
import type { AppContext } from '../api/context.js';
import { SqlSavedQueryStore } from './sql-saved-query-store.js';
import type { SavedQueryStore } from './saved-query-store.js';

const WHAT = 'the saved queries store';

export function duckdbSavedQueryStore(storage: DuckDBStorage): SavedQueryStore {
  return new SqlSavedQueryStore(duckdbSqlDriver(storage, WHAT));
}

/** Its own small pool: saved queries are few and rarely written. */
export function postgresSavedQueryStore(opts: PostgresAuthStoreOptions): SavedQueryStore {
  return new SqlSavedQueryStore(postgresSqlDriver({ ...opts, what: WHAT, tables: 'the saved queries table', max: 2 }));
}

/** Opens the store of the role's backends and publishes it on `ctx`; resolves the stop function. */
export async function openSavedQueries(ctx: AppContext, cfg: Config, b: { backends: 'embedded' | 'cluster'; storage: Storage | undefined }): Promise<() => Promise<void>> {
  const store =
    b.backends === 'embedded' && b.storage instanceof DuckDBStorage
      ? duckdbSavedQueryStore(b.storage)
      : postgresSavedQueryStore({ url: cfg.storage.postgres.url, schema: cfg.storage.postgres.schema });
  try {
    await store.open();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  ctx.savedQueries = store;
  return async () => {
    if (ctx.savedQueries === store) ctx.savedQueries = undefined;
    await store.close();
  };
}
