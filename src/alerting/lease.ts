/**
 * The ruler lease (cluster mode): one Redis key names the ruler that evaluates rules and sends
 * notifications; every other ruler waits and takes over when the holder stops renewing.
 * One global lease, not one per tenant: a single ruler is active per deployment, as the
 * architecture sizes it (docs/cluster.md, "Ruler lease").
 *
 * Protocol (key `<prefix>:ruler:lease`, value = the holder's unique name)
 * - acquire: `SET key <me> NX PX <ttl>`;
 * - renew, every `renewEveryMs` (default ttl/3): a script that runs `PEXPIRE key <ttl>` only if
 *   `GET key` is still `<me>` (compare-and-renew; a holder that lost the key never extends
 *   another's lease); when it is no longer ours, try to acquire again;
 * - release on stop: a script that deletes the key only if it is still `<me>`.
 *
 * `held()` is true only while the last successful acquire or renew, counted from when its
 * command was *sent*, is younger than 0.9 × ttl: a holder cut off from Redis stops evaluating
 * before its key expires and another ruler can take it, so two rulers never evaluate at once
 * (short of clock-rate drift above 10 % or a pause of a whole TTL inside one evaluation).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../telemetry/logger.js';

/** Compare-and-renew: extends the lease only when the caller still holds it. Returns 1 or 0. */
export const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Compare-and-delete: releases the lease only when the caller still holds it. Returns 1 or 0. */
export const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export function rulerLeaseKey(prefix: string): string {
  return `${prefix}:ruler:lease`;
}

export interface LeaseOptions {
  url: string;
  key: string;
  ttlMs: number;
  /** Default ttl/3. */
  renewEveryMs?: number;
  /** Unique name of this holder; default `<hostname>-<pid>-<random>`. */
  holder?: string;
  /** Called when this process gains or loses the lease. */
  onChange?: (held: boolean) => void;
  logger?: Logger;
}

export class RedisLease {
  readonly holder: string;
  private readonly redis: Redis;
  private readonly renewEveryMs: number;
  private validUntil = 0;
  private wasHeld = false;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<boolean>;
  private stopped = false;

  constructor(private readonly opts: LeaseOptions) {
    if (!(opts.ttlMs > 0)) throw new Error(`cannot create lease ${opts.key}: ttl must be positive, got ${opts.ttlMs}`);
    this.holder = opts.holder ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.renewEveryMs = opts.renewEveryMs ?? Math.max(1, Math.floor(opts.ttlMs / 3));
    this.redis = new Redis(opts.url, {
      protocol: 2,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A renewal slower than this is as good as lost; the next tick tries again.
      commandTimeout: Math.max(100, Math.floor(this.renewEveryMs / 2)),
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
    });
    this.redis.on('error', () => {
      // Failed commands are reported by tick(); ioredis reconnects by itself.
    });
  }

  /** Whether this process holds the lease now (see the module comment for the margin). */
  held(): boolean {
    return !this.stopped && Date.now() < this.validUntil;
  }

  /** Waits for the connection, makes a first attempt, then keeps acquiring/renewing in the background. */
  async start(): Promise<void> {
    // Commands fail at once while disconnected (no offline queue): give the first connection a
    // moment so a healthy ruler does not wait a whole renew interval for its first attempt.
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.redis.off('ready', done);
          resolve();
        };
        const t = setTimeout(done, Math.min(2000, this.renewEveryMs));
        this.redis.once('ready', done);
      });
    }
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.renewEveryMs);
    this.timer.unref();
  }

  /** One attempt: renew when this process holds the key, acquire otherwise. Resolves to held(). */
  tick(): Promise<boolean> {
    this.ticking ??= this.attempt().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** Stops renewing without releasing, as a dead holder would (tests). */
  stopRenewing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops renewing and releases the lease if held, so another ruler takes over at once. */
  async stop(): Promise<void> {
    this.stopRenewing();
    await this.ticking;
    const had = this.validUntil > 0;
    this.stopped = true;
    this.validUntil = 0;
    this.report();
    try {
      if (had) await this.redis.eval(RELEASE_SCRIPT, 1, this.opts.key, this.holder);
    } catch (err) {
      this.opts.logger?.warn({ err: (err as Error).message, lease: this.opts.key }, 'cannot release lease; it expires after its ttl');
    }
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private async attempt(): Promise<boolean> {
    if (this.stopped) return false;
    const sent = Date.now();
    try {
      let ok = false;
      if (this.validUntil > 0) ok = Number(await this.redis.eval(RENEW_SCRIPT, 1, this.opts.key, this.holder, String(this.opts.ttlMs))) === 1;
      if (!ok) ok = (await this.redis.set(this.opts.key, this.holder, 'PX', this.opts.ttlMs, 'NX')) === 'OK';
      this.validUntil = ok ? sent + Math.floor(this.opts.ttlMs * 0.9) : 0;
    } catch (err) {
      // Keep validUntil: the lease stays ours until it runs out unless a later renewal succeeds.
      this.opts.logger?.warn({ err: (err as Error).message, lease: this.opts.key }, 'cannot renew lease');
    }
    this.report();
    return this.held();
  }

  private report(): void {
    const now = this.held();
    if (now === this.wasHeld) return;
    this.wasHeld = now;
    this.opts.logger?.info({ lease: this.opts.key, holder: this.holder }, now ? 'lease acquired' : 'lease lost');
    this.opts.onChange?.(now);
  }
}
