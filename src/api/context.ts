/** What the HTTP routes share: the modules a role started, and its config. */
import type { Config } from '../config/load.js';
import type { Storage } from '../storage/storage.js';
import type { Queue } from '../queue/queue.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { IngestLimits } from '../ingest/common/limits.js';
import type { Semaphore } from '../query/semaphore.js';
import type { AttachedCache } from '../query/cache/index.js';
import type { TailHub } from '../query/tail/index.js';
import type { AuthService } from '../auth/auth-service.js';

export interface AppContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Present in roles that serve queries. */
  storage?: Storage;
  /** Present in roles that accept pushes. */
  queue?: Queue;
  limits: IngestLimits;
  querySlots: Semaphore;
  /** Set once every module the role needs is ready. */
  ready: () => boolean;
  /**
   * The role's external dependencies (Redis, PostgreSQL), checked on readiness: resolves to
   * undefined when all answer, or to the reason one does not. Absent in the embedded mode.
   */
  dependencies?: () => Promise<string | undefined>;
  /** The Redis results cache of metric query_range answers (cluster mode only). */
  queryCache?: AttachedCache;
  /** Live-tail fan-out of committed entries (roles that serve queries). */
  tailHub?: TailHub;
  /**
   * Authentication (src/auth); absent when `auth.enabled` is false, and then every request is
   * the anonymous principal with every scope and tenant (the open behaviour).
   */
  auth?: AuthService;
  version: string;
}
