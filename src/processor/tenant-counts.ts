/** Entries per tenant in a group of batches, counted once per commit (metrics stay off the hot loop). */
import type { WriteBatch } from '../model/entry.js';

export function countByTenant(batches: readonly WriteBatch[]): Map<string, number> {
  const perTenant = new Map<string, number>();
  for (const b of batches) {
    let n = 0;
    for (const s of b.streams) n += s.entries.length;
    perTenant.set(b.tenant, (perTenant.get(b.tenant) ?? 0) + n);
  }
  return perTenant;
}
