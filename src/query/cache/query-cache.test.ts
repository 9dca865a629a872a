/**
 * The query cache behind the real query_range route: against the shared test Redis (a miss, then
 * a hit with the identical body; unaligned and recent ranges never stored), and against an
 * unreachable Redis (queries still answer). The store is a fake that counts its reads.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildServer } from '../../api/server.js';
import type { AppContext } from '../../api/context.js';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../telemetry/logger.js';
import { createMetrics, type Metrics } from '../../telemetry/metrics.js';
import { Semaphore } from '../semaphore.js';
import { ingestLimits } from '../../modules.js';
import type { CountBucketRow, CountPlan, SelectPlan, Storage, StoredRow, StreamInfo } from '../../storage/storage.js';
import { deletePrefix, redisUnavailable, TEST_REDIS_URL, uniquePrefix } from '../../queue/redis-streams/testing/test-redis.js';
import { QueryCache } from './index.js';

const S = 1_000_000_000n;
const MIN = 60n * S;
/** An hour ago, on a whole 5 minutes: old enough to cache. */
const OLD_END = ((BigInt(Date.now()) * 1_000_000n - 60n * MIN) / (5n * MIN)) * 5n * MIN;

/** Two streams with an entry every 10 s over the last two hours; counts the reads that reach it. */
function countingStorage(): { storage: Storage; reads: () => number } {
  let reads = 0;
  const now = BigInt(Date.now()) * 1_000_000n;
  const streams: StreamInfo[] = [1n, 2n].map((id) => ({ tenant: 'acme', id, labels: { app: 'x', service: `s${id}` }, firstTs: now - 120n * MIN, lastTs: now }));
  const rows: StoredRow[] = [];
  for (let t = now - 120n * MIN; t < now; t += 10n * S) for (const s of streams) rows.push({ streamId: s.id, ts: t, line: 'hello', level: 'info' });
  const inRange = (r: StoredRow, p: { start: bigint; end: bigint; streamIds: bigint[] }): boolean => r.ts >= p.start && r.ts < p.end && p.streamIds.includes(r.streamId);
  const storage: Storage = {
    name: 'fake',
    open: async () => undefined,
    write: async () => undefined,
    streams: async (tenant) => (tenant === 'acme' ? streams : []),
    async *select(p: SelectPlan) {
      reads++;
      yield rows.filter((r) => inRange(r, p));
    },
    countBuckets: async (p: CountPlan): Promise<CountBucketRow[]> => {
      reads++;
      return rows.filter((r) => inRange(r, p)).map((r) => ({ streamId: r.streamId, level: r.level, bucket: Number((r.ts - p.origin - 1n) / p.width), count: 1, bytes: 5 }));
    },
    levels: async () => ['info'],
    stats: async () => ({ streams: 0, chunks: 0, entries: 0, bytes: 0 }),
    applyRetention: async () => 0,
    sizeBytes: async () => 0,
    close: async () => undefined,
  };
  return { storage, reads: () => reads };
}

async function serverWithCache(url: string, prefix: string): Promise<{ app: FastifyInstance; metrics: Metrics; reads: () => number; cache: QueryCache }> {
  const config = loadConfig({ env: {} });
  const metrics = createMetrics();
  const { storage, reads } = countingStorage();
  const ctx: AppContext = {
    config,
    logger: createLogger('silent'),
    metrics,
    storage,
    limits: ingestLimits(config),
    querySlots: new Semaphore(4),
    ready: () => true,
    version: 'test',
  };
  const cache = new QueryCache({
    url,
    ttlMs: 60_000,
    counters: { hit: () => metrics.cacheHits.inc(), miss: () => metrics.cacheMisses.inc(), error: () => metrics.cacheErrors.inc() },
  });
  await cache.waitReady(2000);
  ctx.queryCache = { cache, prefix, maxFreshnessNs: 10n * MIN };
  const app = await buildServer(ctx, { ingest: false, query: true });
  return { app, metrics, reads, cache };
}

async function counter(m: Metrics, name: 'cacheHits' | 'cacheMisses' | 'cacheErrors'): Promise<number> {
  return (await m[name].get()).values[0]?.value ?? 0;
}

const QUERY = 'sum by (service) (count_over_time({app="x"}[1m]))';

function rangeUrl(start: bigint, end: bigint, step: string, query = QUERY): string {
  return `/loki/api/v1/query_range?${new URLSearchParams({ query, start: start.toString(), end: end.toString(), step })}`;
}

const skip = await redisUnavailable();

