/**
 * Saved queries in PostgreSQL (cluster mode) run the shared SavedQueryStore conformance suite
 * against the real local PostgreSQL, each test in a private schema dropped at the end; "another"
 * store is a second pool, as a second query pod has. Skipped with the reason when PostgreSQL is
 * unreachable, except in CI (CI=true), where it fails.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUnavailable, TEST_POSTGRES_URL } from '../storage/postgres/testing/test-postgres.js';
import { postgresSavedQueryStore } from './init.js';
import type { SavedQueryStore } from './saved-query-store.js';
import { runSavedQueryStoreConformance } from './testing/saved-query-store-conformance.js';

const skip = await postgresUnavailable();

runSavedQueryStoreConformance(
  'postgres',
  async () => {
    const schema = 'ls_saved_' + randomBytes(6).toString('hex');
    const stores: SavedQueryStore[] = [];
    const open = async (): Promise<SavedQueryStore> => {
      const s = postgresSavedQueryStore({ url: TEST_POSTGRES_URL, schema });
      stores.push(s);
      await s.open();
      return s;
    };
    // Two pods creating the table at once must not trip over each other.
    const [store] = await Promise.all([open(), open()]);
    return {
      store,
      another: open,
      async close() {
        for (const s of stores) await s.close();
        const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  },
  { skip },
);
