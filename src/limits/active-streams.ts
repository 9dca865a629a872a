/**
 * Active streams per tenant, for Loki's `max_global_streams_per_user`. A stream is active from its
 * first entry until `idleMs` pass without one (Loki forgets a stream once its chunks are flushed
 * after `chunk_idle_period`). `admit` is asked once per stream per request (StreamGrouper's
 * `admitStream`), never per entry.
 *
 * Memory: at most `limit` ids per tenant (new streams past it are refused, not remembered); idle
 * ones are dropped when a tenant reaches its limit (at most once a second) and by `sweep`.
 */

interface TenantStreams {
  readonly streams: Map<bigint, number>;
  lastExpiryMs: number;
}

export class ActiveStreams {
  private readonly tenants = new Map<string, TenantStreams>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a stream may receive entries: known and active, or new and under `limit` (0 = no limit: not tracked). */
  admit(tenant: string, id: bigint, limit: number): boolean {
    if (limit <= 0) return true;
    const now = this.now();
    let t = this.tenants.get(tenant);
    if (t === undefined) {
      t = { streams: new Map(), lastExpiryMs: now };
      this.tenants.set(tenant, t);
    }
    if (t.streams.has(id)) {
      t.streams.set(id, now);
      return true;
    }
    if (t.streams.size >= limit && now - t.lastExpiryMs >= 1000) this.expire(t, now);
    if (t.streams.size >= limit) return false;
    t.streams.set(id, now);
    return true;
  }

  /** Active streams of a tenant (after dropping idle ones). */
  count(tenant: string): number {
    const t = this.tenants.get(tenant);
    if (t === undefined) return 0;
    this.expire(t, this.now());
    return t.streams.size;
  }

  private expire(t: TenantStreams, now: number): void {
    t.lastExpiryMs = now;
    const cutoff = now - this.idleMs;
    for (const [id, seen] of t.streams) if (seen < cutoff) t.streams.delete(id);
  }

  /** Drops idle streams of every tenant, and tenants left without any. */
  sweep(): void {
    const now = this.now();
    for (const [name, t] of this.tenants) {
      this.expire(t, now);
      if (t.streams.size === 0) this.tenants.delete(name);
    }
  }
}
