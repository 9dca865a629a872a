/**
 * A token bucket: `rate` tokens per second, holding at most `capacity`. The load generator takes
 * one batch worth of lines per request, so the achieved rate converges on `rate` while short
 * stalls (a slow response) can be made up by at most `capacity` tokens — no unbounded bursts.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate > 0)) throw new Error(`cannot create token bucket: rate must be positive, got ${rate}`);
    this.tokens = Math.min(capacity, rate / 10);
    this.last = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  /** Milliseconds until `n` tokens are available (0 when they are), without taking them. */
  waitMs(n: number): number {
    this.refill();
    return this.tokens >= n ? 0 : ((n - this.tokens) / this.rate) * 1000;
  }

  /** Resolves once `n` tokens have been taken, or at once (taking none) when `signal` aborts. Callers may overlap. */
  async take(n: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const w = this.waitMs(n);
      if (w === 0) {
        this.tokens -= n;
        return;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, Math.max(1, Math.ceil(w)));
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }
}
