/**
 * The embedded store after a fatal error and with too little room to checkpoint. DuckDB's
 * `debug_checkpoint_abort` setting makes a checkpoint fail half-way exactly as a full disk does
 * (the instance is invalidated), without filling a disk; test/e2e/disk-full.test.ts fills a real
 * one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBStorage, type DuckDBStorageOptions } from './duckdb-storage.js';
import { batch } from '../conformance.js';
import { LogSentinelError } from '../../errors.js';

const T0 = 1_700_000_000_000_000_000n;
const entries = (from: number, n: number): Array<{ ts: bigint; line: string }> => Array.from({ length: n }, (_, i) => ({ ts: T0 + BigInt(from + i), line: `line ${from + i}` }));

async function withStore(opts: Partial<DuckDBStorageOptions>, fn: (s: DuckDBStorage, events: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ls-duckdb-recovery-'));
  const events: string[] = [];
  const s = new DuckDBStorage({
    dataDir: dir,
    checkpointIntervalMs: 0,
    threads: 1,
    reopenRetryMs: 20,
    onBackgroundError: (what, err) => events.push(`error ${what}: ${(err as Error).message.split('\n')[0]}`),
    onReopen: ({ cause }) => events.push(`reopened after ${cause}`),
    ...opts,
  });
  await s.open();
  try {
    await fn(s, events);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function count(s: DuckDBStorage): Promise<{ total: number; distinct: number }> {
  const [[total, distinct]] = await s.query("SELECT count(*), count(DISTINCT line) FROM entries WHERE tenant = 't'");
  return { total: Number(total), distinct: Number(distinct) };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('duckdb store recovery', () => {
  it('reopens by itself after a fatal checkpoint error, keeping every commit once and the dedup window', async () => {
    // A window of 1000 holds the latest 500 to 1000 entries; at open the store reloads only the
    // latest 500 from the table, so entries 500..508 below are caught only if the window survived.
    await withStore({ dedupWindowEntries: 1000 }, async (s, events) => {
      await s.write([batch('t', { app: 'a' }, entries(0, 1000))]);
      await s.checkpoint();
      await s.write([batch('t', { app: 'b' }, entries(1000, 10))]);
      await s.query("SET debug_checkpoint_abort = 'BEFORE_HEADER'");

      // The failing checkpoint invalidates the instance; the store says so and reopens.
      await assert.rejects(s.checkpoint(), (err: LogSentinelError) => {
        assert.equal(err.code, 'STORAGE_UNAVAILABLE');
        assert.equal(err.status, 503);
        assert.equal(err.retryAfter, 1);
        assert.match(err.message, /^cannot checkpoint store: the store is reopening after a fatal error \(.*Checkpoint aborted/);
        return true;
      });
      assert.match(events.join('\n'), /invalidated and reopens now/);
      await until(() => s.unavailableReason() === undefined);
      assert.match(events.join('\n'), /reopened after .*Checkpoint failed .*invalidated/);

      // Every commit is there once (the WAL was replayed), with its stream index.
      assert.deepEqual(await count(s), { total: 1010, distinct: 1010 });
      assert.deepEqual((await s.streams('t', 0n, 2n ** 62n)).map((x) => x.labels.app).sort(), ['a', 'b']);
      // A retry of what was committed before the reopen is not stored again; new entries are.
      await s.write([batch('t', { app: 'a' }, entries(500, 9)), batch('t', { app: 'b' }, entries(1000, 10)), batch('t', { app: 'c' }, entries(9000, 5))]);
      assert.deepEqual(await count(s), { total: 1015, distinct: 1015 });
      let n = 0;
      const ids = (await s.streams('t', 0n, 2n ** 62n)).map((x) => x.id);
      for await (const rows of s.select({ tenant: 't', streamIds: ids, start: 0n, end: 2n ** 62n, direction: 'forward' })) n += rows.length;
      assert.equal(n, 1015);
    });
  });

  it('after a reopen, a retry with the same metadata (in any key order) is caught; other metadata is a new entry', async () => {
    await withStore({ dedupWindowEntries: 1000 }, async (s) => {
      const e = (metadata: Record<string, string>): { ts: bigint; line: string; metadata: Record<string, string> } => ({ ts: T0, line: 'same', metadata });
      await s.write([batch('t', { app: 'm' }, [e({ a: '1', b: '2' }), e({ a: '2' })])]);
      await s.query("SET debug_checkpoint_abort = 'BEFORE_HEADER'");
      await assert.rejects(s.checkpoint(), /reopening after a fatal error/);
      await until(() => s.unavailableReason() === undefined);
      await s.write([batch('t', { app: 'm' }, [e({ b: '2', a: '1' }), e({ a: '2' }), e({ a: '3' })])]);
      const rows = await s.query("SELECT metadata FROM entries WHERE tenant = 't' ORDER BY metadata");
      assert.deepEqual(rows.map((r) => r[0]), ['{"a":"1","b":"2"}', '{"a":"2"}', '{"a":"3"}']);
    });
  });

  it('answers writes and reads 503 naming the cause while it reopens', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await withStore({}, async (s) => {
      await s.write([batch('t', { app: 'a' }, entries(0, 10))]);
      await s.query("SET debug_checkpoint_abort = 'BEFORE_HEADER'");
      // Hold the write lock so the reopen cannot run yet: the store stays in its fatal state.
      const blocker = (s as unknown as { writeLock: { run(fn: () => Promise<void>): Promise<void> } }).writeLock;
      await s.write([batch('t', { app: 'a' }, entries(10, 10))]);
      await assert.rejects(s.checkpoint(), /reopening after a fatal error/);
      const hold = blocker.run(() => held);
      const want = (what: string) => (err: LogSentinelError): boolean => {
        assert.equal(err.status, 503, err.message);
        assert.equal(err.retryAfter, 1);
        assert.match(err.message, new RegExp(`^cannot ${what}: the store is reopening after a fatal error \\(.*Checkpoint failed .*invalidated`));
        return true;
      };
      assert.match(s.unavailableReason() ?? '', /^reopening after a fatal error \(.*Checkpoint failed .*invalidated/);
      await assert.rejects(s.query('SELECT 1'), want('query store'));
      await assert.rejects(async () => {
        for await (const _ of s.select({ tenant: 't', streamIds: [1n], start: 0n, end: 2n ** 62n, direction: 'forward' })) void _;
      }, want('read entries'));
      const pending = s.write([batch('t', { app: 'a' }, entries(20, 10))]);
      release();
      await hold;
      // The write queued behind the reopen either ran on the reopened store or was refused with a 503.
      await pending.catch(want('write entries'));
      await until(() => s.unavailableReason() === undefined);
      await s.write([batch('t', { app: 'a' }, entries(20, 10))]);
      assert.deepEqual(await count(s), { total: 30, distinct: 30 });
    });
  });

  it('defers a checkpoint without room for it, says why once, and keeps serving', async () => {
    await withStore({ checkpointReserveBytes: 2 ** 60 }, async (s, events) => {
      await s.write([batch('t', { app: 'a' }, entries(0, 100))]);
      await s.checkpoint();
      await s.checkpoint();
      const deferred = events.filter((e) => e.startsWith('error checkpoint:'));
      assert.equal(deferred.length, 1, events.join('\n'));
      assert.match(deferred[0], /cannot checkpoint .*logsentinel\.duckdb: .* free on its filesystem, a checkpoint may need .*; it waits until space is freed/);
      assert.equal(s.unavailableReason(), undefined);
      await s.write([batch('t', { app: 'a' }, entries(100, 100))]);
      assert.deepEqual(await count(s), { total: 200, distinct: 200 });
    });
  });
});
