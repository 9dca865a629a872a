/**
 * Query-pod side of the cross-pod tail: subscribes to `<prefix>:tail:<tenant>` only while the
 * local TailHub has a subscriber for that tenant, and publishes what arrives into the hub.
 * One dedicated subscriber connection (a RESP2 connection in subscribe mode can do nothing else);
 * ioredis re-subscribes by itself after a reconnect.
 */
import { Redis } from 'ioredis';
import type { TailHub } from './tail-hub.js';
import { decodeTail, tailChannel } from './tail-wire.js';

export class RedisTailFeed {
  private readonly redis: Redis;

  constructor(
    private readonly hub: TailHub,
    private readonly opts: { url: string; prefix: string; onError: (what: string, err: unknown) => void },
  ) {
    this.redis = new Redis(opts.url, { protocol: 2, lazyConnect: true, maxRetriesPerRequest: null });
    this.redis.on('error', () => {
      // ioredis reconnects and re-subscribes; the failing command reports below.
    });
    this.redis.on('message', (_channel: string, msg: string) => {
      try {
        hub.publish([decodeTail(msg)]);
      } catch (err) {
        opts.onError('decode tail message', err);
      }
    });
    hub.onTenants((tenant, active) => {
      const ch = tailChannel(opts.prefix, tenant);
      const op = active ? this.redis.subscribe(ch) : this.redis.unsubscribe(ch);
      op.catch((err: unknown) => opts.onError(`${active ? 'subscribe to' : 'unsubscribe from'} ${ch}`, err));
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
