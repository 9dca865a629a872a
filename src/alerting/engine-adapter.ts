/**
 * The one place alerting reaches the metric-query engine (`src/query/metric/engine.ts`,
 * `evaluateInstant`). Everything else in alerting depends on the `Evaluator` function type only,
 * so the ruler's tests run with a fake evaluator.
 */
import type { Storage } from '../storage/storage.js';
import { evaluateInstant, type InstantResult } from '../query/metric/engine.js';
import { QueryBudget } from '../query/budget.js';
import { CpuScheduler } from '../query/cpu-scheduler.js';

export type { InstantResult, InstantSample } from '../query/metric/engine.js';

/** Evaluates a metric query at one instant (nanoseconds) for the given tenants. */
export type Evaluator = (query: string, timeNs: bigint, tenants: string[], signal?: AbortSignal) => Promise<InstantResult>;

/** The query limits rule evaluations run under (`query.maxMemory`, `query.maxTemplateOutput`, `query.cpuSlice`, `query.cpuSharePercent`). */
export interface RuleQueryLimits {
  maxMemory: number;
  maxTemplateOutput: number;
  cpuSliceMs: number;
  cpuShare: number;
}

export function engineEvaluator(storage: Storage, limits?: RuleQueryLimits): Evaluator {
  // Rule evaluations share the main thread with ingest like API queries do, in their own line.
  const scheduler = limits ? new CpuScheduler({ sliceMs: limits.cpuSliceMs, share: limits.cpuShare }) : undefined;
  return async (query, timeNs, tenants, signal) => {
    const budget = limits ? new QueryBudget({ signal, maxBytes: limits.maxMemory, maxTemplateOutput: limits.maxTemplateOutput, scheduler }) : undefined;
    try {
      return await evaluateInstant(storage, query, timeNs, tenants, signal, budget);
    } finally {
      budget?.release();
    }
  };
}
