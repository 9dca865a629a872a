/**
 * Cluster mode end to end: `ingest`, `process` and `query` as three processes against a real Redis
 * and PostgreSQL (own key prefix and schema, removed at the end); a push to the ingest pod comes
 * back from the query pod. Also: readiness follows Redis (an ingest pod whose Redis is gone is
 * not ready, and is again once Redis is back).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Redis } from 'ioredis';
import { GROUP, partitionKeys } from '../../src/queue/redis-streams/keys.js';
import { freePort } from './harness.js';
import { startOwnRedis, TEST_REDIS_URL } from '../../src/queue/redis-streams/testing/test-redis.js';
import { TEST_POSTGRES_URL, timescaleUnavailable } from '../../src/storage/postgres/testing/test-postgres.js';
import { compressChunksStatement } from '../../src/storage/postgres/timescale.js';
import { clusterUnavailable, eventually, useCluster } from './cluster-fixture.js';
import { ownPostgresSkip, ownTimescaleSkip, startOwnPostgres } from './own-postgres.js';

const PG_URL = TEST_POSTGRES_URL;

const skip = await clusterUnavailable();


describe('cluster mode', { skip }, () => {
  const { env, start } = useCluster('e2e');

  it('ingest → Redis → process → PostgreSQL → query, in three processes', { timeout: 90_000 }, async () => {
    // The processor creates the schema; the query pod opens it afterwards.
    const ingest = await start('ingest');
    const processor = await start('process');
    const query = await start('query');

    const ts = BigInt(Date.now()) * 1_000_000n + 123_456n;
    const body = {
      streams: [
        { stream: { service: 'checkout', env: 'prod' }, values: [[ts.toString(), 'level=error msg="payment declined" order=17', { trace_id: 'abc123' }]] },
        { stream: { service: 'api' }, values: [[(ts + 1n).toString(), 'GET /health 200']] },
      ],
    };
    const push = await fetch(ingest.url + '/loki/api/v1/push', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Scope-OrgID': 'team-a' }, body: JSON.stringify(body) });
    assert.equal(push.status, 204, await push.text());

    const q = new URLSearchParams({ query: '{service="checkout"} |= "payment"', start: (ts - 60_000_000_000n).toString(), end: (ts + 60_000_000_000n).toString() });
    const result = await eventually(async () => {
      const r = await fetch(`${query.url}/loki/api/v1/query_range?${q}`, { headers: { 'X-Scope-OrgID': 'team-a' } });
      const j = (await r.json()) as { data: { result: Array<{ stream: Record<string, string>; values: [string, string][] }> } };
      return j.data.result.length > 0 ? j.data.result : undefined;
    }, 'the pushed line is queryable from the query pod');
    assert.equal(result.length, 1);
    assert.deepEqual(result[0].values, [[ts.toString(), 'level=error msg="payment declined" order=17']], 'nanosecond timestamp and line kept exactly');
    assert.equal(result[0].stream.service, 'checkout');

    // Another tenant sees nothing.
    const other = await fetch(`${query.url}/loki/api/v1/query_range?${q}`, { headers: { 'X-Scope-OrgID': 'team-b' } });
    assert.deepEqual(((await other.json()) as { data: { result: unknown[] } }).data.result, []);

    // Each role serves its own routes only.
    assert.equal((await fetch(`${ingest.url}/loki/api/v1/query_range?${q}`)).status, 404);
    assert.equal((await fetch(query.url + '/loki/api/v1/push', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status, 404);

    // Metrics of the queue: nothing left, one live processor.
    const metrics = await eventually(async () => {
      const m = await (await fetch(processor.url + '/metrics')).text();
      return /^logs_processed_total\{tenant="team-a"\} 2$/m.test(m) ? m : undefined;
    }, 'the processor counted both lines');
    assert.match(metrics, /^active_log_processors 1$/m);
    assert.match(metrics, /^queue_depth_entries 0$/m);
    const im = await (await fetch(ingest.url + '/metrics')).text();
    assert.match(im, /^logs_received_total\{tenant="team-a",protocol="loki"\} 2$/m);
    assert.match(im, /^queue_consumer_lag_entries 0$/m);
    for (const s of [ingest, processor, query]) assert.equal((await fetch(s.url + '/health/readiness')).status, 200);
  });

  it('an ingest pod is not ready while its Redis is down, and ready again once it is back', { timeout: 60_000 }, async () => {
    const own = await startOwnRedis();
    try {
      const ingest = await start('ingest', env(own.url));
      await own.kill();
      const down = await eventually(async () => {
        const r = await fetch(ingest.url + '/health/readiness');
        return r.status === 503 ? ((await r.json()) as { reason?: string }) : undefined;
      }, 'readiness answers 503');
      assert.match(down.reason ?? '', /redis unavailable/);
      assert.equal((await fetch(ingest.url + '/health/liveness')).status, 200, 'liveness does not depend on Redis');
      const push = await fetch(ingest.url + '/loki/api/v1/push', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream: { a: '1' }, values: [[String(Date.now() * 1e6), 'x']] }] }),
      });
      assert.equal(push.status, 503, 'a push is refused, not acknowledged, while Redis is down');
      assert.ok(push.headers.get('retry-after'));
      await own.restart();
      await eventually(async () => ((await fetch(ingest.url + '/health/readiness')).status === 200 ? true : undefined), 'readiness answers 200 again');
    } finally {
      await own.stop();
    }
  });
});

/**
 * The drills on each store layout: plain PostgreSQL always, TimescaleDB when the test database has
 * it (else skipped with the reason, also in CI: the extension is optional). With TimescaleDB the
 * chunks are compressed in the middle of each drill, so redelivered and retried batches meet
 * compressed chunks.
 */
