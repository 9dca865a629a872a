import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withAdmission } from './admission.js';
import { GroupCommitQueue } from './group-commit.js';
import { LogSentinelError } from '../errors.js';
import type { WriteBatch } from '../model/entry.js';

const batch: WriteBatch = { tenant: 't', streams: [{ labels: { a: '1' }, key: '{a="1"}', id: 1n, entries: [{ ts: 1n, line: 'x', level: 'info' }] }] };

describe('withAdmission', () => {
  it('appends while admitted and refuses with the gate’s error otherwise, queueing nothing', async () => {
    const inner = new GroupCommitQueue({ maxBatchEntries: 10, maxBatchDelayMs: 0, maxQueuedEntries: 10 });
    let refuse: string | undefined;
    const q = withAdmission(inner, (what) => {
      if (refuse) throw new LogSentinelError('STORAGE_FULL', `cannot accept ${what}: ${refuse}`, { retryAfter: 5 });
    });
    const committed: WriteBatch[][] = [];
    q.consume(async (b) => void committed.push(b));
    await q.append(batch);
    refuse = 'disk full';
    await assert.rejects(q.append(batch), (err: LogSentinelError) => err.code === 'STORAGE_FULL' && err.message === 'cannot accept push: disk full' && err.retryAfter === 5);
    assert.equal(q.depth(), 0);
    refuse = undefined;
    await q.append(batch);
    assert.equal(committed.length, 2);
    assert.equal(q.name, 'memory');
    await q.close();
  });
});
