/** The DuckDB credentials store (the embedded store's file) runs the shared AuthStore conformance suite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { duckdbAuthStore } from './duckdb-auth-store.js';
import { runAuthStoreConformance } from './testing/auth-store-conformance.js';

runAuthStoreConformance('duckdb', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ls-auth-duckdb-'));
  const storage = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
  await storage.open();
  const store = duckdbAuthStore(storage);
  await store.open();
  return {
    store,
    async another() {
      const s = duckdbAuthStore(storage);
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
