/** Saved queries in the embedded store's DuckDB file run the shared SavedQueryStore conformance suite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { duckdbSavedQueryStore } from './init.js';
import { runSavedQueryStoreConformance } from './testing/saved-query-store-conformance.js';

runSavedQueryStoreConformance('duckdb', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ls-saved-duckdb-'));
  const storage = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
  await storage.open();
  const store = duckdbSavedQueryStore(storage);
  await store.open();
  return {
    store,
    async another() {
      const s = duckdbSavedQueryStore(storage);
      await s.open();
      return s;
    },
    async close() {
      await store.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
