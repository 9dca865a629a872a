/**
 * The queue conformance suite: every Queue implementation runs it (group-commit.test.ts,
 * redis-streams/redis-streams.test.ts) and must pass every case.
 *
 * Cases wait for effects that happen after `append` resolves (the handler seeing a batch, depth
 * returning to zero) with `eventually`, because a queue that acknowledges on enqueue (Redis)
 * consumes later; for the in-process queue those effects have already happened.
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

/** Polls `cond` until it holds, failing with `what` after `timeoutMs`. */
export async function eventually(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs}ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
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
      await eventually(() => seen.length >= 100, 'the handler saw all 100 lines');
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
      await eventually(() => q.depth() === 0, 'depth is 0 after the handler resolved');
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

    it('a batch whose handler rejects is delivered again or its append is rejected', async () => {
      const q = await factory.create({ maxQueuedEntries: 100_000 });
      let calls = 0;
      const seen: string[] = [];
      q.consume(async (batches) => {
        if (++calls === 1) throw new LogSentinelError('STORAGE_UNAVAILABLE', 'cannot write batch: injected failure', { retryable: true });
        for (const b of batches) for (const s of b.streams) for (const e of s.entries) seen.push(e.line);
      });
      const outcome = await q.append(mk('t', 'r', ['r1', 'r2'])).then(
        () => 'acknowledged',
        () => 'rejected',
      );
      if (outcome === 'acknowledged') await eventually(() => seen.includes('r1') && seen.includes('r2'), 'the failed batch was delivered again');
      else assert.deepEqual(seen, [], 'a rejected append was not also delivered');
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
