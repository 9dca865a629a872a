/**
 * Limits how many queries run at once; the rest wait in FIFO order. The line is bounded
 * (`maxWaiting`): past it `run` refuses at once with QUERY_OVERLOADED (429), so a flood of queries
 * gets a prompt answer instead of piling up. A waiter whose signal aborts (its timeout passed while
 * it waited, or its client went away) leaves the line with the signal's reason.
 */
import { LogSentinelError } from '../errors.js';

interface Waiter {
  go: () => void;
}

export class Semaphore {
  private active = 0;
  private readonly waiters: Waiter[] = [];
  constructor(
    private readonly max: number,
    private readonly maxWaiting = Infinity,
  ) {}

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.max) await this.wait(signal);
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiters.shift()?.go();
    }
  }

  /** Queries running and waiting (for metrics). */
  stats(): { running: number; waiting: number } {
    return { running: this.active, waiting: this.waiters.length };
  }

  private wait(signal?: AbortSignal): Promise<void> {
    if (this.waiters.length >= this.maxWaiting) {
      return Promise.reject(
        new LogSentinelError('QUERY_OVERLOADED', `cannot run query: ${this.active} queries are running and ${this.waiters.length} are waiting (query.maxConcurrent, query.maxQueued); retry later`, { retryAfter: 2 }),
      );
    }
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        go: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(w);
    });
  }
}
