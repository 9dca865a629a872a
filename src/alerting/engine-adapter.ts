/**
 * The one place alerting reaches the metric-query engine (`src/query/metric/engine.ts`,
 * `evaluateInstant`). Everything else in alerting depends on the `Evaluator` function type only,
 * so the ruler's tests run with a fake evaluator.
 */
import type { Storage } from '../storage/storage.js';
import { evaluateInstant, type InstantResult } from '../query/metric/engine.js';

export type { InstantResult, InstantSample } from '../query/metric/engine.js';

/** Evaluates a metric query at one instant (nanoseconds) for the given tenants. */
export type Evaluator = (query: string, timeNs: bigint, tenants: string[], signal?: AbortSignal) => Promise<InstantResult>;

export function engineEvaluator(storage: Storage): Evaluator {
  return (query, timeNs, tenants, signal) => evaluateInstant(storage, query, timeNs, tenants, signal);
}