describe('query cache with Redis', { skip }, () => {
  const prefix = uniquePrefix('qcache');
  let s: Awaited<ReturnType<typeof serverWithCache>>;
  let redis: Redis;
  const keys = async (): Promise<string[]> => (await redis.scan('0', 'MATCH', `${prefix}:qcache:*`, 'COUNT', 1000))[1];

  before(async () => {
    s = await serverWithCache(TEST_REDIS_URL, prefix);
    redis = new Redis(TEST_REDIS_URL, { protocol: 2 });
  });
  after(async () => {
    await s.app.close();
    await s.cache.close();
    await deletePrefix(TEST_REDIS_URL, prefix);
    redis.disconnect();
  });

  it('misses, stores, then answers the same aligned old range from Redis with the identical body', async () => {
    const url = rangeUrl(OLD_END - 30n * MIN, OLD_END, '60');
    const first = await s.app.inject({ method: 'GET', url, headers: { 'x-scope-orgid': 'acme' } });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal((first.json() as { data: { result: unknown[] } }).data.result.length, 2);
    const readsAfterMiss = s.reads();
    assert.ok(readsAfterMiss > 0);
    assert.equal(await counter(s.metrics, 'cacheMisses'), 1);
    assert.equal(await counter(s.metrics, 'cacheHits'), 0);
    const stored = await keys();
    assert.equal(stored.length, 1);
    assert.match(stored[0], new RegExp(`^${prefix}:qcache:v1:acme:`));
    const ttl = await redis.pttl(stored[0]);
    assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);

    // Same query spelled differently: same key, served without reading the store.
    const again = await s.app.inject({ method: 'GET', url: rangeUrl(OLD_END - 30n * MIN, OLD_END, '1m', 'sum by(service)(count_over_time({app="x"}[60s]))'), headers: { 'x-scope-orgid': 'acme' } });
    assert.equal(again.statusCode, 200);
    assert.equal(again.body, first.body);
    assert.equal(s.reads(), readsAfterMiss);
    assert.equal(await counter(s.metrics, 'cacheHits'), 1);
    assert.equal(await counter(s.metrics, 'cacheMisses'), 1);

    // Another tenant never gets acme's entry.
    const other = await s.app.inject({ method: 'GET', url, headers: { 'x-scope-orgid': 'other' } });
    assert.equal((other.json() as { data: { result: unknown[] } }).data.result.length, 0);
    assert.equal(await counter(s.metrics, 'cacheMisses'), 2);
  });

  it('never stores an unaligned or a recent range, nor a log query', async () => {
    const before = (await keys()).length;
    const hits = await counter(s.metrics, 'cacheHits');
    const misses = await counter(s.metrics, 'cacheMisses');
    const now = BigInt(Date.now()) * 1_000_000n;
    const recentEnd = (now / MIN) * MIN;
    const cases = [
      rangeUrl(OLD_END - 30n * MIN + S, OLD_END, '60'), // start not on a step
      rangeUrl(OLD_END - 30n * MIN, OLD_END + S, '60'), // end not on a step
      rangeUrl(recentEnd - 30n * MIN, recentEnd, '60'), // ends within maxFreshness of now
      rangeUrl(OLD_END - 30n * MIN, OLD_END, '60', '{app="x"}'), // log query
    ];
    for (const url of cases) {
      for (let i = 0; i < 2; i++) {
        const r0 = s.reads();
        const res = await s.app.inject({ method: 'GET', url, headers: { 'x-scope-orgid': 'acme' } });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        assert.ok(s.reads() > r0, `${url} (request ${i + 1}) must run against the store`);
      }
    }
    assert.equal((await keys()).length, before);
    assert.equal(await counter(s.metrics, 'cacheHits'), hits);
    assert.equal(await counter(s.metrics, 'cacheMisses'), misses);
  });
});

describe('query cache without Redis', () => {
  it('answers queries when Redis is unreachable, counting the errors', async () => {
    const s = await serverWithCache('redis://127.0.0.1:1', 'ls');
    try {
      const url = rangeUrl(OLD_END - 30n * MIN, OLD_END, '60');
      for (let i = 0; i < 2; i++) {
        const res = await s.app.inject({ method: 'GET', url, headers: { 'x-scope-orgid': 'acme' } });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal((res.json() as { data: { result: unknown[] } }).data.result.length, 2);
      }
      assert.equal(await counter(s.metrics, 'cacheHits'), 0);
      assert.equal(await counter(s.metrics, 'cacheMisses'), 2);
      assert.equal(await counter(s.metrics, 'cacheErrors'), 4); // each request's get and set
    } finally {
      await s.app.close();
      await s.cache.close();
    }
  });
});
