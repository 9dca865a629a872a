/**
 * Log patterns: the Drain-style miner (drain.ts, tokenize.ts, miner.ts) that learns each stream's
 * patterns from committed entries, and its wiring: `createPatternMiner` builds it from
 * `patterns.*` with its metrics and the new-pattern alert. docs/patterns.md.
 *
 * Invariants
 * - Embedded mode only (`serve`, embedded `all`): the miner lives in the process that commits,
 *   and the patterns API of that process reads it. Cluster roles answer the API with 501.
 * - Nothing here is on the acknowledgement path but a bounded enqueue (miner.ts).
 * - Memory is bounded per tenant by `patterns.maxClustersPerStream`/`maxClustersPerTenant`,
 *   counts by `patterns.retention`, the queue by `patterns.maxQueuedLines`.
 */
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config/load.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Logger } from '../telemetry/logger.js';
import { M } from '../telemetry/metric-names.js';
import { isLevel } from '../model/level.js';
import { PatternMiner, type NewPattern } from './miner.js';

export { PatternMiner, type PatternSeries, type NewPattern, type MinerOptions } from './miner.js';
export { VAR } from './tokenize.js';

/** Longest run of mining per event-loop turn: short, so pushes and queries interleave with it. */
const SLICE_MS = 4;

/** The miner of `patterns.*`, its counters registered with `metrics`; `onNewPattern` feeds the alert. */
export function createPatternMiner(cfg: Config['patterns'], metrics: Pick<Metrics, 'registry'>, onNewPattern?: (p: NewPattern) => void, logger?: Pick<Logger, 'error'>): PatternMiner {
  // With the alert on, lines at its level are always mined: sampling must not hide a new pattern.
  const alwaysMineFrom = onNewPattern && isLevel(cfg.alert.minLevel) ? cfg.alert.minLevel : undefined;
  const r = [metrics.registry];
  const evicted = new Counter({ name: M.patternClustersEvicted, help: 'Patterns forgotten by the miner to stay within patterns.maxClustersPerStream / maxClustersPerTenant, by tenant.', labelNames: ['tenant'], registers: r });
  const dropped = new Counter({ name: M.patternLinesDropped, help: 'Committed lines not mined because the miner queue was full (patterns.maxQueuedLines).', registers: r });
  const miner = new PatternMiner({
    maxClustersPerStream: cfg.maxClustersPerStream,
    maxClustersPerTenant: cfg.maxClustersPerTenant,
    bucketMs: cfg.bucketMs,
    retentionMs: cfg.retentionMs,
    similarity: cfg.similarity,
    maxTokens: cfg.maxTokens,
    maxQueuedLines: cfg.maxQueuedLines,
    sliceMs: SLICE_MS,
    maxBusyShare: cfg.maxCpuShare,
    alwaysMineFrom,
    onEvict: (tenant, n) => evicted.inc({ tenant }, n),
    onDrop: (n) => dropped.inc(n),
    onNewPattern,
    onError: (err) => logger?.error({ err }, 'new-pattern alerting failed'),
  });
  new Gauge({ name: M.patternClusters, help: 'Patterns held by the miner, all tenants.', registers: r, collect() { this.set(miner.clusterCount()); } });
  let counted = 0;
  new Counter({
    name: M.patternMiningSeconds,
    help: 'Seconds the miner spent mining on the main thread (bounded by patterns.maxCpuShare).',
    registers: r,
    collect() {
      const now = miner.busyMs / 1000;
      if (now > counted) this.inc(now - counted);
      counted = now;
    },
  });
  new Gauge({ name: M.patternQueuedLines, help: 'Committed lines waiting to be mined.', registers: r, collect() { this.set(miner.queued); } });
  new Gauge({ name: M.patternMiningStride, help: 'Lines per mined line: 1, or more while the miner samples to stay within patterns.maxCpuShare.', registers: r, collect() { this.set(miner.stride); } });
  return miner;
}
