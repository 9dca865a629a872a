/**
 * Per-tenant ingestion rate: a token bucket per tenant, refilled at the tenant's rate up to its
 * burst, as Loki's distributor does with golang.org/x/time/rate (`AllowN`): a push takes all the
 * bytes it carries or none, and a push larger than the burst never passes.
 *
 * Memory: one small record per tenant that pushed recently; records that have refilled to their
 * burst are indistinguishable from new ones and are dropped by `sweep` (called every minute).
 */

interface Bucket {
  tokens: number;
  lastMs: number;
  rate: number;
  burst: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Takes `n` bytes from the tenant's bucket (`rate` bytes/s, `burst` bytes) when it holds them.
   * Returns 0 when taken, else the seconds after which the same push could pass (at least 1;
   * Infinity when `n` exceeds the burst). With `oversize`, more than the burst passes once the
   * bucket is full, leaving it in debt that later takes wait out: for batches LogSentinel made
   * itself (syslog), whose size the sender did not choose.
   */
  take(tenant: string, n: number, rate: number, burst: number, oversize = false): number {
    const now = this.now();
    let b = this.buckets.get(tenant);
    if (b === undefined) {
      b = { tokens: burst, lastMs: now, rate, burst };
      this.buckets.set(tenant, b);
    } else {
      if (b.rate !== rate || b.burst !== burst) {
        // The tenant's limits were changed by an overrides reload: keep what it had, within the new burst.
        b.rate = rate;
        b.burst = burst;
      }
      b.tokens = Math.min(b.burst, b.tokens + ((now - b.lastMs) / 1000) * b.rate);
      b.lastMs = now;
    }
    if (n <= b.tokens) {
      b.tokens -= n;
      return 0;
    }
    if (n > b.burst) {
      if (!oversize) return Infinity;
      if (b.tokens >= b.burst) {
        b.tokens -= n;
        return 0;
      }
      return Math.max(1, Math.ceil((b.burst - b.tokens) / b.rate));
    }
    return Math.max(1, Math.ceil((n - b.tokens) / b.rate));
  }

  /** Drops buckets that have refilled completely. */
  sweep(): void {
    const now = this.now();
    for (const [t, b] of this.buckets) {
      if (b.tokens + ((now - b.lastMs) / 1000) * b.rate >= b.burst) this.buckets.delete(t);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}
