/**
 * Detects a standing queue from the time work actually spent in the server (its sojourn: arrival
 * to answer), the way CoDel does for packets: over each interval it keeps the *shortest* sojourn
 * of the work completed; when even the shortest of the last interval exceeded the target, work is
 * queueing, not just bursting, and new work should be refused until an interval shows otherwise.
 * The minimum ignores a few slow clients (a slow upload makes one push long, not all).
 */
export class SojournMonitor {
  private windowStart: number;
  private windowMin = Infinity;
  /** Shortest sojourn of the last complete interval (0 when nothing completed in it). */
  private lastMin = 0;

  constructor(private readonly opts: { intervalMs: number; now?: () => number }) {
    this.windowStart = this.now();
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : performance.now();
  }

  private roll(): void {
    const t = this.now();
    if (t - this.windowStart < this.opts.intervalMs) return;
    // More than one interval without completions: the last one had none.
    this.lastMin = t - this.windowStart < 2 * this.opts.intervalMs && this.windowMin !== Infinity ? this.windowMin : 0;
    this.windowStart = t;
    this.windowMin = Infinity;
  }

  record(sojournMs: number): void {
    this.roll();
    if (sojournMs < this.windowMin) this.windowMin = sojournMs;
  }

  /** The shortest sojourn of the last complete interval, ms (0 when nothing completed). */
  standingMs(): number {
    this.roll();
    return this.lastMin;
  }
}
