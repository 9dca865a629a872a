/**
 * The embedded queue: in-process group commit. Pushes wait in memory while the previous commit
 * runs; the next commit takes everything waiting (up to `maxBatchEntries`) in one storage
 * transaction and then resolves every push it contained. A push is therefore acknowledged only
 * after its entries are committed, and concurrent pushes share one commit (and one WAL sync).
 * Nothing is kept in memory past `maxQueuedEntries`: further pushes get 429.
 */
import { batchSize, type WriteBatch } from '../model/entry.js';
import { LogSentinelError } from '../errors.js';
import type { BatchHandler, Queue } from './queue.js';

export interface GroupCommitOptions {
  maxBatchEntries: number;
  /** Once idle, wait this long after the first push for others to join its commit. */
  maxBatchDelayMs: number;
  maxQueuedEntries: number;
}

interface Waiting {
  batch: WriteBatch;
  size: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommitQueue implements Queue {
  readonly name = 'memory';
  private handler?: BatchHandler;
  private waiting: Waiting[] = [];
  private waitingEntries = 0;
  private inflightEntries = 0;
  private running = false;
  private closed = false;
  private idle?: Promise<void>;

  constructor(private readonly opts: GroupCommitOptions) {}

  depth(): number {
    return this.waitingEntries + this.inflightEntries;
  }

  append(batch: WriteBatch): Promise<void> {
    if (this.closed) return Promise.reject(new LogSentinelError('NOT_READY', 'cannot accept push: server is shutting down', { retryAfter: 1 }));
    const size = batchSize(batch);
    if (size === 0) return Promise.resolve();
    if (this.depth() > 0 && this.depth() + size > this.opts.maxQueuedEntries) {
      return Promise.reject(
        new LogSentinelError('QUEUE_FULL', `cannot accept push: ${this.depth()} entries are waiting to be committed (limit ${this.opts.maxQueuedEntries})`, {
          retryAfter: 1,
        }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ batch, size, resolve, reject });
      this.waitingEntries += size;
      this.kick();
    });
  }

  consume(handler: BatchHandler): void {
    if (this.handler) throw new Error('BUG: GroupCommitQueue.consume called twice');
    this.handler = handler;
    this.kick();
  }

  private kick(): void {
    if (this.running || !this.handler || this.waiting.length === 0) return;
    this.running = true;
    this.idle = this.loop().finally(() => {
      this.running = false;
      this.kick();
    });
  }

  private async loop(): Promise<void> {
    if (this.opts.maxBatchDelayMs > 0 && this.waitingEntries < this.opts.maxBatchEntries) {
      await new Promise((r) => setTimeout(r, this.opts.maxBatchDelayMs));
    }
    while (this.waiting.length > 0) {
      // Take whole pushes up to the batch bound (always at least one).
      let n = 0;
      let k = 0;
      while (k < this.waiting.length && (k === 0 || n + this.waiting[k].size <= this.opts.maxBatchEntries)) {
        n += this.waiting[k].size;
        k++;
      }
      const group = this.waiting.splice(0, k);
      this.waitingEntries -= n;
      this.inflightEntries = n;
      try {
        await this.handler!(group.map((w) => w.batch));
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      } finally {
        this.inflightEntries = 0;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // Drain: pushes already accepted are committed (or rejected) before close resolves.
    while (this.running || (this.waiting.length > 0 && this.handler)) {
      await this.idle;
    }
    for (const w of this.waiting.splice(0)) w.reject(new LogSentinelError('NOT_READY', 'cannot commit push: server shut down before it was consumed'));
    this.waitingEntries = 0;
  }
}
