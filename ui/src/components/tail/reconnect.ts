/**
 * When to reconnect a dropped tail: exponential backoff with jitter, reset once a connection
 * has stayed up long enough to count as healthy (so a server that accepts and at once closes
 * does not get hammered every second). Pure: time and randomness come from the caller.
 */

export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** Largest delay. */
  maxMs: number;
  /** Each failed attempt multiplies the delay by this. */
  factor: number;
  /** Spread: a delay d becomes a value in [d·(1−jitter), d·(1+jitter)], capped at maxMs. */
  jitter: number;
  /** A connection open at least this long resets the backoff when it drops. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2, stableMs: 10_000 };

export class Reconnector {
  /** Failed attempts in a row (0 after a healthy connection). */
  attempt = 0;
  private openedAtMs: number | undefined;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The socket opened. */
  opened(nowMs: number): void {
    this.openedAtMs = nowMs;
  }

  /**
   * The socket closed (or never opened): how long to wait before the next attempt. Counts the
   * attempt; a connection that had been open for `stableMs` starts over at `initialMs`.
   */
  closed(nowMs: number, random: () => number = Math.random): number {
    if (this.openedAtMs !== undefined && nowMs - this.openedAtMs >= this.opts.stableMs) this.attempt = 0;
    this.openedAtMs = undefined;
    const base = Math.min(this.opts.maxMs, this.opts.initialMs * this.opts.factor ** this.attempt);
    this.attempt++;
    const spread = base * this.opts.jitter * (2 * random() - 1);
    return Math.max(0, Math.min(this.opts.maxMs, Math.round(base + spread)));
  }

  /** A deliberate stop or a fresh start: the next failure waits `initialMs` again. */
  reset(): void {
    this.attempt = 0;
    this.openedAtMs = undefined;
  }
}

/**
 * Whether a close is worth retrying. A normal close (1000) is the user's own stop; a policy
 * violation (1008) or an unsupported request (1003) will fail the same way again. Everything else
 * — the network went away (1006), the server restarted (1001, 1012), failed (1011) or found the
 * client too slow (1013) — is retried with backoff.
 */
export function shouldRetry(code: number): boolean {
  return code !== 1000 && code !== 1003 && code !== 1008;
}
