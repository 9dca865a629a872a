/**
 * The queue between ingest and storage.
 *
 * Contract
 * - `append(batch)` resolves when the batch is durable by this queue's definition, and only then
 *   may ingest acknowledge the client: the in-process group-commit queue resolves after the
 *   consumer's handler has committed the batch to storage; Redis Streams after `XADD`.
 *   It rejects with a `LogSentinelError` (`QUEUE_FULL`, 429 with `retryAfter`) when the backlog
 *   is over its bound, so overload is refused rather than buffered without limit.
 * - `consume(handler)` registers the single processing function. The handler receives one or
 *   more batches (possibly merged), must make them durable (storage.write) and resolve; a
 *   batch whose handler resolved is acknowledged and never delivered again. When the handler
 *   rejects, a queue that already acknowledged the batch to the client (Redis) delivers it
 *   again later (at-least-once); the in-process queue, which has not, rejects those appends so
 *   the client retries. Storage writes are idempotent, so neither path duplicates rows.
 * - Ordering: batches of one stream are handed to the handler in append order.
 * - The queue owns the batches after `append`; producers must not mutate them.
 */
import type { WriteBatch } from '../model/entry.js';

export type BatchHandler = (batches: WriteBatch[]) => Promise<void>;

export interface Queue {
  readonly name: string;
  append(batch: WriteBatch): Promise<void>;
  consume(handler: BatchHandler): void;
  /** Entries appended and not yet acknowledged by the handler. */
  depth(): number;
  /** Stops consuming after the in-flight handler call; pending appends are rejected or drained. */
  close(): Promise<void>;
}
