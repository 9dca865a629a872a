/**
 * The processor: the consumer side of the queue. For every group of batches the queue hands it,
 * in this order: write them to storage (durable once `write` resolves), then — only after the
 * commit — publish them to live tails, hand critical entries to the critical-log alerter, count
 * them in `logs_processed_total`, and queue them for the log pattern miner (src/patterns).
 *
 * Invariants
 * - Nothing after the write runs for batches that were not committed: a failed write rejects the
 *   handler, so the queue redelivers (Redis) or refuses the pushes (group commit), and no tail,
 *   alert or counter ever sees an entry that is not stored.
 * - The steps after the commit never throw into the queue: a failing alerter is logged, tail
 *   publishing is fire and forget (never awaited here).
 * - The processor keeps no state between calls; the queue serialises calls.
 */
export { createBatchHandler, type ProcessorDeps } from './handler.js';
export { countByTenant } from './tenant-counts.js';
export { alertCritical, type CriticalDeps } from './critical.js';
