/**
 * A full disk under the embedded store, on a real (small) filesystem: a tmpfs as the data
 * directory, filled to the brim with a ballast file while clients push. Pushes of every protocol
 * answer 503 with Retry-After naming the cause (never a 500), readiness turns 503 with the reason,
 * queries of committed data keep working, and once the ballast is deleted LogSentinel takes pushes
 * again by itself — also across a kill -9 while the disk is full. The clients retry every refused
 * batch, as Loki clients do; at the end every batch is stored, each entry exactly once.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, startServer, type ServerHandle } from './harness.js';
import { freeBytes, tmpfsUnavailable, withTmpfs, writeBallast } from './tmpfs.js';
import { Pushers, assertStoredOnce as assertExactlyOnce, linesOf } from './pushers.js';

const MiB = 1024 * 1024;
const PER_BATCH = 200;
const PUSH = { service: 'diskfull', perBatch: PER_BATCH, pad: 100 };

async function until(what: string, f: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await f().catch(() => false))) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readiness(s: ServerHandle): Promise<{ status: number; reason?: string }> {
  const r = await getJson(s, '/health/readiness');
  return { status: r.status, reason: (r.body as { reason?: string }).reason };
}

/** Every acknowledged entry is stored exactly once (the store opened directly, server stopped). */
function assertStoredOnce(t: TestContext, dataDir: string, acked: string[]): Promise<void> {
  return assertExactlyOnce(t, dataDir, linesOf(acked));
}

/** A push of each other protocol while the disk is full: 503, Retry-After, the protocol's error shape naming the cause. */
async function assertEveryProtocolRefuses(s: ServerHandle, cause: RegExp): Promise<void> {
  const now = `${Date.now()}000000`;
  const cases: Array<{ path: string; type: string; body: string; check: (text: string) => void }> = [
    {
      path: '/api/v1/push/jsonlines',
      type: 'application/x-ndjson',
      body: '{"_msg":"x","service":"diskfull-jl"}\n',
      check: (text) => {
        const j = JSON.parse(text) as { status: string; errorType: string; error: string };
        assert.equal(j.status, 'error');
        assert.equal(j.errorType, 'storage_full');
        assert.match(j.error, cause);
      },
    },
    {
      path: '/otlp/v1/logs',
      type: 'application/json',
      body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'diskfull-otlp' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: now, body: { stringValue: 'x' } }] }] }] }),
      check: (text) => {
        const j = JSON.parse(text) as { code: number; message: string };
        assert.equal(j.code, 14, 'google.rpc.Code UNAVAILABLE');
        assert.match(j.message, cause);
      },
    },
    {
      path: '/_bulk',
      type: 'application/x-ndjson',
      body: '{"index":{"_index":"diskfull"}}\n{"message":"x"}\n',
      check: (text) => {
        const j = JSON.parse(text) as { status: number; error: { type: string; reason: string } };
        assert.equal(j.status, 503);
        assert.equal(j.error.type, 'unavailable_shards_exception');
        assert.match(j.error.reason, cause);
      },
    },
  ];
  for (const c of cases) {
    const r = await fetch(s.url + c.path, { method: 'POST', headers: { 'content-type': c.type }, body: c.body });
    const text = await r.text();
    assert.equal(r.status, 503, `${c.path}: ${text}`);
    assert.equal(r.headers.get('retry-after'), '5', c.path);
    c.check(text);
  }
}

