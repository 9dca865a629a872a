/**
 * In-memory index of the streams a backend holds: labels, first/last timestamp and the levels
 * seen, per tenant. Backends keep it current on write and rebuild it on open, so selector
 * resolution and the labels APIs never scan entries.
 * Not thread-safe by design: JavaScript is single-threaded; callers mutate it only after commit.
 */
import type { Labels } from '../../model/labels.js';
import type { Nanos } from '../../model/entry.js';
import { LEVELS, type Level } from '../../model/level.js';
import type { StreamInfo } from '../storage.js';

interface Entry extends StreamInfo {
  /** bit i set = level code i seen */
  levelMask: number;
}

export class StreamIndex {
  private readonly tenants = new Map<string, Map<bigint, Entry>>();

  has(tenant: string, id: bigint): boolean {
    return this.tenants.get(tenant)?.has(id) ?? false;
  }

  get(tenant: string, id: bigint): StreamInfo | undefined {
    return this.tenants.get(tenant)?.get(id);
  }

  /** Adds a stream (no-op if present). */
  add(tenant: string, id: bigint, labels: Labels): void {
    let t = this.tenants.get(tenant);
    if (!t) {
      t = new Map();
      this.tenants.set(tenant, t);
    }
    if (!t.has(id)) t.set(id, { tenant, id, labels, firstTs: BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000_000n, lastTs: -1n, levelMask: 0 });
  }

  /** Widens a stream's time bounds and level set after a committed write. */
  observe(tenant: string, id: bigint, minTs: Nanos, maxTs: Nanos, levelMask: number): void {
    const e = this.tenants.get(tenant)?.get(id);
    if (!e) return;
    if (minTs < e.firstTs) e.firstTs = minTs;
    if (maxTs > e.lastTs) e.lastTs = maxTs;
    e.levelMask |= levelMask;
  }

  remove(tenant: string, id: bigint): void {
    this.tenants.get(tenant)?.delete(id);
  }

  /** Streams with entries overlapping [start, end). */
  list(tenant: string, start: Nanos, end: Nanos): StreamInfo[] {
    const t = this.tenants.get(tenant);
    if (!t) return [];
    const out: StreamInfo[] = [];
    for (const e of t.values()) if (e.lastTs >= start && e.firstTs < end) out.push(e);
    return out;
  }

  count(tenant: string): number {
    return this.tenants.get(tenant)?.size ?? 0;
  }

  levels(tenant: string, ids: bigint[]): Level[] {
    const t = this.tenants.get(tenant);
    let mask = 0;
    if (t) for (const id of ids) mask |= t.get(id)?.levelMask ?? 0;
    return LEVELS.filter((_, i) => (mask & (1 << i)) !== 0);
  }

  *all(): Iterable<StreamInfo> {
    for (const t of this.tenants.values()) yield* t.values();
  }
}
