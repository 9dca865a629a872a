/** The processor's batch handler: write, then tail, critical alerts and metrics (see index.ts). */
import type { WriteBatch } from '../model/entry.js';
import type { BatchHandler } from '../queue/queue.js';
import type { Storage } from '../storage/storage.js';
import { alertCritical, type CriticalDeps } from './critical.js';
import { countByTenant } from './tenant-counts.js';

export interface ProcessorDeps {
  storage: Pick<Storage, 'write'>;
  /** Live tail fan-out of committed batches (in-process hub or Redis pub/sub); must not throw. */
  publish?: (batches: readonly WriteBatch[]) => void;
  /** Absent when critical-log alerting is off or the role has no alerting. */
  critical?: CriticalDeps;
  /** Starts the commit-duration timer; calling the result observes it. */
  timeCommit: () => () => void;
  /** Adds committed entries of a tenant to `logs_processed_total`. */
  processed: (tenant: string, n: number) => void;
  /** Told the outcome of every write, undefined when it succeeded (store health, src/health/). */
  onWrite?: (err: unknown) => void;
  /**
   * Sees committed batches after the other steps (the pattern miner, src/patterns); must not
   * throw and must not do more than queue them: it runs before the pushes are acknowledged.
   */
  observe?: (batches: readonly WriteBatch[]) => void;
}

export function createBatchHandler(deps: ProcessorDeps): BatchHandler {
  return async (batches) => {
    const end = deps.timeCommit();
    try {
      await deps.storage.write(batches);
    } catch (err) {
      deps.onWrite?.(err);
      throw err;
    }
    end();
    deps.onWrite?.(undefined);
    // Committed: live tails see it now (fire and forget, never awaited here).
    deps.publish?.(batches);
    // Committed: critical entries alert now, not at the next ruler interval.
    if (deps.critical) alertCritical(batches, deps.critical);
    for (const [tenant, n] of countByTenant(batches)) deps.processed(tenant, n);
    deps.observe?.(batches);
  };
}
