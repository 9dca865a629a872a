/**
 * Shares the event loop between query work and everything else the process does (ingest,
 * health checks, commits), so a storm of heavy queries slows the queries, not the pushes.
 *
 * Why cooperative slicing rather than worker threads: on the small machines LogSentinel targets
 * (2 cores), DuckDB's scans already run on DuckDB's own threads, and what remains on the main
 * thread is the JavaScript over the rows (decoding chunks, parsers, filters, templates). A worker
 * thread would not add a core; it would compete with the main thread at the OS level with no way
 * to favour ingest, and each row would cost a structured clone to reach it. Here the query decides:
 * its JavaScript runs only inside a grant of at most `sliceMs`, one grant per turn of the event
 * loop, handed out round robin among the running queries. Every turn therefore polls the network
 * and runs whatever ingest work is ready before any more query work.
 *
 * One grant per turn is not enough on its own when other work is steady (each turn then has a few
 * milliseconds of ingest and a full slice of query). So the scheduler also watches the event loop
 * in windows of `windowMs`. When the work that is not queries kept the loop busy for more than a
 * fifth of the last window (the loop is contended), queries together get a budget for the next
 * window and wait for the following one past it. The budget is what they used plus the spare time
 * of the last window, less a tenth of the window. Spare is time the loop sat idle while a core was
 * free too (the process's CPU time, DuckDB's threads included, below what the machine's cores
 * give): a loop waiting on a commit is idle, but filling that wait with query work would take the
 * core the commit runs on. So queries take what is really spare, and when other work would use
 * all of it (a push storm), the budget falls window by window to `share`, the floor. When nothing
 * else is busy, grants follow each other at once and queries get the whole thread.
 *
 * Use: call `due()` often (per row is fine, it reads a clock) and `await next()` when it says so.
 */
import { availableParallelism } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface CpuSchedulerOptions {
  sliceMs: number;
  /** Fraction of the loop queries still get while other work would take all of it (0 < share <= 1). */
  share?: number;
  windowMs?: number;
}

/** Non-query busy fraction of a window above which the loop counts as contended. */
const CONTENDED = 0.2;
/** Fraction of a window kept free of queries when sizing their budget from the idle time. */
const MARGIN = 0.1;

export class CpuScheduler {
  private grantEnd = 0;
  private grantStart = 0;
  private readonly waiters: Array<() => void> = [];
  private scheduled = false;
  private readonly sliceMs: number;
  private readonly share: number;
  private readonly windowMs: number;
  private windowStart = performance.now();
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private cpu: NodeJS.CpuUsage = process.cpuUsage();
  private readonly cores = availableParallelism();
  /** Query milliseconds used in the current window. */
  private used = 0;
  private contended = false;
  /** Query milliseconds allowed in the current window while contended. */
  private budget: number;

  constructor(opts: CpuSchedulerOptions | number) {
    const o = typeof opts === 'number' ? { sliceMs: opts } : opts;
    this.sliceMs = o.sliceMs;
    this.share = o.share ?? 0.3;
    this.windowMs = o.windowMs ?? 100;
    this.budget = this.share * this.windowMs;
  }

  /** True when the caller holds no grant or used it up, and must `await next()` before more work. */
  due(): boolean {
    return performance.now() >= this.grantEnd;
  }

  /** Resolves at the start of the caller's next grant (a later turn of the event loop). */
  next(): Promise<void> {
    if (this.grantStart > 0) {
      // The grant's holder is done with it: count what it used (at most a little past the slice).
      this.used += Math.min(performance.now() - this.grantStart, 2 * this.sliceMs);
      this.grantStart = 0;
    }
    this.grantEnd = 0;
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** Queries waiting for a grant (for metrics). */
  waiting(): number {
    return this.waiters.length;
  }

  /** Whether the last window found the loop contended (for tests and metrics). */
  isContended(): boolean {
    return this.contended;
  }

  /** The share of the loop queries may use in the current window while it is contended (for tests and metrics). */
  budgetShare(): number {
    return this.budget / this.windowMs;
  }

  private roll(now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed < this.windowMs) return;
    const elu = performance.eventLoopUtilization(this.elu);
    const others = elu.active - this.used;
    this.contended = others > CONTENDED * elapsed;
    const cpu = process.cpuUsage(this.cpu);
    const freeCoreMs = Math.max(0, this.cores * elapsed - (cpu.user + cpu.system) / 1000);
    const idle = Math.min(Math.max(0, elapsed - elu.active), freeCoreMs);
    const spare = (this.used + idle - MARGIN * elapsed) / elapsed;
    this.budget = Math.min(1, Math.max(this.share, spare)) * this.windowMs;
    this.windowStart = now;
    this.elu = performance.eventLoopUtilization();
    this.cpu = process.cpuUsage();
    this.used = 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase: the network's ready callbacks go first each turn.
    setImmediate(() => {
      this.scheduled = false;
      const now = performance.now();
      this.roll(now);
      if (this.contended && this.used >= this.budget) {
        // This window's share is spent: the next grant waits for the next window.
        this.scheduled = true;
        setTimeout(
          () => {
            this.scheduled = false;
            this.schedule();
          },
          Math.max(1, this.windowStart + this.windowMs - now),
        );
        return;
      }
      const w = this.waiters.shift();
      if (w) {
        this.grantStart = now;
        this.grantEnd = now + this.sliceMs;
        w();
      }
      if (this.waiters.length > 0) this.schedule();
    });
  }
}

/** A scheduler that never makes anyone wait: for tests and callers that bound themselves. */
export const UNSCHEDULED: Pick<CpuScheduler, 'due' | 'next'> = {
  due: () => false,
  next: () => Promise.resolve(),
};
