import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommitQueue } from './group-commit.js';
import { runQueueConformance } from './conformance.js';
import type { WriteBatch } from '../model/entry.js';

runQueueConformance('group-commit', {
  async create({ maxQueuedEntries }) {
    return new GroupCommitQueue({ maxBatchEntries: 1000, maxBatchDelayMs: 0, maxQueuedEntries });
  },
});

const one = (line: string): WriteBatch => ({
  tenant: 't',
  streams: [{ labels: { a: '1' }, key: '{a="1"}', id: 1n, entries: [{ ts: 1n, line, level: 'info' }] }],
});

describe('group commit', () => {
  it('pushes that arrive during a commit share the next one', async () => {
    const q = new GroupCommitQueue({ maxBatchEntries: 1000, maxBatchDelayMs: 0, maxQueuedEntries: 10_000 });
    const groups: number[] = [];
    q.consume(async (batches) => {
      groups.push(batches.length);
      await new Promise((r) => setTimeout(r, 20));
    });
    const ps = [q.append(one('first'))];
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 10; i++) ps.push(q.append(one(`later ${i}`)));
    await Promise.all(ps);
    assert.deepEqual(groups, [1, 10]);
    await q.close();
  });

  it('a push resolves only after its commit finished', async () => {
    const q = new GroupCommitQueue({ maxBatchEntries: 1000, maxBatchDelayMs: 0, maxQueuedEntries: 10_000 });
    let committed = false;
    q.consume(async () => {
      await new Promise((r) => setTimeout(r, 10));
      committed = true;
    });
    await q.append(one('x'));
    assert.equal(committed, true);
    await q.close();
  });

  it('a failed commit rejects exactly the pushes it contained', async () => {
    const q = new GroupCommitQueue({ maxBatchEntries: 1, maxBatchDelayMs: 0, maxQueuedEntries: 10_000 });
    q.consume(async (batches) => {
      if (batches[0].streams[0].entries[0].line === 'bad') throw new Error('disk full');
    });
    const results = await Promise.allSettled([q.append(one('good')), q.append(one('bad')), q.append(one('good2'))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    await q.close();
  });

  it('respects maxBatchEntries when grouping', async () => {
    const q = new GroupCommitQueue({ maxBatchEntries: 3, maxBatchDelayMs: 5, maxQueuedEntries: 10_000 });
    const sizes: number[] = [];
    q.consume(async (batches) => {
      sizes.push(batches.length);
    });
    await Promise.all(Array.from({ length: 7 }, (_, i) => q.append(one(String(i)))));
    assert.deepEqual(sizes, [3, 3, 1]);
    await q.close();
  });

  it('close drains accepted pushes and refuses new ones', async () => {
    const q = new GroupCommitQueue({ maxBatchEntries: 10, maxBatchDelayMs: 0, maxQueuedEntries: 100 });
    let n = 0;
    q.consume(async (b) => {
      await new Promise((r) => setTimeout(r, 5));
      n += b.length;
    });
    const p = Promise.all([q.append(one('a')), q.append(one('b'))]);
    await q.close();
    await p;
    assert.equal(n, 2);
    await assert.rejects(q.append(one('c')), /shutting down/);
  });
});
