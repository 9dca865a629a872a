import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisStreamsQueue, type RedisStreamsQueueOptions } from './redis-streams-queue.js';
import { eventually, runQueueConformance } from '../conformance.js';
import { GROUP, partitionKeys, partitionOf } from './keys.js';
import { deletePrefix, redisUnavailable, startOwnRedis, TEST_REDIS_URL, uniquePrefix } from './testing/test-redis.js';
import type { WriteBatch } from '../../model/entry.js';
import { labelsToString, streamId } from '../../model/labels.js';
import { LogSentinelError } from '../../errors.js';

const skip = await redisUnavailable();
const runPrefix = uniquePrefix('queue');
let created = 0;

function queue(over: Partial<RedisStreamsQueueOptions> = {}): RedisStreamsQueue {
  return new RedisStreamsQueue({
    url: TEST_REDIS_URL,
    prefix: `${runPrefix}:${++created}`,
    partitions: 4,
    maxBacklog: 100_000,
    claimIdleMs: 30_000,
    readCount: 16,
    blockMs: 100,
    sampleMs: 50,
    ...over,
  });
}

function batch(tenant: string, service: string, lines: string[], t0 = 1n): WriteBatch {
  const labels = { service };
  return {
    tenant,
    streams: [{ labels, key: labelsToString(labels), id: streamId(tenant, labels), entries: lines.map((line, i) => ({ ts: t0 + BigInt(i), line, level: 'info' as const })) }],
  };
}

function linesOf(batches: WriteBatch[]): string[] {
  const out: string[] = [];
  for (const b of batches) for (const s of b.streams) for (const e of s.entries) out.push(e.line);
  return out;
}

