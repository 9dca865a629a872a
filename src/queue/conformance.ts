/**
 * The queue conformance suite: every Queue implementation runs it (group-commit.test.ts; the
 * Redis Streams queue later) and must pass every case.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Queue } from './queue.js';
import type { WriteBatch } from '../model/entry.js';
import { labelsToString, streamId } from '../model/labels.js';
import { LogSentinelError } from '../errors.js';

export interface QueueFactory {
  /** A new, empty queue whose backlog bound is `maxQueuedEntries`. */
  create(opts: { maxQueuedEntries: number }): Promise<Queue>;
}

function mk(tenant: string, service: string, lines: string[], t0 = 1n): WriteBatch {
  const labels = { service };
  return {
    tenant,
    streams: [{ labels, key: labelsToString(labels), id: streamId(tenant, labels), entries: lines.map((line, i) => ({ ts: t0 + BigInt(i), line, level: 'info' as const })) }],
  };
}

export function runQueueConformance(name: string, factory: QueueFactory): void {
  describe(`queue conformance: ${name}`, () => {
    it('delivers every appended batch to the handler once, in order per stream', async () => {
      const q = await factory.create({ maxQueuedEntries: 100_000 });
      const seen: string[] = [];
      q.consume(async (batches) => {
        for (const b of batches) for (const s of b.streams) for (const e of s.entries) seen.push(e.line);
      });
      const appends: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) appends.push(q.append(mk('t', 'a', [`a${i}-0`, `a${i}-1`])));
      await Promise.all(appends);
      await q.close();
      const want = Array.from({ length: 50 }, (_, i) => [`a${i}-0`, `a${i}-1`]).flat();
      assert.deepEqual(seen.filter((l) => l.startsWith('a')), want);
    });

    it('depth counts appended, unacknowledged entries and returns to zero', async () => {
      const q = await factory.create({ maxQueuedEntries: 100_000 });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      q.consume(async () => gate);
      const p = q.append(mk('t', 'a', ['1', '2', '3']));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(q.depth(), 3);
      release();
      await p;
      assert.equal(q.depth(), 0);
      await q.close();
    });

    it('refuses appends past the backlog bound with 429 and Retry-After', async () => {
      const q = await factory.create({ maxQueuedEntries: 5 });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      q.consume(async () => gate);
      const first = q.append(mk('t', 'a', ['1', '2', '3', '4']));
      await assert.rejects(q.append(mk('t', 'a', ['5', '6'])), (err: unknown) => {
        assert.ok(err instanceof LogSentinelError);
        assert.equal(err.status, 429);
        assert.ok((err.retryAfter ?? 0) > 0);
        return true;
      });
      release();
      await first;
      await q.append(mk('t', 'a', ['7']));
      await q.close();
    });

    it('an empty batch resolves without reaching the handler', async () => {
      const q = await factory.create({ maxQueuedEntries: 10 });
      let calls = 0;
      q.consume(async () => {
        calls++;
      });
      await q.append({ tenant: 't', streams: [] });
      await q.close();
      assert.equal(calls, 0);
    });
  });
}
