import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBStorage } from './duckdb-storage.js';
import { runStorageConformance, batch, type StorageFactory } from '../conformance.js';
import { runQueryConformance } from '../../query/testing/query-conformance.js';
import type { Storage } from '../storage.js';

const dirs = new Map<Storage, string>();

const factory: StorageFactory = {
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    const s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
    await s.open();
    dirs.set(s, dir);
    return s;
  },
  async reopen(s) {
    const dir = dirs.get(s)!;
    await s.close();
    const n = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
    await n.open();
    dirs.delete(s);
    dirs.set(n, dir);
    return n;
  },
  async destroy(s) {
    await s.close();
    rmSync(dirs.get(s)!, { recursive: true, force: true });
    dirs.delete(s);
  },
};
runStorageConformance('duckdb', factory);
runQueryConformance('duckdb', factory);

describe('duckdb storage specifics', () => {
  it('checkpoint folds the WAL into the file and data stays readable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    const s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1 });
    try {
      await s.open();
      const b = batch('t', { a: '1' }, Array.from({ length: 5000 }, (_, i) => ({ ts: 1_000_000_000_000_000_000n + BigInt(i), line: `line ${i}` })));
      await s.write([b]);
      await s.checkpoint();
      const ids = (await s.streams('t', 0n, 2n ** 62n)).map((x) => x.id);
      let n = 0;
      for await (const rows of s.select({ tenant: 't', streamIds: ids, start: 0n, end: 2n ** 62n, direction: 'forward' })) n += rows.length;
      assert.equal(n, 5000);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects writes after close with a retryable error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    const s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0 });
    await s.open();
    await s.close();
    await assert.rejects(s.write([batch('t', { a: '1' }, [{ ts: 1n, line: 'x' }])]), (err: Error & { retryable?: boolean }) => err.retryable === true);
    rmSync(dir, { recursive: true, force: true });
  });
});
