/**
 * Durability drills against the real server process: graceful restart, `kill -9` during
 * continuous ingest (every acknowledged entry survives, nothing is stored twice, also when the
 * client retries what was not acknowledged), and overload answered with 429.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, removeDir, tempDataDir, type ServerHandle } from './harness.js';
import { DuckDBStorage } from '../../src/storage/duckdb/duckdb-storage.js';

const BASE = BigInt(Date.now()) * 1_000_000n - 600_000_000_000n;

function body(worker: number, seq: number, n: number): string {
  const values: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) {
    const k = seq * n + i;
    values.push([(BASE + BigInt(worker) * 10_000_000_000n + BigInt(k)).toString(), `w${worker} seq${seq} i${i} level=info msg="drill entry"`]);
  }
  return JSON.stringify({ streams: [{ stream: { service: 'drill', worker: String(worker) }, values }] });
}

async function pushBody(url: string, b: string): Promise<number> {
  const r = await fetch(url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: b });
  await r.arrayBuffer();
  return r.status;
}

/** Counts stored lines (total, distinct) by opening the store directly, the server stopped. */
async function countStored(dataDir: string): Promise<{ total: number; distinct: number; lines: Set<string> }> {
  const s = new DuckDBStorage({ dataDir, checkpointIntervalMs: 0, dedupWindowEntries: 0 });
  await s.open();
  try {
    const [[total, distinct]] = await s.query("SELECT count(*), count(DISTINCT line) FROM entries WHERE tenant = 'default'");
    const rows = await s.query("SELECT line FROM entries WHERE tenant = 'default'");
    return { total: Number(total), distinct: Number(distinct), lines: new Set(rows.map((r) => r[0] as string)) };
  } finally {
    await s.close();
  }
}

describe('durability', () => {
  it('data survives a graceful restart', async () => {
    const dataDir = tempDataDir();
    let s: ServerHandle = await startServer({ dataDir });
    try {
      assert.equal(await pushBody(s.url, body(0, 0, 100)), 204);
      assert.equal(await s.stop(), 0, s.output());
      s = await startServer({ dataDir });
      const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{service="drill"}', limit: '1000', since: '2h' }));
      const j = (await r.json()) as { data: { result: Array<{ values: unknown[] }> } };
      assert.equal(j.data.result.reduce((n, x) => n + x.values.length, 0), 100);
    } finally {
      await s.stop();
      removeDir(dataDir);
    }
  });

  it('kill -9 during continuous ingest loses no acknowledged entry and stores none twice', async (t) => {
    const dataDir = tempDataDir();
    let s = await startServer({ dataDir });
    const perBatch = 250;
    const acked: string[] = [];
    const unacked: string[] = [];
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      for (let seq = 0; !stop; seq++) {
        const b = body(w, seq, perBatch);
        try {
          const status = await pushBody(s.url, b);
          if (status === 204) acked.push(b);
          else unacked.push(b);
        } catch {
          unacked.push(b);
          return;
        }
      }
    };
    try {
      const workers = [0, 1, 2, 3].map((w) => worker(w));
      // Let ingest run, then kill the server in the middle of it.
      while (acked.length < 40) await new Promise((r) => setTimeout(r, 20));
      await s.kill9();
      stop = true;
      await Promise.all(workers);
      assert.ok(acked.length >= 40);

      // After restart, the client retries what was not acknowledged, as Loki clients do.
      s = await startServer({ dataDir });
      for (const b of unacked) assert.equal(await pushBody(s.url, b), 204);
      // And a client that did not see its acknowledgement retries a batch that was committed.
      for (const b of acked.slice(-3)) assert.equal(await pushBody(s.url, b), 204);
      assert.equal(await s.stop(), 0);

      const stored = await countStored(dataDir);
      t.diagnostic(`acknowledged batches ${acked.length}, unacknowledged ${unacked.length}, stored ${stored.total} (${stored.distinct} distinct)`);
      const wantLines = new Set<string>();
      for (const b of [...acked, ...unacked]) {
        for (const [, line] of (JSON.parse(b) as { streams: Array<{ values: string[][] }> }).streams[0].values) wantLines.add(line);
      }
      const missing = [...wantLines].filter((l) => !stored.lines.has(l));
      assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged or retried entries are missing`);
      assert.equal(stored.total, stored.distinct, `${stored.total - stored.distinct} entries are stored twice`);
      assert.equal(stored.total, wantLines.size);
    } finally {
      await s.stop();
      removeDir(dataDir);
    }
  });

  it('SIGTERM during continuous ingest exits 0 and keeps every acknowledged entry once', async (t) => {
    const dataDir = tempDataDir();
    const s = await startServer({ dataDir, env: { LOGSENTINEL_SERVER_LOG_LEVEL: 'info' } });
    const perBatch = 200;
    const acked: string[] = [];
    const refused: number[] = [];
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      for (let seq = 0; !stop; seq++) {
        const b = body(10 + w, seq, perBatch);
        try {
          const status = await pushBody(s.url, b);
          if (status === 204) acked.push(b);
          else refused.push(status);
        } catch {
          return; // the listener is closed: this worker is done
        }
      }
    };
    try {
      const workers = [0, 1, 2, 3].map((w) => worker(w));
      while (acked.length < 30) await new Promise((r) => setTimeout(r, 20));
      const code = await s.stop();
      stop = true;
      await Promise.all(workers);
      assert.equal(code, 0, s.output());
      assert.match(s.output(), /"msg":"stopped"/);
      // While closing, Fastify answers requests on open connections with 503; nothing else.
      assert.deepEqual([...new Set(refused)].filter((c) => c !== 503), []);
      const stored = await countStored(dataDir);
      t.diagnostic(`acknowledged batches ${acked.length}, refused while stopping ${refused.length}, stored ${stored.total}`);
      const missing = acked.flatMap((b) => (JSON.parse(b) as { streams: Array<{ values: string[][] }> }).streams[0].values.map((v) => v[1])).filter((l) => !stored.lines.has(l));
      assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged entries are missing`);
      assert.equal(stored.total, stored.distinct, `${stored.total - stored.distinct} entries are stored twice`);
      assert.equal(stored.total, acked.length * perBatch);
    } finally {
      await s.stop();
      removeDir(dataDir);
    }
  });

  it('overload is answered with 429 and Retry-After, and the server keeps serving', async () => {
    const s = await startServer({ env: { LOGSENTINEL_INGEST_MAX_QUEUED_ENTRIES: '1000', LOGSENTINEL_INGEST_MAX_BATCH_ENTRIES: '1000' } });
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(9, i, 1000) })),
      );
      const statuses = results.map((r) => r.status);
      assert.ok(statuses.includes(204), String(statuses));
      const limited = results.find((r) => r.status === 429);
      assert.ok(limited, `expected some 429s, got ${statuses}`);
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.match(await limited.text(), /entries are waiting to be committed/);
      assert.equal((await fetch(s.url + '/health/liveness')).status, 200);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });
});
