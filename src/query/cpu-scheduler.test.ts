import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CpuScheduler } from './cpu-scheduler.js';

describe('CpuScheduler', () => {
  it('hands out one grant per turn, round robin, and lets other callbacks run in between', async () => {
    const sched = new CpuScheduler({ sliceMs: 1, share: 1 });
    const order: string[] = [];
    let between = 0;
    const query = async (id: string): Promise<void> => {
      for (let i = 0; i < 4; i++) {
        await sched.next();
        order.push(id);
        const until = performance.now() + 2; // more than a slice of work
        while (performance.now() < until);
        assert.ok(sched.due(), 'the slice is used up');
      }
    };
    // Something else that wants the loop every turn (as pushes do).
    const other = setInterval(() => between++, 0);
    await Promise.all([query('a'), query('b'), query('c')]);
    clearInterval(other);
    assert.deepEqual(order, ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
    assert.ok(between > 0, 'other callbacks ran between the grants');
  });

  it('does not make a caller wait while it holds a fresh grant', async () => {
    const sched = new CpuScheduler({ sliceMs: 10_000 });
    await sched.next();
    assert.equal(sched.due(), false);
  });
});
