import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TenantQueryQueue } from './query-queue.js';
import { LogSentinelError } from '../errors.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('per-tenant query parallelism', () => {
  it('runs at most `limit` queries of a tenant at once, the rest in order, then refuses past the outstanding bound', async () => {
    const q = new TenantQueryQueue(2);
    const order: string[] = [];
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const run = (i: number, tenant = 'a'): Promise<number> =>
      q.run(tenant, 2, async () => {
        order.push(`start ${i}`);
        await gates[i].promise;
        order.push(`end ${i}`);
        return i;
      });
    const p = [run(0), run(1), run(2), run(3)];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(q.state('a'), { running: 2, waiting: 2 });
    await assert.rejects(run(0), (e: LogSentinelError) => e.status === 429 && e.message === 'too many outstanding requests' && e.retryAfter === 1);
    // another tenant is not held up
    const other = deferred();
    const o = q.run('b', 1, async () => {
      other.resolve();
      return 'b';
    });
    await other.promise;
    assert.equal(await o, 'b');
    gates[1].resolve();
    await p[1];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(q.state('a'), { running: 2, waiting: 1 });
    for (const g of gates) g.resolve();
    assert.deepEqual(await Promise.all(p), [0, 1, 2, 3]);
    assert.deepEqual(order.slice(0, 4), ['start 0', 'start 1', 'end 1', 'start 2']);
    assert.deepEqual(q.state('a'), { running: 0, waiting: 0 });
  });

  it("refuses every query of a tenant whose parallelism is 0, with Loki's text", async () => {
    const q = new TenantQueryQueue(10);
    await assert.rejects(
      q.run('a', 0, async () => 1),
      (e: LogSentinelError) => e.status === 400 && e.message === 'querying is disabled, please contact your Loki operator',
    );
  });

  it('frees the slot when a query fails', async () => {
    const q = new TenantQueryQueue(10);
    await assert.rejects(q.run('a', 1, async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await q.run('a', 1, async () => 'ok'), 'ok');
    assert.deepEqual(q.state('a'), { running: 0, waiting: 0 });
  });
});
