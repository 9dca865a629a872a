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

  // A query that always wants the loop, beside other work that keeps it busy `busyMs` out of
  // every `everyMs` (or all the time); returns the budget share the scheduler settled on.
  const settle = async (other: 'part' | 'all'): Promise<{ share: number; contended: boolean }> => {
    const sched = new CpuScheduler({ sliceMs: 2, share: 0.1, windowMs: 50 });
    let stop = false;
    const spin = (ms: number): void => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    // Other work: a 3 ms task every 10 ms (about 30% of the loop), or back-to-back 3 ms tasks.
    const timer = other === 'part' ? setInterval(() => spin(3), 10) : undefined;
    const hog = async (): Promise<void> => {
      while (!stop) {
        spin(3);
        await new Promise((r) => setImmediate(r));
      }
    };
    const hogging = other === 'all' ? hog() : Promise.resolve();
    const query = async (): Promise<void> => {
      while (!stop) {
        await sched.next();
        while (!sched.due()) spin(0.5);
      }
    };
    const q = query();
    await new Promise((r) => setTimeout(r, 1200));
    const seen = { share: sched.budgetShare(), contended: sched.isContended() };
    stop = true;
    if (timer) clearInterval(timer);
    await Promise.all([q, hogging]);
    return seen;
  };

  it('while other work leaves the loop idle part of the time, queries get more than their floor share', async () => {
    const { share, contended } = await settle('part');
    assert.ok(contended, 'about 30% of other work counts as contended');
    assert.ok(share > 0.1, `budget ${share}`);
  });

  it('while other work would take the whole loop, queries fall back to their floor share', async () => {
    const { share, contended } = await settle('all');
    assert.ok(contended);
    assert.equal(share, 0.1);
  });
});
