/**
 * The query results cache of the cluster mode (see docs/cluster.md, "Query cache"):
 * key.ts decides what may be cached and under which key, query-cache.ts talks to Redis.
 * `modules.ts` creates one cache per process and sets it as `AppContext.queryCache`; the
 * `query_range` route runs uncached when there is none.
 */
import type { QueryCache } from './query-cache.js';

export { QueryCache, type QueryCacheOptions, type QueryCacheCounters } from './query-cache.js';
export { cacheKey, tenantSet, uncacheableReason, type RangeRequest } from './key.js';

export interface AttachedCache {
  cache: QueryCache;
  /** `queue.redis.prefix`: keys are `<prefix>:qcache:...`. */
  prefix: string;
  maxFreshnessNs: bigint;
}
