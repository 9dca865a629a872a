/**
 * Keeps a repeated warning to one log line per key and interval, so a client retrying a refused
 * connection a thousand times a second cannot flood LogSentinel's own logs. The next line says how
 * many occurrences were left out. Keys must come from a small fixed set (reasons, not addresses).
 */
export class LogThrottle {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The count of occurrences left out since the last logged one when this one should be logged, else -1. */
  take(key: string): number {
    const now = this.now();
    const l = this.last.get(key);
    if (l === undefined) {
      this.last.set(key, { atMs: now, suppressed: 0 });
      return 0;
    }
    if (now - l.atMs < this.intervalMs) {
      l.suppressed++;
      return -1;
    }
    const n = l.suppressed;
    l.atMs = now;
    l.suppressed = 0;
    return n;
  }
}
