/**
 * Processor side of the cross-pod tail: after a commit, one `PUBLISH <prefix>:tail:<tenant>` per
 * batch (tail-wire.ts), only for tenants somebody tails. Fire and forget: a publish is never
 * awaited by the processor, a Redis outage only loses live-tail messages (the entries are
 * stored), and with the offline queue off nothing piles up in memory while Redis is away.
 *
 * Whether a tenant is tailed is `PUBSUB NUMSUB` of its channel, asked at most every
 * `TAIL_INTEREST_TTL_MS` per tenant; encoding a batch for nobody cost ~7% of a processor's CPU.
 * A query pod that starts tailing a tenant waits that long before it reads the backlog from
 * storage (RedisTailFeed.armed), so what processors commit before they notice is in the backlog.
 */
import { Redis } from 'ioredis';
import type { WriteBatch } from '../../model/entry.js';
import { encodeTail, tailChannel } from './tail-wire.js';

/** How long a processor trusts its answer to "is this tenant tailed?". */
export const TAIL_INTEREST_TTL_MS = 500;
/** Publishes waiting for their turn past which new ones are dropped (Redis too slow or away). */
const MAX_PENDING = 1000;

export class RedisTailPublisher {
  private readonly redis: Redis;
  private failures = 0;
  private readonly interest = new Map<string, { subscribers: number; at: number }>();
  /** Publishes run one after another, so tails see batches in commit order. */
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Batches encoded and published (for tests and metrics). */
  published = 0;

  constructor(private readonly opts: { url: string; prefix: string; onError: (err: unknown) => void }) {
    this.redis = new Redis(opts.url, { protocol: 2, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => {
      // Reported per failed publish (rate-limited below); ioredis reconnects by itself.
    });
  }

  publish(batches: readonly WriteBatch[]): void {
    if (this.pending >= MAX_PENDING) {
      if (this.failures++ === 0) this.opts.onError(new Error(`live-tail publishing is ${MAX_PENDING} batches behind; dropping`));
      return;
    }
    this.pending++;
    this.chain = this.chain.then(() => this.publishNow(batches)).finally(() => this.pending--);
  }

  private async publishNow(batches: readonly WriteBatch[]): Promise<void> {
    for (const b of batches) {
      try {
        if (!(await this.tailed(b.tenant))) continue;
        await this.redis.publish(tailChannel(this.opts.prefix, b.tenant), encodeTail(b));
        this.published++;
        this.failures = 0;
      } catch (err) {
        // One report per outage, not one per batch.
        if (this.failures++ === 0) this.opts.onError(err);
      }
    }
  }

  /** Waits (a little) for the connection: with the offline queue off, commands fail until then. */
  private async connected(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new Error(`redis is not connected (${this.redis.status})`));
      }, 1000);
      this.redis.once('ready', onReady);
    });
  }

  private async tailed(tenant: string): Promise<boolean> {
    const now = Date.now();
    const known = this.interest.get(tenant);
    if (known && now - known.at < TAIL_INTEREST_TTL_MS) return known.subscribers > 0;
    await this.connected();
    const channel = tailChannel(this.opts.prefix, tenant);
    const reply = (await this.redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string];
    const subscribers = Number(reply[1]) || 0;
    if (this.interest.size >= 10_000) this.interest.clear();
    this.interest.set(tenant, { subscribers, at: now });
    return subscribers > 0;
  }

  /** Resolves once every publish asked for so far has been sent (or given up). */
  async flush(): Promise<void> {
    await this.chain;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