if (skip) {
  describe('redis streams queue', () => {
    it('runs against a real Redis', (t) => t.skip(skip));
  });
} else {
  after(() => deletePrefix(TEST_REDIS_URL, runPrefix));

  runQueueConformance('redis-streams', {
    async create({ maxQueuedEntries }) {
      const q = queue({ maxBacklog: maxQueuedEntries });
      await q.open();
      return q;
    },
  });

  describe('redis streams queue', () => {
    it('splits a batch by partition into one stream entry each, and deletes entries once acknowledged', async () => {
      const q = queue({ partitions: 4 });
      await q.open();
      const services = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      const b: WriteBatch = { tenant: 't', streams: services.flatMap((s) => batch('t', s, [`${s}1`, `${s}2`]).streams) };
      const parts = new Set(b.streams.map((s) => partitionOf(s.id, 4)));
      await q.append(b);
      const r = new Redis(TEST_REDIS_URL, { protocol: 2 });
      try {
        let entries = 0;
        for (let p = 0; p < 4; p++) entries += await r.xlen(partitionKeys(q['opts'].prefix, p).entries);
        assert.equal(entries, parts.size, 'one stream entry per partition the batch touches');
        assert.equal(q.depth(), 16);
        const seen: string[] = [];
        q.consume(async (batches) => {
          seen.push(...linesOf(batches));
        });
        await eventually(() => seen.length === 16 && q.depth() === 0, 'all 16 lines consumed and acknowledged');
        await q.close();
        for (let p = 0; p < 4; p++) {
          const k = partitionKeys(q['opts'].prefix, p);
          assert.equal(await r.xlen(k.entries), 0, 'acknowledged entries are deleted');
          assert.equal(Number(await r.get(k.lines)), 0);
        }
        assert.deepEqual(seen.sort(), services.flatMap((s) => [`${s}1`, `${s}2`]).sort());
      } finally {
        r.disconnect();
      }
    });

    it('keeps nanosecond timestamps, metadata and levels exactly', async () => {
      const q = queue();
      await q.open();
      const labels = { app: 'x', env: 'prod' };
      const want: WriteBatch = {
        tenant: 'tenant-1',
        streams: [
          {
            labels,
            key: labelsToString(labels),
            id: streamId('tenant-1', labels),
            entries: [
              { ts: 1_700_000_000_123_456_789n, line: 'level=error "quoted" \u00e9\n\ttab', level: 'error', metadata: { trace_id: 'abc' } },
              { ts: 1_700_000_000_123_456_790n, line: '', level: 'unknown' },
            ],
          },
        ],
      };
      let got: WriteBatch[] = [];
      q.consume(async (batches) => {
        got = batches;
      });
      await q.append(want);
      await eventually(() => got.length > 0, 'the batch arrived');
      await q.close();
      assert.deepEqual(got, [want]);
    });

    it('a poison entry the handler refuses permanently moves to the dead stream; its neighbours are stored', async () => {
      const dead: number[] = [];
      const q = queue({ partitions: 1, readCount: 16, maxPermanentFailures: 3, onDeadLetter: (n) => dead.push(n) });
      await q.open();
      await q.append(batch('t', 'a', ['ok-1', 'ok-2']));
      await q.append(batch('t', 'a', ['poison', 'ok-3'], 10n));
      await q.append(batch('t', 'a', ['ok-4'], 20n));
      const stored: string[] = [];
      let calls = 0;
      let unavailable = 2;
      q.consume(async (batches) => {
        calls++;
        // First the storage is unreachable (retryable: retried without counting), then it
        // refuses any write holding the poison line, as a data error would.
        if (unavailable-- > 0) throw new LogSentinelError('STORAGE_UNAVAILABLE', 'connection refused', { retryable: true });
        if (linesOf(batches).includes('poison')) throw new LogSentinelError('INTERNAL', 'invalid input syntax for poison');
        stored.push(...linesOf(batches));
      });
      await eventually(() => q.depth() === 0 && stored.length === 3, 'the good entries were stored and all acknowledged');
      await q.close();
      assert.deepEqual(stored.sort(), ['ok-1', 'ok-2', 'ok-4']);
      assert.deepEqual(dead, [2], 'the poison entry (2 lines) was dead-lettered whole');
      // 2 unavailable + 3 permanent failures + 3 single-entry deliveries.
      assert.equal(calls, 8);
      const r = new Redis(TEST_REDIS_URL, { protocol: 2 });
      try {
        const k = partitionKeys(q['opts'].prefix, 0);
        const rows = (await r.xrange(k.dead, '-', '+')) as Array<[string, string[]]>;
        assert.equal(rows.length, 1);
        const f = rows[0][1];
        assert.equal(f[2], 'error');
        assert.equal(f[3], 'invalid input syntax for poison');
        assert.equal(Number(await r.xlen(k.entries)), 0, 'nothing left in the stream');
      } finally {
        r.disconnect();
      }
    });

    it('a processor takes over what a dead consumer left pending (XAUTOCLAIM)', async () => {
      const q = queue({ partitions: 1, claimIdleMs: 300 });
      await q.open();
      await q.append(batch('t', 'a', ['left-1', 'left-2']));
      // A consumer reads the entry and dies before acknowledging it.
      const r = new Redis(TEST_REDIS_URL, { protocol: 2 });
      const k = partitionKeys(q['opts'].prefix, 0);
      try {
        const read = (await r.call('XREADGROUP', ['GROUP', GROUP, 'dead-consumer', 'COUNT', '10', 'STREAMS', k.entries, '>'])) as unknown[];
        assert.ok(read && read.length === 1, 'the dead consumer read the entry');
        const seen: string[] = [];
        q.consume(async (batches) => {
          seen.push(...linesOf(batches));
        });
        await eventually(() => seen.length === 2 && q.depth() === 0, 'the pending entry was claimed, delivered and acknowledged');
        assert.deepEqual(seen, ['left-1', 'left-2']);
        const pending = (await r.call('XPENDING', [k.entries, GROUP])) as unknown[];
        assert.equal(Number(pending[0]), 0, 'nothing left pending');
      } finally {
        r.disconnect();
        await q.close();
      }
    });

    it('a restarted consumer with a stable name re-reads its own pending entries at once, long before claimIdle', async () => {
      const first = queue({ partitions: 1, claimIdleMs: 600_000, consumer: 'process-0' });
      await first.open();
      await first.append(batch('t', 'a', ['own-1', 'own-2']));
      // The first incarnation reads the entry and dies (its handler never returns) before acknowledging.
      let read = 0;
      first.consume(() => {
        read++;
        return new Promise<void>(() => {});
      });
      await eventually(() => read === 1, 'the first incarnation read the entry');
      const prefix = first['opts'].prefix;
      first['closed'] = true;
      clearInterval(first['timer']);
      first['cmd'].disconnect();
      for (const c of first['readers']) c.disconnect();
      const again = queue({ partitions: 1, claimIdleMs: 600_000, consumer: 'process-0', prefix });
      await again.open();
      const seen: string[] = [];
      again.consume(async (batches) => {
        seen.push(...linesOf(batches));
      });
      try {
        await eventually(() => seen.length === 2 && again.depth() === 0, 'the restarted consumer re-read and acknowledged its own entry');
        assert.deepEqual(seen, ['own-1', 'own-2']);
      } finally {
        await again.close();
      }
    });

    it('removes consumers that hold nothing and stopped reading, never one with pending entries', async () => {
      const q = queue({ partitions: 1, claimIdleMs: 60_000, pruneIdleMs: 300 });
      await q.open();
      const k = partitionKeys(q['opts'].prefix, 0);
      const r = new Redis(TEST_REDIS_URL, { protocol: 2 });
      const consumers = async (): Promise<string[]> => ((await r.call('XINFO', ['CONSUMERS', k.entries, GROUP])) as string[][]).map((c) => c[1]).sort();
      try {
        // ghost-empty read an entry and acknowledged it (as the queue does: XACK, XDEL, DECRBY).
        await q.append(batch('t', 'a', ['done']));
        const read = (await r.call('XREADGROUP', ['GROUP', GROUP, 'ghost-empty', 'COUNT', '1', 'STREAMS', k.entries, '>'])) as [string, [string, string[]][]][];
        const id = read[0][1][0][0];
        await r.multi().xack(k.entries, GROUP, id).xdel(k.entries, id).decrby(k.lines, 1).exec();
        await q.append(batch('t', 'a', ['held']));
        await r.call('XREADGROUP', ['GROUP', GROUP, 'ghost-holding', 'COUNT', '1', 'STREAMS', k.entries, '>']);
        assert.deepEqual(await consumers(), ['ghost-empty', 'ghost-holding']);
        q.consume(async () => {});
        const deadline = Date.now() + 5000;
        let left = await consumers();
        while (left.includes('ghost-empty') && Date.now() < deadline) {
          await new Promise((res) => setTimeout(res, 50));
          left = await consumers();
        }
        await new Promise((res) => setTimeout(res, 500));
        // ghost-holding still holds its entry (not yet claimable): it stays, or the entry would be lost.
        // (A consumer appears in the group once a read returned something, so q itself may not be listed.)
        assert.deepEqual((await consumers()).filter((c) => c !== q.consumerName), ['ghost-holding']);
        assert.equal(q.depth(), 1);
      } finally {
        r.disconnect();
        await q.close();
      }
    });

    it('redelivers a batch whose handler failed until it succeeds, and acknowledges it once', async () => {
      const q = queue({ partitions: 2 });
      await q.open();
      let attempts = 0;
      const seen: string[] = [];
      q.consume(async (batches) => {
        if (linesOf(batches).includes('fragile') && ++attempts < 3) throw new Error('database is restarting');
        seen.push(...linesOf(batches));
      });
      await q.append(batch('t', 'a', ['fragile']));
      await q.append(batch('t', 'a', ['after']));
      await eventually(() => seen.includes('after') && q.depth() === 0, 'both batches acknowledged');
      await q.close();
      assert.equal(attempts, 3);
      assert.deepEqual(seen, ['fragile', 'after'], 'the failed batch comes again before later ones of its stream');
    });

    it('counts the backlog across processes: a second ingest sees the first one\'s lines', async () => {
      const prefix = `${runPrefix}:shared`;
      const a = queue({ prefix, maxBacklog: 10 });
      const b = queue({ prefix, maxBacklog: 10 });
      await a.open();
      await b.open();
      try {
        await a.append(batch('t', 'a', Array.from({ length: 8 }, (_, i) => `x${i}`)));
        await eventually(() => b.depth() === 8, 'the other queue sampled the backlog');
        await assert.rejects(b.append(batch('t', 'b', ['1', '2', '3'])), /QUEUE_FULL|waiting in the queue/);
        const stats = await b.stats();
        assert.equal(stats.lagEntries, 1);
        assert.equal(stats.activeProcessors, 0);
        a.consume(async () => {});
        await eventually(() => b.depth() === 0, 'consumed backlog is seen by the other queue');
        await b.append(batch('t', 'b', ['1', '2', '3']));
        await eventually(() => b.depth() === 0, 'drained again');
        assert.equal((await b.stats()).activeProcessors, 1);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('opening against an unreachable Redis fails, naming the URL', async () => {
      const q = queue({ url: 'redis://127.0.0.1:1' });
      await assert.rejects(q.open(), /cannot connect to redis at redis:\/\/127\.0\.0\.1:1/);
    });

    it('every acknowledged append survives a Redis crash and restart (AOF, appendfsync always)', { timeout: 60_000 }, async () => {
      const own = await startOwnRedis();
      const prefix = `${runPrefix}:aof`;
      const producer = queue({ url: own.url, prefix, partitions: 4 });
      const consumer = queue({ url: own.url, prefix, partitions: 4, claimIdleMs: 1000, onError: process.env.DEBUG_REDIS_QUEUE ? (w, e) => console.error(w, e) : undefined });
      try {
        // Nothing consumes before the crash: every acknowledged line must come back from the AOF.
        await producer.open();
        const seen = new Set<string>();
        const acked: string[] = [];
        let failed = 0;
        let stop = false;
        const writers = Array.from({ length: 4 }, async (_, w) => {
          for (let i = 0; !stop; i++) {
            const lines = [`w${w}-${i}-a`, `w${w}-${i}-b`];
            try {
              await producer.append(batch('t', `svc${(w * 7 + i) % 13}`, lines));
              acked.push(...lines);
            } catch {
              failed++;
              await new Promise((r) => setTimeout(r, 20));
            }
          }
        });
        await eventually(() => acked.length > 400, 'appends are flowing', 20_000);
        await own.kill();
        await new Promise((r) => setTimeout(r, 300));
        await own.restart();
        const before = acked.length;
        await eventually(() => acked.length > before + 400, 'appends flow again after the restart', 30_000);
        await consumer.open();
        consumer.consume(async (batches) => {
          for (const l of linesOf(batches)) seen.add(l);
        });
        await new Promise((r) => setTimeout(r, 200));
        stop = true;
        await Promise.all(writers);
        assert.ok(failed > 0, 'some appends failed while Redis was down (and were not acknowledged)');
        await eventually(() => acked.every((l) => seen.has(l)), `all ${acked.length} acknowledged lines consumed`, 30_000).catch((err: unknown) => {
          const missing = acked.filter((l) => !seen.has(l));
          throw new Error(`${missing.length} of ${acked.length} acknowledged lines never consumed, e.g. ${missing.slice(0, 5).join(' ')}`, { cause: err });
        });
      } finally {
        await producer.close().catch(() => {});
        await consumer.close().catch(() => {});
        await own.stop();
      }
    });
  });
}
