/**
 * The shared limits every query of a process runs under, built once from `query.*`: how many run
 * at once and how many may wait (Semaphore), the memory all of them may hold together
 * (MemoryPool), and the main-thread slices they share with ingest (CpuScheduler). A query's own
 * QueryBudget (budget.ts) draws on these.
 */
import type { Config } from '../config/load.js';
import { MemoryPool, QueryBudget } from './budget.js';
import { CpuScheduler } from './cpu-scheduler.js';
import { Semaphore } from './semaphore.js';

export interface QueryResources {
  querySlots: Semaphore;
  queryMemory: MemoryPool;
  queryScheduler: CpuScheduler;
}

export function queryResources(q: Config['query']): QueryResources {
  return {
    querySlots: new Semaphore(q.maxConcurrent, q.maxQueued),
    queryMemory: new MemoryPool(q.maxTotalMemory),
    queryScheduler: new CpuScheduler({ sliceMs: q.cpuSliceMs, share: Math.min(1, Math.max(0.01, q.cpuShare)) }),
  };
}

/** A budget for one query that may run for `timeoutMs` more, drawing on the process's resources. */
export function queryBudget(q: Config['query'], r: Partial<QueryResources>, timeoutMs: number, signal?: AbortSignal): QueryBudget {
  return new QueryBudget({
    timeoutMs,
    signal,
    maxBytes: q.maxMemory,
    pool: r.queryMemory,
    scheduler: r.queryScheduler,
    maxTemplateOutput: q.maxTemplateOutput,
  });
}
