/**
 * Redis Streams queue benchmark: append throughput, Redis memory per queued line, and consume +
 * acknowledge throughput with a handler that does nothing (the queue's own ceiling, without
 * storage). Prints a table; asserts nothing. See README.md.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisStreamsQueue } from '../../src/queue/redis-streams/redis-streams-queue.js';
import { labelsToString, streamId } from '../../src/model/labels.js';
import type { WriteBatch } from '../../src/model/entry.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.LOGSENTINEL_TEST_REDIS_URL || 'redis://127.0.0.1:6379' },
    lines: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '500' },
    streams: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    partitions: { type: 'string', default: '8' },
  },
});
const total = Number(values.lines);
const perPush = Number(values.batch);
const streamsPerPush = Number(values.streams);
const concurrency = Number(values.concurrency);
const partitions = Number(values.partitions);
const prefix = `lsbench-${process.pid}`;

function push(i: number): WriteBatch {
  const per = Math.ceil(perPush / streamsPerPush);
  const base = BigInt(Date.now()) * 1_000_000n;
  return {
    tenant: 'bench',
    streams: Array.from({ length: streamsPerPush }, (_, s) => {
      const labels = { service: `svc${s}`, env: 'prod' };
      return {
        labels,
        key: labelsToString(labels),
        id: streamId('bench', labels),
        entries: Array.from({ length: per }, (_, j) => ({
          ts: base + BigInt(i * perPush + j),
          line: `level=info msg="request served" path=/api/v1/items/${j} status=200 duration_ms=${j % 97} request_id=${i}-${j}`,
          level: 'info' as const,
        })),
      };
    }),
  };
}

const admin = new Redis(values.url, { protocol: 2 });
const usedMemory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
const q = new RedisStreamsQueue({ url: values.url, prefix, partitions, maxBacklog: Number.MAX_SAFE_INTEGER, claimIdleMs: 30_000, readCount: 32, blockMs: 200 });
await q.open();
try {
  const pushes = Math.ceil(total / perPush);
  const bodies = Array.from({ length: pushes }, (_, i) => push(i));
  const lines = bodies.reduce((n, b) => n + b.streams.reduce((m, s) => m + s.entries.length, 0), 0);
  const mem0 = await usedMemory();
  let t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await q.append(bodies[next++]);
    }),
  );
  const appendS = (performance.now() - t) / 1000;
  const mem1 = await usedMemory();
  let seen = 0;
  t = performance.now();
  q.consume(async (batches) => {
    for (const b of batches) for (const s of b.streams) seen += s.entries.length;
  });
  while (seen < lines || q.depth() > 0) await new Promise((r) => setTimeout(r, 5));
  const consumeS = (performance.now() - t) / 1000;
  console.log(`Redis Streams queue, ${lines} lines in pushes of ${perPush} (${streamsPerPush} streams), ${concurrency} in flight, ${partitions} partitions`);
  console.log(`| measure | value |\n|---|---|`);
  console.log(`| append (acknowledged) | ${Math.round(lines / appendS).toLocaleString('en')} lines/s |`);
  console.log(`| Redis memory per queued line | ${Math.round((mem1 - mem0) / lines)} B |`);
  console.log(`| consume + XACK/XDEL, no-op handler | ${Math.round(lines / consumeS).toLocaleString('en')} lines/s |`);
} finally {
  await q.close();
  let cursor = '0';
  do {
    const [c, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = c;
    if (keys.length > 0) await admin.del(...keys);
  } while (cursor !== '0');
  admin.disconnect();
}
