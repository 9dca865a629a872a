/**
 * Lines per second over a sliding window, for the Live tail's rate figure. Pure: the caller
 * passes the clock, so a test can drive it. Arrivals are kept in one-second buckets, so memory
 * stays bounded whatever the rate.
 */
export class RateMeter {
  private buckets: Array<{ second: number; n: number }> = [];
  private startedMs: number;

  /** `windowMs`: how far back the rate looks. */
  constructor(
    nowMs: number,
    private readonly windowMs = 5000,
  ) {
    this.startedMs = nowMs;
  }

  /** Forgets every arrival; the window restarts at `nowMs`. */
  reset(nowMs: number): void {
    this.buckets = [];
    this.startedMs = nowMs;
  }

  add(nowMs: number, n: number): void {
    if (n <= 0) return;
    const second = Math.floor(nowMs / 1000);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.second === second) last.n += n;
    else this.buckets.push({ second, n });
    this.prune(nowMs);
  }

  /**
   * Lines per second over the window, or over the time since the last reset when that is
   * shorter (at least one second), so a fresh tail does not under-report.
   */
  perSecond(nowMs: number): number {
    this.prune(nowMs);
    let sum = 0;
    for (const b of this.buckets) sum += b.n;
    const spanMs = Math.max(1000, Math.min(this.windowMs, nowMs - this.startedMs));
    return sum / (spanMs / 1000);
  }

  private prune(nowMs: number): void {
    const oldest = Math.floor((nowMs - this.windowMs) / 1000);
    let i = 0;
    while (i < this.buckets.length && this.buckets[i].second < oldest) i++;
    if (i > 0) this.buckets.splice(0, i);
  }
}
