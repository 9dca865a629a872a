/**
 * The in-process fan-out of committed log entries to live-tail subscribers.
 *
 * Contract
 * - `publish(batches)` is called after the batches were committed (the embedded processor, or
 *   the Redis tail feed in a query pod). It returns at once: subscribers filter on a later turn
 *   of the event loop, so a slow or broad tail never delays the ingest path. Batches must not
 *   be mutated afterwards.
 * - Subscribers see only batches of their tenants. `onTenants` is told when a tenant gets its
 *   first subscriber and loses its last one (the Redis feed subscribes to channels accordingly).
 * - `armed(tenants)` resolves once entries committed from now on will reach the hub; a new tail
 *   reads its backlog from storage after that. Immediate unless a feed registered `onArm`.
 */
import type { WriteBatch } from '../../model/entry.js';
import type { TailSubscriber } from './tail-subscriber.js';

export type TenantListener = (tenant: string, active: boolean) => void;

export class TailHub {
  private readonly subs = new Set<TailSubscriber>();
  private readonly perTenant = new Map<string, number>();
  private readonly listeners: TenantListener[] = [];
  private readonly armers: Array<(tenants: readonly string[]) => Promise<void>> = [];

  subscribe(sub: TailSubscriber): () => void {
    this.subs.add(sub);
    for (const t of sub.tenants) {
      const n = (this.perTenant.get(t) ?? 0) + 1;
      this.perTenant.set(t, n);
      if (n === 1) for (const l of this.listeners) l(t, true);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.subs.delete(sub);
      for (const t of sub.tenants) {
        const n = (this.perTenant.get(t) ?? 1) - 1;
        if (n > 0) this.perTenant.set(t, n);
        else {
          this.perTenant.delete(t);
          for (const l of this.listeners) l(t, false);
        }
      }
    };
  }

  onTenants(listener: TenantListener): void {
    this.listeners.push(listener);
  }

  onArm(armer: (tenants: readonly string[]) => Promise<void>): void {
    this.armers.push(armer);
  }

  async armed(tenants: readonly string[]): Promise<void> {
    await Promise.all(this.armers.map((a) => a(tenants)));
  }

  /** Tenants with at least one subscriber. */
  activeTenants(): string[] {
    return [...this.perTenant.keys()];
  }

  size(): number {
    return this.subs.size;
  }

  publish(batches: readonly WriteBatch[]): void {
    if (this.subs.size === 0) return;
    setImmediate(() => {
      for (const sub of this.subs) for (const b of batches) sub.offer(b);
    });
  }
}
