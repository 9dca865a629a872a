/** What the HTTP routes share: the modules a role started, and its config. */
import type { Config } from '../config/load.js';
import type { Storage } from '../storage/storage.js';
import type { Queue } from '../queue/queue.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { IngestLimits } from '../ingest/common/limits.js';
import type { Semaphore } from '../query/semaphore.js';
import type { MemoryPool } from '../query/budget.js';
import type { CpuScheduler } from '../query/cpu-scheduler.js';
import type { DecodePool } from '../ingest/offload/decode-pool.js';
import type { AttachedCache } from '../query/cache/index.js';
import type { TailHub } from '../query/tail/index.js';
import type { Readiness } from '../health/readiness.js';
import type { BackupJobs } from '../backup/index.js';
import type { AuthService } from '../auth/auth-service.js';
import type { TenantLimiter } from '../limits/index.js';
import type { PatternMiner } from '../patterns/index.js';
import type { SavedQueryStore } from '../saved-queries/saved-query-store.js';

export interface AppContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Present in roles that serve queries. */
  storage?: Storage;
  /** Present in roles that accept pushes. */
  queue?: Queue;
  /** The default ingest limits (`limits.*`); per tenant, `tenantLimits` applies the overrides. */
  limits: IngestLimits;
  /** Per-tenant limits: ingestion rate, active streams, overrides, query parallelism (src/limits). */
  tenantLimits?: TenantLimiter;
  querySlots: Semaphore;
  /** Memory all queries may hold together (query.maxTotalMemory); absent = unbounded. */
  queryMemory?: MemoryPool;
  /** Main-thread slices shared by queries (query.cpuSlice); absent = queries never yield. */
  queryScheduler?: CpuScheduler;
  /** Set once every module the role needs is ready. */
  ready: () => boolean;
  /**
   * The role's external dependencies (Redis, PostgreSQL), checked on readiness: resolves to
   * undefined when all answer, or to the reason one does not. Absent in the embedded mode.
   */
  dependencies?: () => Promise<string | undefined>;
  /**
   * Readiness with the modules' conditions (src/health/readiness.ts); set by `start`. Contexts
   * without it (tests) are ready when `ready()` and every dependency answers.
   */
  readiness?: Readiness;
  /** Online backups of the embedded store (admin API); absent in roles without it. */
  backups?: BackupJobs;
  /** The Redis results cache of metric query_range answers (cluster mode only). */
  queryCache?: AttachedCache;
  /** Decodes large push bodies on worker threads (roles that ingest; set by buildServer). */
  decodePool?: DecodePool;
  /** Live-tail fan-out of committed entries (roles that serve queries). */
  tailHub?: TailHub;
  /**
   * Authentication (src/auth); absent when `auth.enabled` is false, and then every request is
   * the anonymous principal with every scope and tenant (the open behaviour).
   */
  auth?: AuthService;
  /** The log pattern miner (src/patterns): embedded mode with `patterns.enabled` only. */
  patterns?: PatternMiner;
  /** Saved queries (src/saved-queries), in roles that serve queries, once their store opened. */
  savedQueries?: SavedQueryStore;
  version: string;
}
