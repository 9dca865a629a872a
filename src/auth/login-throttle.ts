/**
 * Throttling of failed password logins, per client address and per user name (the UI login and
 * basic auth with a user's password). Each key gets `free` failures; every further failure
 * doubles a lockout, from one second up to `maxLockMs`, during which attempts are answered 429
 * with Retry-After without checking the password (no scrypt is spent on them). A key forgets its
 * failures `forgetMs` after the last one, and a successful login clears the user's. Memory is
 * bounded: past `maxKeys` per kind the least recent key is dropped. Counts are per process; in a
 * cluster each pod throttles on its own.
 */
interface Entry {
  failures: number;
  last: number;
  lockedUntil: number;
}

export interface ThrottleOptions {
  freeByAddress?: number;
  freeByUser?: number;
  maxLockMs?: number;
  forgetMs?: number;
  maxKeys?: number;
  now?: () => number;
}

class Keyed {
  private readonly m = new Map<string, Entry>();
  constructor(
    private readonly free: number,
    private readonly opts: Required<Omit<ThrottleOptions, 'freeByAddress' | 'freeByUser'>>,
  ) {}

  private entry(key: string, now: number): Entry | undefined {
    const e = this.m.get(key);
    if (e && now - e.last > this.opts.forgetMs) {
      this.m.delete(key);
      return undefined;
    }
    return e;
  }

  lockedMs(key: string, now: number): number {
    const e = this.entry(key, now);
    return e ? Math.max(0, e.lockedUntil - now) : 0;
  }

  fail(key: string, now: number): void {
    const e = this.entry(key, now) ?? { failures: 0, last: now, lockedUntil: 0 };
    e.failures++;
    e.last = now;
    const over = e.failures - this.free;
    if (over > 0) e.lockedUntil = now + Math.min(1000 * 2 ** Math.min(over - 1, 30), this.opts.maxLockMs);
    this.m.delete(key);
    this.m.set(key, e);
    if (this.m.size > this.opts.maxKeys) this.m.delete(this.m.keys().next().value as string);
  }

  clear(key: string): void {
    this.m.delete(key);
  }
}

export class LoginThrottle {
  private readonly byAddress: Keyed;
  private readonly byUser: Keyed;
  private readonly now: () => number;

  constructor(opts: ThrottleOptions = {}) {
    const common = { maxLockMs: opts.maxLockMs ?? 5 * 60_000, forgetMs: opts.forgetMs ?? 15 * 60_000, maxKeys: opts.maxKeys ?? 10_000, now: opts.now ?? Date.now };
    this.now = common.now;
    this.byAddress = new Keyed(opts.freeByAddress ?? 20, common);
    this.byUser = new Keyed(opts.freeByUser ?? 5, common);
  }

  /** Seconds to wait before `user` may try again from `address` (0: go ahead). */
  retryAfterSeconds(address: string, user: string): number {
    const now = this.now();
    const ms = Math.max(this.byAddress.lockedMs(address, now), this.byUser.lockedMs(user.toLowerCase(), now));
    return Math.ceil(ms / 1000);
  }

  failed(address: string, user: string): void {
    const now = this.now();
    this.byAddress.fail(address, now);
    this.byUser.fail(user.toLowerCase(), now);
  }

  succeeded(user: string): void {
    this.byUser.clear(user.toLowerCase());
  }
}
