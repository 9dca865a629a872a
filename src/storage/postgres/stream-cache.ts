/**
 * The streams of each tenant, cached in memory from the `streams` table. Other processes write
 * too, so a tenant's cache is reloaded from the table when it is older than `refreshMs` at the
 * time it is asked for (0 = reload on every call); this process's own commits update it at once
 * (read-your-writes). Concurrent reloads of one tenant share one query.
 */
import type { Pool } from 'pg';
import type { Labels } from '../../model/labels.js';
import { StreamIndex } from '../common/stream-index.js';
import { toUnsigned } from './ids.js';

export interface StreamRow {
  skey: number;
  tenant: string;
  stream_id: bigint;
  labels: string;
  first_ts: bigint;
  last_ts: bigint;
  level_mask: number;
}

interface TenantCache {
  index: StreamIndex;
  loadedAt: number;
}

export class StreamCache {
  private readonly tenants = new Map<string, TenantCache>();
  private readonly loading = new Map<string, Promise<TenantCache>>();
  /** `tenant \0 stream id` → skey, and back. Kept across reloads (keys are never reused). */
  private readonly keyOf = new Map<string, number>();
  private readonly idOfKey = new Map<number, bigint>();

  constructor(
    private readonly pool: Pool,
    private readonly refreshMs: number,
  ) {}

  async index(tenant: string): Promise<StreamIndex> {
    const c = this.tenants.get(tenant);
    if (c && this.refreshMs > 0 && Date.now() - c.loadedAt < this.refreshMs) return c.index;
    return (await this.reload(tenant)).index;
  }

  private reload(tenant: string): Promise<TenantCache> {
    let p = this.loading.get(tenant);
    if (!p) {
      const startedAt = Date.now();
      p = this.pool
        .query<StreamRow>('SELECT skey, tenant, stream_id, labels, first_ts, last_ts, level_mask FROM streams WHERE tenant = $1', [tenant])
        .then(({ rows }) => {
          const index = new StreamIndex();
          for (const r of rows) this.put(index, r);
          const c = { index, loadedAt: startedAt };
          this.tenants.set(tenant, c);
          return c;
        })
        .finally(() => this.loading.delete(tenant));
      this.loading.set(tenant, p);
    }
    return p;
  }

  private put(index: StreamIndex, r: StreamRow): void {
    const id = toUnsigned(r.stream_id);
    index.add(r.tenant, id, JSON.parse(r.labels) as Labels);
    index.observe(r.tenant, id, r.first_ts, r.last_ts, r.level_mask);
    this.keyOf.set(r.tenant + '\x00' + id, r.skey);
    this.idOfKey.set(r.skey, id);
  }

  /** Applies rows returned by a committed write (the database's current bounds). */
  committed(rows: StreamRow[]): void {
    for (const r of rows) {
      const c = this.tenants.get(r.tenant);
      if (c) this.put(c.index, r);
      else {
        this.keyOf.set(r.tenant + '\x00' + toUnsigned(r.stream_id), r.skey);
        this.idOfKey.set(r.skey, toUnsigned(r.stream_id));
      }
    }
  }

  /** Surrogate keys of the given streams; reloads the tenant once if some are unknown. */
  async keysFor(tenant: string, ids: bigint[]): Promise<number[]> {
    const lookup = (): { keys: number[]; missing: boolean } => {
      const keys: number[] = [];
      let missing = false;
      for (const id of ids) {
        const k = this.keyOf.get(tenant + '\x00' + id);
        if (k === undefined) missing = true;
        else keys.push(k);
      }
      return { keys, missing };
    };
    let r = lookup();
    if (r.missing) {
      await this.reload(tenant);
      r = lookup();
    }
    return r.keys;
  }

  idOf(skey: number): bigint {
    return this.idOfKey.get(skey) ?? 0n;
  }

  /** Forces every tenant to be reloaded at its next use (after retention). */
  invalidate(): void {
    for (const c of this.tenants.values()) c.loadedAt = 0;
  }
}
