/**
 * A bounded cache whose entries expire: what keeps a pushed request from reading the credentials
 * store each time while bounding staleness (a revocation is seen once the entry expires) and
 * memory (the least recently set entries are dropped past `max`).
 */
export class TtlCache<K, V> {
  private readonly m = new Map<K, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `{ value }` when present and fresh (a cached "absent" is a value too), else undefined. */
  lookup(key: K): { value: V } | undefined {
    const e = this.m.get(key);
    if (e === undefined) return undefined;
    if (this.now() - e.at >= this.ttlMs) {
      this.m.delete(key);
      return undefined;
    }
    return { value: e.value };
  }

  set(key: K, value: V): void {
    this.m.delete(key);
    this.m.set(key, { value, at: this.now() });
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as K);
  }

  delete(key: K): void {
    this.m.delete(key);
  }

  clear(): void {
    this.m.clear();
  }

  get size(): number {
    return this.m.size;
  }
}
