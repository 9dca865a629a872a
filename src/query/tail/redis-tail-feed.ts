/**
 * Query-pod side of the cross-pod tail: subscribes to `<prefix>:tail:<tenant>` only while the
 * local TailHub has a subscriber for that tenant, and publishes what arrives into the hub.
 * One dedicated subscriber connection (a RESP2 connection in subscribe mode can do nothing else);
 * ioredis re-subscribes by itself after a reconnect. A new tenant's tail is armed (its backlog
 * read from storage) only once processors can have noticed the subscription.
 */
import { Redis } from 'ioredis';
import type { TailHub } from './tail-hub.js';
import { decodeTail, tailChannel } from './tail-wire.js';
import { TAIL_INTEREST_TTL_MS } from './redis-tail-publisher.js';

export class RedisTailFeed {
  private readonly redis: Redis;
  /** Per tailed tenant: resolves once processors publish its commits (see RedisTailPublisher). */
  private readonly arming = new Map<string, Promise<void>>();

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
      if (active) {
        // Processors ask whether a channel has subscribers at most every TAIL_INTEREST_TTL_MS:
        // armed once Redis confirmed the subscription and that long (and a margin) has passed.
        const armed = this.redis
          .subscribe(ch)
          .then(() => new Promise<void>((r) => setTimeout(r, TAIL_INTEREST_TTL_MS + 200)))
          .catch((err: unknown) => opts.onError(`subscribe to ${ch}`, err));
        this.arming.set(tenant, armed);
      } else {
        this.arming.delete(tenant);
        this.redis.unsubscribe(ch).catch((err: unknown) => opts.onError(`unsubscribe from ${ch}`, err));
      }
    });
    hub.onArm(async (tenants) => {
      await Promise.all(tenants.map((t) => this.arming.get(t)));
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
