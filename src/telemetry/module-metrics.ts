/**
 * The gauges LogSentinel computes on scrape, wired to the modules a process runs: queue depth and
 * consumers, store size, free space of the data directory, dependencies, alerts, the ruler lease.
 * A source that fails keeps its last figure: an outage must not turn /metrics into a 500.
 */
import { statfs } from 'node:fs/promises';
import { createMetrics, type Metrics } from './metrics.js';

/** What the gauges read of the running modules (src/modules.ts `Modules`). */
export interface MetricModules {
  readonly names: readonly string[];
  readonly backends: 'embedded' | 'cluster';
  readonly cfg: { dataDir: string };
  readonly ctx: { dependencies?: () => Promise<string | undefined> };
  queue?: { depth(): number };
  redisQueue?: { stats(): Promise<{ lagEntries: number; pendingEntries: number; activeProcessors: number }> };
  storage?: {
    sizeBytes(): Promise<number>;
    compressionStats?(): Promise<{ compressedBytes: number; uncompressedBytes: number } | undefined>;
    memoryStats?(): Promise<Map<string, number>>;
  };
  alerting?: { firingCount(): number };
  rulerLease?: { held(): boolean };
}

/** Prometheus sources read on scrape from the modules that are running. */
export function moduleMetrics(m: () => MetricModules, dependencyState: ReadonlyMap<string, boolean>): Metrics {
  let consumerStats: { at: number; value: Promise<{ lagEntries: number; pendingEntries: number; activeProcessors: number }> } | undefined;
  let lastStats = { lagEntries: 0, pendingEntries: 0, activeProcessors: 0 };
  let lastSize = 0;
  let lastMemory: ReadonlyMap<string, number> | undefined;
  let lastCompression: { compressedBytes: number; uncompressedBytes: number } | undefined;
  let compression: { at: number; value: Promise<{ compressedBytes: number; uncompressedBytes: number } | undefined> } | undefined;
  return createMetrics({
    queueDepth: () => m().queue?.depth() ?? 0,
    queueConsumers: () => {
      // One Redis round per scrape for the three gauges; a Redis outage keeps the last figures.
      const q = m().redisQueue;
      if (!q) return Promise.resolve({ lagEntries: 0, pendingEntries: 0, activeProcessors: m().names.includes('processor') ? 1 : 0 });
      if (!consumerStats || Date.now() - consumerStats.at > 500) {
        consumerStats = {
          at: Date.now(),
          value: q.stats().then(
            (v) => (lastStats = v),
            () => lastStats,
          ),
        };
      }
      return consumerStats.value;
    },
    // A database outage must not turn /metrics into a 500 (the outage is what operators chart).
    storageSize: async () => {
      const storage = m().storage;
      return storage ? (lastSize = await storage.sizeBytes().catch(() => lastSize)) : 0;
    },
    // One query per scrape for both gauges; an outage keeps the last figures.
    storageCompression: () => {
      const storage = m().storage;
      if (!storage?.compressionStats) return Promise.resolve(undefined);
      if (!compression || Date.now() - compression.at > 500) {
        compression = {
          at: Date.now(),
          value: storage.compressionStats().then(
            (v) => (lastCompression = v),
            () => lastCompression,
          ),
        };
      }
      return compression.value;
    },
    storageMemory: async () => {
      const storage = m().storage;
      return storage?.memoryStats ? (lastMemory = await storage.memoryStats().catch(() => lastMemory)) : undefined;
    },
    storageFilesystem: async () => {
      if (m().backends !== 'embedded' || !m().storage) return undefined;
      const fs = await statfs(m().cfg.dataDir).catch(() => undefined);
      return fs && { freeBytes: fs.bavail * fs.bsize, sizeBytes: fs.blocks * fs.bsize };
    },
    dependencies: async () => {
      const deps = m().ctx.dependencies;
      if (deps) await deps();
      return dependencyState;
    },
    alertsFiring: () => m().alerting?.firingCount() ?? 0,
    rulerLeaseHeld: () => m().rulerLease?.held() ?? false,
  });
}
