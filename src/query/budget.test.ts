import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SelectPlan, Storage, StoredRow, StreamInfo } from '../storage/storage.js';
import { LogSentinelError } from '../errors.js';
import { parseExpr, type LogSelectorExpr } from '../logql/index.js';
import { planBoth } from './compile.js';
import { runLogQuery } from './log-query.js';
import { evaluateInstantExpr, parseMetricQuery } from './metric/engine.js';
import { MemoryPool, QueryBudget } from './budget.js';
import { CpuScheduler } from './cpu-scheduler.js';
import { Semaphore } from './semaphore.js';

const S = 1_000_000_000n;

/**
 * A store with one stream whose rows never end (or end after `total`): each row is
 * `id=<n> status=200 msg=ok`, one per nanosecond. It counts the rows it handed out and whether
 * the reader let go of it (the iterator was closed).
 */
function endlessStore(total = Infinity): { storage: Storage; rows: () => number; released: () => boolean } {
  let handed = 0;
  let released = false;
  const stream: StreamInfo = { tenant: 't', id: 1n, labels: { app: 'a' }, firstTs: 0n, lastTs: 1n << 60n };
  const storage = {
    streams: async () => [stream],
    async *select(plan: SelectPlan): AsyncIterable<StoredRow[]> {
      try {
        while (handed < total) {
          await plan.pace?.();
          const chunk: StoredRow[] = [];
          for (let i = 0; i < 256 && handed < total; i++, handed++) chunk.push({ streamId: 1n, ts: plan.start + BigInt(handed), line: `id=${handed} status=200 msg=ok`, level: 'info' });
          yield chunk;
        }
      } finally {
        released = true;
      }
    },
  } as unknown as Storage;
  return { storage, rows: () => handed, released: () => released };
}

const logPlans = (q: string): ReturnType<typeof planBoth> => planBoth(parseExpr(q) as LogSelectorExpr);

describe('QueryBudget', () => {
  it('stops a log query mid-stage when it is cancelled, and releases the store', async () => {
    const { storage, rows, released } = endlessStore();
    const ac = new AbortController();
    // Cancelled while the pipeline is running over the rows (a stage sees it on its next row).
    const timer = setInterval(() => rows() > 10_000 && ac.abort(new LogSentinelError('QUERY_TIMEOUT', 'cancelled by the test')), 1);
    const budget = new QueryBudget({ signal: ac.signal, scheduler: new CpuScheduler(1) });
    await assert.rejects(runLogQuery(storage, logPlans('{app="a"} | logfmt | status >= 500'), { tenants: ['t'], start: 0n, end: 1n << 60n, limit: 10, direction: 'forward', budget }), /cancelled by the test/);
    clearInterval(timer);
    const after = rows();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rows(), after, 'no row is read after the query failed');
    assert.ok(released(), 'the store iterator was closed');
  });

  it('stops at its deadline while the pipeline runs, and releases the store', async () => {
    const { storage, released } = endlessStore();
    const budget = new QueryBudget({ timeoutMs: 0 });
    await assert.rejects(
      runLogQuery(storage, logPlans('{app="a"} | logfmt | line_format "{{ .id | printf \\"%s\\" }}"'), { tenants: ['t'], start: 0n, end: 1n << 60n, limit: 10, direction: 'forward', budget }),
      (err: unknown) => err instanceof LogSentinelError && err.code === 'QUERY_TIMEOUT' && /query\.timeout/.test(err.message),
    );
    assert.ok(released());
  });

  it('refuses a template whose output would pass the limit, whatever stage runs it', async () => {
    const f = async (q: string, what: RegExp): Promise<void> => {
      const { storage } = endlessStore(10);
      const budget = new QueryBudget({ maxTemplateOutput: 1000 });
      await assert.rejects(runLogQuery(storage, logPlans(q), { tenants: ['t'], start: 0n, end: 1n << 60n, limit: 10, direction: 'forward', budget }), (err: unknown) => {
        assert.ok(err instanceof LogSentinelError);
        assert.equal(err.status, 400);
        assert.match(err.message, what);
        assert.match(err.message, /limit of 1000 per line \(query\.maxTemplateOutput\)/);
        return true;
      });
    };
    await f('{app="a"} | line_format `{{ printf "%2000s" __line__ }}`', /printf width would produce 2000 characters/);
    await f('{app="a"} | label_format x=`{{ repeat 100 __line__ }}`', /repeat would produce/);
    // Within the limit, the same query works.
    const ok = await runLogQuery(endlessStore(10).storage, logPlans('{app="a"} | line_format `{{ printf "%50s" "x" }}`'), { tenants: ['t'], start: 0n, end: 1n << 60n, limit: 2, direction: 'forward', budget: new QueryBudget({ maxTemplateOutput: 1000 }) });
    assert.equal(ok.streams[0].entries[0].line.length, 50);
  });

  it('fails a query that holds more than its memory, naming the limit; sum by merges and fits', async () => {
    const q = (text: string, budget: QueryBudget): Promise<unknown> => evaluateInstantExpr(endlessStore(5000).storage, parseMetricQuery(text), 100n * S, { tenants: ['t'], budget });
    // One series per line (id is unique): more than 256 KiB of series.
    await assert.rejects(q('count_over_time({app="a"} | logfmt [1h])', new QueryBudget({ maxBytes: 256 * 1024 })), (err: unknown) => {
      assert.ok(err instanceof LogSentinelError);
      assert.equal(err.code, 'QUERY_MEMORY');
      assert.equal(err.status, 400);
      assert.match(err.message, /more than 256 KiB .*\(query\.maxMemory\)/);
      return true;
    });
    const res = (await q('sum by (status) (count_over_time({app="a"} | logfmt [1h]))', new QueryBudget({ maxBytes: 256 * 1024 }))) as { result: { type: string; samples: Array<{ labels: object; value: number }> } };
    assert.deepEqual(res.result.samples, [{ labels: { status: '200' }, value: 5000 }]);
  });

  it('fails with 429 when all queries together would pass the shared pool, and gives memory back', async () => {
    const pool = new MemoryPool(4 * 1024 * 1024);
    const hog = new QueryBudget({ pool });
    hog.charge(3 * 1024 * 1024);
    const b = new QueryBudget({ pool });
    assert.throws(() => b.charge(2 * 1024 * 1024), (err: unknown) => err instanceof LogSentinelError && err.code === 'QUERY_OVERLOADED' && err.status === 429 && err.retryAfter !== undefined && /query\.maxTotalMemory/.test(err.message));
    hog.release();
    b.charge(2 * 1024 * 1024);
    b.release();
    assert.equal(pool.inUse(), 0);
  });
});

describe('Semaphore', () => {
  it('runs at most max at once, refuses past its line with 429, and lets an aborted waiter go', async () => {
    const sem = new Semaphore(1, 1);
    let release!: () => void;
    const first = sem.run(() => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    const second = sem.run(async () => 'second', ac.signal);
    await assert.rejects(sem.run(async () => 'third'), (err: unknown) => err instanceof LogSentinelError && err.code === 'QUERY_OVERLOADED' && err.status === 429);
    ac.abort(new Error('gave up waiting'));
    await assert.rejects(second, /gave up waiting/);
    assert.deepEqual(sem.stats(), { running: 1, waiting: 0 });
    const fourth = sem.run(async () => 'fourth');
    release();
    await first;
    assert.equal(await fourth, 'fourth');
  });
});