const noTimescale = skip ?? (await timescaleUnavailable());
const LAYOUTS = [
  { name: 'plain PostgreSQL', mode: 'off', skip: undefined },
  { name: 'TimescaleDB', mode: 'on', skip: noTimescale === undefined ? undefined : `skipped, TimescaleDB not available: ${noTimescale}` },
] as const;

for (const layout of LAYOUTS) {
  describe(`cluster drills on ${layout.name}`, { skip }, () => {
    const { prefix, schema, env, start } = useCluster(`drill-${layout.mode}`, { LOGSENTINEL_STORAGE_POSTGRES_TIMESCALEDB: layout.mode });

    it('a processor killed with SIGKILL mid-stream loses nothing: another takes over its pending entries', { timeout: 90_000, skip: layout.skip }, async (t) => {
      const e = { ...env(), LOGSENTINEL_QUEUE_REDIS_CLAIM_IDLE: '1s' };
      const ingest = await start('ingest', e);
      const first = await start('process', e);
      const acked: string[] = [];
      let stop = false;
      const t0 = BigInt(Date.now()) * 1_000_000n;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          const lines = Array.from({ length: 50 }, (_, j) => `drill w${w} push ${i} line ${j}`);
          const body = { streams: [{ stream: { service: `drill${(w + i) % 5}` }, values: lines.map((l, j) => [(t0 + BigInt(w * 1_000_000 + i * 100 + j)).toString(), l]) }] };
          const r = await fetch(ingest.url + '/loki/api/v1/push', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Scope-OrgID': 'drill' }, body: JSON.stringify(body) });
          if (r.status === 204) acked.push(...lines);
          else await new Promise((res) => setTimeout(res, 50));
        }
      });
      await eventually(async () => (acked.length >= 5000 ? true : undefined), 'pushes are flowing');
      await first.kill9();
      if (layout.mode === 'on') {
        // The redelivered batches now meet compressed chunks: ON CONFLICT DO NOTHING must still hold.
        const compressed = await compressAll(PG_URL, schema);
        t.diagnostic(`chunks compressed before the second processor takes over: ${compressed}`);
        assert.ok(compressed > 0);
      }
      // Whether the dead processor held entries at that instant is up to timing; say so in the output.
      const r = new Redis(TEST_REDIS_URL, { protocol: 2 });
      let orphaned = 0;
      for (let p = 0; p < 8; p++) orphaned += Number(((await r.call('XPENDING', [partitionKeys(prefix, p).entries, GROUP])) as unknown[])[0]);
      r.disconnect();
      t.diagnostic(`entries left pending by the killed processor: ${orphaned}`);
      const second = await start('process', e);
      const before = acked.length;
      await eventually(async () => (acked.length >= before + 5000 ? true : undefined), 'pushes keep flowing');
      stop = true;
      await Promise.all(writers);
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        const stored = await eventually(async () => {
          const r = await c.query(`SELECT count(*)::int AS n FROM "${schema}".entries e JOIN "${schema}".streams s ON s.skey = e.skey WHERE s.tenant = 'drill'`);
          const n = (r.rows[0] as { n: number }).n;
          return n >= acked.length ? n : undefined;
        }, `all ${acked.length} acknowledged lines are stored`, 30_000);
        assert.equal(stored, acked.length, 'each acknowledged line stored exactly once');
      } finally {
        await c.end();
      }
      await eventually(async () => (/^queue_pending_entries 0$/m.test(await (await fetch(second.url + '/metrics')).text()) ? true : undefined), 'nothing left pending');
      assert.equal(await layoutOf(PG_URL, schema), layout.mode === 'on' ? 'timescaledb' : 'partitioned');
    });

    it('PostgreSQL down for 30 s during ingest loses nothing: pushes are still acknowledged, the processor is not ready, then catches up', { timeout: 180_000, skip: layout.skip ?? ownPostgresSkip ?? (layout.mode === 'on' ? ownTimescaleSkip : undefined) }, async () => {
      const own = await startOwnPostgres(await freePort(), { timescaledb: layout.mode === 'on' });
      try {
        const e = { ...env(), LOGSENTINEL_QUEUE_REDIS_PREFIX: `${prefix}-pgdrill`, LOGSENTINEL_STORAGE_POSTGRES_URL: own.url };
        const ingest = await start('ingest', e);
        const processor = await start('process', e);
        const t0 = BigInt(Date.now()) * 1_000_000n;
        let n = 0;
        const pushLines = async (count: number): Promise<void> => {
          const values = Array.from({ length: count }, () => [(t0 + BigInt(n)).toString(), `pg drill line ${n++}`]);
          const r = await fetch(ingest.url + '/loki/api/v1/push', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { service: 'pgdrill' }, values }] }) });
          assert.equal(r.status, 204, await r.text());
        };
        const stored = async (): Promise<number> => {
          const c = new pg.Client({ connectionString: own.url, connectionTimeoutMillis: 1000 });
          await c.connect();
          try {
            return (await c.query(`SELECT count(*)::int AS n FROM "${schema}".entries`)).rows[0].n as number;
          } finally {
            await c.end();
          }
        };
        await pushLines(100);
        await eventually(async () => ((await stored()) === 100 ? true : undefined), 'the first 100 lines are stored');

        own.crash();
        const down = await eventually(async () => {
          const r = await fetch(processor.url + '/health/readiness');
          return r.status === 503 ? ((await r.json()) as { reason?: string }) : undefined;
        }, 'the processor is not ready');
        assert.match(down.reason ?? '', /postgres unavailable/);
        assert.equal((await fetch(processor.url + '/metrics')).status, 200, '/metrics answers during the outage');
        // PostgreSQL stays down for 30 s while ingest keeps accepting into Redis.
        const outageEnds = Date.now() + 30_000;
        while (Date.now() < outageEnds) {
          await pushLines(50);
          await new Promise((r) => setTimeout(r, 1000));
        }
        assert.equal((await fetch(ingest.url + '/health/readiness')).status, 200, 'ingest does not depend on PostgreSQL');
        const acknowledged = n;
        assert.ok(acknowledged >= 100 + 25 * 50, `ingest kept acknowledging during the outage (${acknowledged} lines)`);

        own.start();
        // TimescaleDB: compress what is stored while the processor catches up (retries meet compressed chunks).
        if (layout.mode === 'on') await eventually(async () => ((await compressAll(own.url, schema)) >= 0 ? true : undefined), 'the stored chunks are compressed');
        await eventually(async () => ((await stored()) === acknowledged ? true : undefined), 'every acknowledged line is stored once PostgreSQL is back', 90_000);
        await eventually(async () => ((await fetch(processor.url + '/health/readiness')).status === 200 ? true : undefined), 'the processor is ready again');
        const m = await (await fetch(processor.url + '/metrics')).text();
        assert.match(m, /^queue_depth_entries 0$/m);
      } finally {
        own.stop();
      }
    });
  });
}

async function layoutOf(url: string, schema: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(`SELECT value FROM "${schema}".meta WHERE key = 'layout'`)).rows[0].value as string;
  } finally {
    await c.end();
  }
}

/** Compresses every chunk of the schema's hypertable not compressed yet; returns how many it compressed. */
async function compressAll(url: string, schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(compressChunksStatement(schema))).rowCount ?? 0;
  } finally {
    await c.end();
  }
}
