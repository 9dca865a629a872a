import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBStorage } from './duckdb-storage.js';
import { MIGRATIONS } from './schema.js';
import { runStorageConformance, batch, type StorageFactory } from '../conformance.js';
import { streamId } from '../../model/labels.js';
import { runQueryConformance } from '../../query/testing/query-conformance.js';
import type { Storage } from '../storage.js';

const dirs = new Map<Storage, string>();

const factory: StorageFactory = {
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    // Blocks of 8 rows: the line filters' skip index takes part in every conformance case.
    const s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB', blockRows: 8 });
    await s.open();
    dirs.set(s, dir);
    return s;
  },
  async reopen(s) {
    const dir = dirs.get(s)!;
    await s.close();
    const n = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB', blockRows: 8 });
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
  it('holds no more memory than memoryLimit while it reads a store larger than that, and reports it by tag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    const s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '32MB' });
    try {
      await s.open();
      // Lines of random hex compress to about half: 400,000 of them are some 40 MB in the file.
      const hex = (i: number): string => randomBytes(96).toString('hex') + ' ' + i;
      for (let k = 0; k < 8; k++) {
        await s.write([batch('t', { a: '1' }, Array.from({ length: 50_000 }, (_, i) => ({ ts: 1_000_000_000_000_000_000n + BigInt(k * 50_000 + i), line: hex(i) })))]);
        await s.checkpoint();
      }
      assert.ok((await s.sizeBytes()) > 32 * 1024 * 1024, `store of ${await s.sizeBytes()} bytes is larger than the limit`);
      const ids = (await s.streams('t', 0n, 2n ** 62n)).map((x) => x.id);
      // A regex no hex line matches and no skip index can rule out: every row is read.
      let n = 0;
      for await (const rows of s.select({ tenant: 't', streamIds: ids, start: 0n, end: 2n ** 62n, direction: 'forward', line: { type: 'regex', pattern: '^[g-z]' } })) n += rows.length;
      assert.equal(n, 0);
      const byTag = await s.memoryStats();
      const total = [...byTag.values()].reduce((a, b) => a + b, 0);
      assert.ok(byTag.get('BASE_TABLE')! > 0, `table data is cached: ${JSON.stringify([...byTag])}`);
      assert.ok(total <= 32 * 1024 * 1024, `DuckDB holds ${total} bytes, more than its 32MB limit: ${JSON.stringify([...byTag])}`);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

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

  it('writes row groups of rowGroupRows rows, also after a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    const rowGroups = async (s: DuckDBStorage): Promise<number[]> =>
      (await s.query("SELECT count FROM pragma_storage_info('entries') WHERE column_name = 'ts' AND segment_type = 'BIGINT' ORDER BY row_group_id, segment_id")).map((r) => Number(r[0]));
    const lines = (from: number): ReturnType<typeof batch> => batch('t', { a: '1' }, Array.from({ length: 5000 }, (_, i) => ({ ts: 1_000_000_000_000_000_000n + BigInt(from + i), line: `line ${from + i}` })));
    let s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, rowGroupRows: 2048 });
    try {
      await s.open();
      await s.write([lines(0)]);
      await s.checkpoint();
      assert.deepEqual(await rowGroups(s), [2048, 2048, 904]);
      await s.close();
      // The size is not stored in the file: it holds because every open attaches with it.
      s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, rowGroupRows: 2048 });
      await s.open();
      await s.write([lines(5000)]);
      await s.checkpoint();
      assert.ok((await rowGroups(s)).every((n) => n <= 2048), String(await rowGroups(s)));
      assert.equal((await rowGroups(s)).reduce((a, b) => a + b, 0), 10_000);
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

describe('duckdb storage: per-minute rollups', () => {
  const MIN = 60_000_000_000n;
  const T0 = 1_767_225_600_000_000_000n; // a whole minute
  const tsOf = (i: number): bigint => T0 + BigInt(i) * 7_000_000_000n + BigInt(i % 3); // 7 s apart, some on a minute
  const lines = (n: number, from = 0): Array<{ ts: bigint; line: string; level: 'info' | 'error' }> =>
    Array.from({ length: n }, (_, k) => ({ ts: tsOf(from + k), line: `l${from + k}`, level: (from + k) % 4 === 0 ? 'error' : 'info' }));
  const open = async (dir: string): Promise<DuckDBStorage> => {
    const s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
    await s.open();
    return s;
  };
  /** Runs `fn` on a store in a new directory (`st.s`, replaced by `st.reopen()`), then removes it. */
  const withStore = async (fn: (st: { s: DuckDBStorage; reopen(): Promise<void> }) => Promise<void>): Promise<void> => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    const st = {
      s: await open(dir),
      async reopen(): Promise<void> {
        await st.s.close();
        st.s = await open(dir);
      },
    };
    try {
      await fn(st);
    } finally {
      await st.s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const totals = async (s: DuckDBStorage, width: bigint, origin = T0): Promise<string> => {
    const ids = (await s.streams('t', 0n, 2n ** 62n)).map((x) => x.id);
    const rows = await s.countBuckets({ tenant: 't', streamIds: ids, start: origin + 1n, end: T0 + 60n * MIN, origin, width, metadataKeys: [] });
    return rows
      .map((r) => `${r.level} b${r.bucket} n${r.count} ${r.bytes}B`)
      .sort()
      .join('\n');
  };

  it('counts whole-minute buckets from entry_counts, others from the entries', async () => {
    await withStore(async (st) => {
      await st.s.write([batch('t', { a: '1' }, lines(300))]);
      const minute = await totals(st.s, MIN);
      const odd = await totals(st.s, 10_000_000_000n);
      const shifted = await totals(st.s, MIN, T0 + 1n);
      // Inflate every stored count: only answers read from entry_counts change.
      await st.s.withWriter((c) => c.run('UPDATE entry_counts SET n = n + 1000'));
      assert.notEqual(await totals(st.s, MIN), minute);
      assert.equal(await totals(st.s, 10_000_000_000n), odd);
      assert.equal(await totals(st.s, MIN, T0 + 1n), shifted); // minutes cut by every bucket boundary
      await st.s.withWriter((c) => c.run('UPDATE entry_counts SET n = n - 1000'));
      assert.equal(await totals(st.s, MIN), minute);
      await st.reopen();
      assert.equal(await totals(st.s, MIN), minute);
    });
  });

  it('merges the rows of past minutes into one per key, across restarts, counting the same', async () => {
    await withStore(async (st) => {
      for (let i = 0; i < 10; i++) await st.s.write([batch('t', { a: '1' }, lines(30, i * 30))]);
      const before = await totals(st.s, MIN);
      const rowCount = async (): Promise<number> => Number((await st.s.query('SELECT count(*) FROM entry_counts'))[0][0]);
      const keys = Number((await st.s.query('SELECT count(*) FROM (SELECT DISTINCT tenant, stream, level, cell, meta FROM entry_counts)'))[0][0]);
      assert.ok((await rowCount()) > keys);
      // Restarted before any merge: the store finds the cells to merge by itself.
      await st.reopen();
      assert.ok((await st.s.mergeCounts()) > 0);
      assert.equal(await rowCount(), keys);
      assert.equal(await totals(st.s, MIN), before);
      assert.equal(await st.s.mergeCounts(), 0);
    });
  });

  it('builds the counts of a store written before they existed (schema version 1)', async () => {
    await withStore(async (st) => {
      await st.s.write([batch('t', { a: '1' }, lines(200))]);
      const want = await totals(st.s, MIN);
      await st.s.withWriter(async (c) => {
        await c.run('DROP TABLE entry_counts');
        await c.run('DROP TABLE line_blooms');
        await c.run('ALTER TABLE entries DROP COLUMN blk');
        await c.run('UPDATE schema_version SET version = 1');
      });
      await st.reopen();
      assert.equal(Number((await st.s.query('SELECT max(version) FROM schema_version'))[0][0]), MIGRATIONS.length);
      assert.equal(await totals(st.s, MIN), want);
    });
  });
});

describe('duckdb storage: streams counted as one', () => {
  it('returns a group once, under the standing stream, with the sums of its streams', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    const s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
    try {
      await s.open();
      const T0 = 1_767_225_600_000_000_000n;
      const lines = (n: number, salt: string): Array<{ ts: bigint; line: string; level: 'info' | 'error' }> =>
        Array.from({ length: n }, (_, i) => ({ ts: T0 + BigInt(i) * 13_000_000_000n + 1n, line: `${salt}${i}`, level: i % 3 ? 'info' : 'error' }));
      await s.write([batch('t', { a: '1' }, lines(40, 'x')), batch('t', { a: '2' }, lines(30, 'yy')), batch('t', { a: '3' }, lines(20, 'z'))]);
      const [a, b, c] = ['1', '2', '3'].map((v) => streamId('t', { a: v }));
      for (const width of [60_000_000_000n, 10_000_000_000n]) {
        const plan = { tenant: 't', streamIds: [a, b, c], start: T0 + 1n, end: T0 + 3_600_000_000_000n, origin: T0, width, metadataKeys: [] };
        const apart = await s.countBuckets(plan);
        const grouped = await s.countBuckets({ ...plan, countAs: new Map([[b, a]]) });
        assert.deepEqual([...new Set(grouped.map((r) => r.streamId))].sort(), [a, c].sort());
        const sum = (rows: typeof apart, ids: bigint[]): string => {
          const m = new Map<string, number>();
          for (const r of rows) if (ids.includes(r.streamId)) m.set(`${r.level} ${r.bucket}`, (m.get(`${r.level} ${r.bucket}`) ?? 0) + r.count * 1000 + r.bytes);
          return JSON.stringify([...m].sort());
        };
        assert.equal(sum(grouped, [a]), sum(apart, [a, b]));
        assert.equal(sum(grouped, [c]), sum(apart, [c]));
      }
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Every filter in memory (the default for a store this small), and only the newest 3 of 10 (the
// older ones tested in SQL).
for (const cachedFilters of [undefined, 3]) describe(`duckdb storage: the skip index of line filters (${cachedFilters ?? 'all'} in memory)`, () => {
  const T0 = 1_767_225_600_000_000_000n;
  const NEEDLE = 'zq7rare9token';
  /** 1,000 lines in 10 writes of 100; the needle in lines 150 and 720 only. */
  const write = async (s: DuckDBStorage): Promise<void> => {
    for (let w = 0; w < 10; w++) {
      const lines = Array.from({ length: 100 }, (_, k) => {
        const i = w * 100 + k;
        return { ts: T0 + BigInt(i) * 1_000_000_000n, line: `request ${i} handled path=/api/v1/items/${i * 7}${i === 150 || i === 720 ? ' ' + NEEDLE : ''}` };
      });
      await s.write([batch('t', { app: 'a' }, lines)]);
    }
  };
  const find = async (s: DuckDBStorage, needle: string, limit?: number): Promise<string[]> => {
    const out: string[] = [];
    for await (const rows of s.select({ tenant: 't', streamIds: [streamId('t', { app: 'a' })], start: T0, end: T0 + 10n ** 13n, direction: 'backward', limit, line: { type: 'contains', value: needle } })) {
      for (const r of rows) out.push(r.line);
    }
    return out;
  };
  /** `skipped()`: blocks the store's filters ruled out since it was (re)opened. */
  const withBlocks = async (fn: (s: DuckDBStorage, reopen: () => Promise<DuckDBStorage>, skipped: () => number) => Promise<void>): Promise<void> => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-'));
    let skipped = 0;
    const open = async (): Promise<DuckDBStorage> => {
      skipped = 0;
      const s = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB', blockRows: 100, cachedFilters, onBlockFilter: (_, n) => (skipped += n) });
      await s.open();
      return s;
    };
    let s = await open();
    try {
      await fn(
        s,
        async () => {
          await s.close();
          s = await open();
          return s;
        },
        () => skipped,
      );
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const blooms = async (s: DuckDBStorage): Promise<number> => Number((await s.query('SELECT count(*) FROM line_blooms'))[0][0]);

  it('reads only the blocks whose filter may hold the needle, and finds every match', async () => {
    await withBlocks(async (s, _, skipped) => {
      await write(s);
      // Ten blocks of 100 rows; each sealed one has its filter.
      assert.equal(await blooms(s), 10);
      assert.deepEqual(await find(s, NEEDLE), [`request 720 handled path=/api/v1/items/5040 ${NEEDLE}`, `request 150 handled path=/api/v1/items/1050 ${NEEDLE}`]);
      assert.ok(skipped() >= 7, `only ${skipped()} blocks skipped`);
      // A substring inside a word, and a limited query, still find all they should.
      assert.equal((await find(s, 'rare9tok')).length, 2);
      assert.equal((await find(s, NEEDLE, 1)).length, 1);
      // Lines in the block being filled (no filter yet) are read too.
      await s.write([batch('t', { app: 'a' }, [{ ts: T0 + 5000n * 1_000_000_000n, line: `late ${NEEDLE}` }])]);
      assert.deepEqual((await find(s, NEEDLE))[0], `late ${NEEDLE}`);
    });
  });

  it('converts the filters of a version-3 store (bits as BLOB) at open, and they rule out the same blocks', async () => {
    await withBlocks(async (s, reopen, skipped) => {
      await write(s);
      const want = await find(s, NEEDLE);
      await s.withWriter(async (c) => {
        await c.run('ALTER TABLE line_blooms ALTER bits SET DATA TYPE BLOB USING bits::BLOB');
        await c.run('UPDATE schema_version SET version = 3');
      });
      s = await reopen();
      assert.deepEqual(await s.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'line_blooms' AND column_name = 'bits'"), [['BIT']]);
      assert.equal(await blooms(s), 10);
      assert.deepEqual(await find(s, NEEDLE), want);
      assert.ok(skipped() >= 7, `only ${skipped()} blocks skipped`);
    });
  });

  it('builds missing filters at open (a crash between a commit and its filter) and reads rows from before the index', async () => {
    await withBlocks(async (s, reopen, skipped) => {
      await write(s);
      await s.withWriter(async (c) => {
        await c.run('DELETE FROM line_blooms WHERE blk IN (1, 7)');
        // Rows written before schema version 3 have no block.
        await c.run("UPDATE entries SET blk = NULL WHERE line LIKE 'request 72%'");
      });
      s = await reopen();
      assert.equal(await blooms(s), 10);
      assert.equal((await find(s, NEEDLE)).length, 2);
      assert.ok(skipped() >= 7, `only ${skipped()} blocks skipped`);
      // Retention drops the filters of blocks entirely before the cutoff.
      await s.applyRetention(T0 + 500n * 1_000_000_000n);
      assert.equal(await blooms(s), 5);
      assert.deepEqual(await find(s, NEEDLE), [`request 720 handled path=/api/v1/items/5040 ${NEEDLE}`]);
    });
  });
});
