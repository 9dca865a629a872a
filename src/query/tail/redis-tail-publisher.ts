/**
 * Processor side of the cross-pod tail: after a commit, one `PUBLISH <prefix>:tail:<tenant>` per
 * batch (tail-wire.ts). Fire and forget: a publish is never awaited by the processor, a Redis
 * outage only loses live-tail messages (the entries are stored), and with the offline queue off
 * nothing piles up in memory while Redis is away. Redis drops a message nobody subscribes to.
 */
import { Redis } from 'ioredis';
import type { WriteBatch } from '../../model/entry.js';
import { encodeTail, tailChannel } from './tail-wire.js';

export class RedisTailPublisher {
  private readonly redis: Redis;
  private failures = 0;

  constructor(private readonly opts: { url: string; prefix: string; onError: (err: unknown) => void }) {
    this.redis = new Redis(opts.url, { protocol: 2, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => {
      // Reported per failed publish (rate-limited below); ioredis reconnects by itself.
    });
  }

  publish(batches: readonly WriteBatch[]): void {
    for (const b of batches) {
      let msg: string;
      try {
        msg = encodeTail(b);
      } catch (err) {
        this.opts.onError(err);
        continue;
      }
      this.redis.publish(tailChannel(this.opts.prefix, b.tenant), msg).then(
        () => (this.failures = 0),
        (err: unknown) => {
          // One report per outage, not one per batch.
          if (this.failures++ === 0) this.opts.onError(err);
        },
      );
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
