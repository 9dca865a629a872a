/**
 * A queue that asks before every append whether the store can take it (src/health/): a full disk
 * or a store reopening refuses the push at once with 503 and Retry-After naming the cause, instead
 * of queueing entries that cannot be committed. Everything else is the wrapped queue's.
 */
import type { WriteBatch } from '../model/entry.js';
import type { BatchHandler, Queue } from './queue.js';

/** `admit` throws (a LogSentinelError) to refuse; `what` names the request in its message. */
export function withAdmission(queue: Queue, admit: (what: string) => void): Queue {
  return {
    name: queue.name,
    append(batch: WriteBatch): Promise<void> {
      try {
        admit('push');
      } catch (err) {
        return Promise.reject(err);
      }
      return queue.append(batch);
    },
    consume: (handler: BatchHandler) => queue.consume(handler),
    depth: () => queue.depth(),
    close: () => queue.close(),
  };
}