async function assertQueriesWork(s: ServerHandle, atLeast: number): Promise<void> {
  const r = await getJson(s, '/loki/api/v1/query', { query: 'sum(count_over_time({service="diskfull"}[1h]))', time: String(Date.now() * 1e6) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const n = Number((r.body as { data: { result: Array<{ value: [number, string] }> } }).data.result[0]?.value[1] ?? 0);
  assert.ok(n >= atLeast, `a query counts ${n} committed entries, want at least ${atLeast}`);
}

const skip = tmpfsUnavailable();

describe('a full disk under the embedded store', { skip }, () => {
  it('refuses pushes below the free-space watermark and resumes once space is freed', async (t) => {
    await withTmpfs(64, async (mnt) => {
      const dataDir = join(mnt, 'data');
      const s = await startServer({ dataDir, env: { LOGSENTINEL_STORAGE_MIN_FREE_BYTES: '16MiB', LOGSENTINEL_STORAGE_DUCKDB_CHECKPOINT_INTERVAL: '1s' } });
      const pushers = new Pushers(() => s.url, 2, PUSH);
      try {
        await pushers.waitAcked(10);
        const ackedBefore = pushers.acked.length;
        writeBallast(join(mnt, 'ballast'), 8 * MiB);
        t.diagnostic(`ballast written: ${(freeBytes(mnt) / MiB).toFixed(1)} MiB free`);

        const refused = await pushers.waitRefusal(/below storage\.minFreeBytes/);
        assert.equal(refused.status, 503);
        assert.equal(refused.retryAfter, '5');
        assert.match(refused.body, /^cannot accept push: only [\d.]+ MiB free on the filesystem of the data directory .*\/data, below storage\.minFreeBytes \(16 MiB\); pushes are refused until space is freed\n$/);
        const ready = await readiness(s);
        assert.equal(ready.status, 503);
        assert.match(ready.reason ?? '', /^disk: only [\d.]+ MiB free on the filesystem of the data directory .*below storage\.minFreeBytes \(16 MiB\)/);
        const loki = await fetch(s.url + '/ready');
        assert.equal(loki.status, 503);
        assert.match(await loki.text(), /^Ingester not ready: disk: only/);
        await assertEveryProtocolRefuses(s, /below storage\.minFreeBytes/);
        await assertQueriesWork(s, ackedBefore * PER_BATCH);

        rmSync(join(mnt, 'ballast'));
        await until('readiness is 200 again', async () => (await readiness(s)).status === 200, 10_000);
        const ackedAfter = pushers.acked.length;
        await pushers.waitAcked(ackedAfter + 10);
        await pushers.stop();
        assert.deepEqual([...new Set(pushers.refusals.map((r) => r.status))], [503], 'every refusal is a 503, never a 500');
        assert.equal(await s.stop(), 0, s.output());
        await assertStoredOnce(t, dataDir, pushers.acked);
      } finally {
        await pushers.abandon();
        await s.kill9();
      }
    });
  });

  it('filled to the brim: 503 naming the full disk, queries keep working, kill -9 and restart while full, recovery without a restart once freed', async (t) => {
    await withTmpfs(64, async (mnt) => {
      const dataDir = join(mnt, 'data');
      const env = { LOGSENTINEL_STORAGE_MIN_FREE_BYTES: '0', LOGSENTINEL_STORAGE_DUCKDB_CHECKPOINT_INTERVAL: '1s' };
      let s = await startServer({ dataDir, env });
      const pushers = new Pushers(() => s.url, 2, PUSH);
      try {
        await pushers.waitAcked(10);
        writeBallast(join(mnt, 'ballast'));
        t.diagnostic(`ballast written: ${freeBytes(mnt)} bytes free`);

        const refused = await pushers.waitRefusal(/No space left on device/);
        assert.equal(refused.status, 503);
        assert.equal(refused.retryAfter, '5');
        assert.match(refused.body, /^cannot (write entries|accept push: the last write to the store failed: cannot write entries): the filesystem of the data directory .*\/data is full \(No space left on device\); free space and LogSentinel resumes by itself\n$/);
        await until('readiness names the full disk', async () => /^store: .*is full \(No space left on device\)/.test((await readiness(s)).reason ?? ''));
        assert.equal((await readiness(s)).status, 503);
        await assertEveryProtocolRefuses(s, /No space left on device/);
        const ackedWhileFull = pushers.acked.length;
        await assertQueriesWork(s, ackedWhileFull * PER_BATCH);
        const metrics = await (await fetch(s.url + '/metrics')).text();
        const free = Number(/^storage_free_bytes (\S+)$/m.exec(metrics)?.[1]);
        assert.ok(free < 1 * MiB, `storage_free_bytes ${free}`);

        // kill -9 while the disk is full, and start again on the still-full disk.
        await s.kill9();
        s = await startServer({ dataDir, env, port: s.port, waitFor: 'live' });
        const after = await readiness(s);
        assert.equal(after.status, 503);
        assert.match(after.reason ?? '', /^store: cannot write a probe file to .*: ENOSPC: no space left on device/);
        await assertQueriesWork(s, ackedWhileFull * PER_BATCH);

        // Space comes back: LogSentinel notices by itself and takes pushes again.
        rmSync(join(mnt, 'ballast'));
        await until('readiness is 200 again', async () => (await readiness(s)).status === 200, 15_000);
        const ackedAfter = pushers.acked.length;
        await pushers.waitAcked(ackedAfter + 10);
        await pushers.stop();
        assert.deepEqual([...new Set(pushers.refusals.map((r) => r.status))], [503], 'every refusal is a 503, never a 500');
        assert.equal(await s.stop(), 0, s.output());
        await assertStoredOnce(t, dataDir, pushers.acked);
      } finally {
        await pushers.abandon();
        await s.kill9();
      }
    });
  });
});
