/**
 * Which `query_range` requests the results cache may answer, and under which Redis key.
 *
 * A result is cached only when it can no longer change: `start` and `end` are multiples of
 * `step` (the evaluation timestamps are then the same for every client that asks for this
 * window, as Grafana's aligned steps are), and `end` is older than now minus `maxFreshness`
 * (Loki's max_cache_freshness_per_query) — recent data may still be arriving.
 *
 * Key: `<prefix>:qcache:v1:<tenants>:<sha256>`; `<tenants>` is the sorted, de-duplicated tenant
 * set joined by `|` (Loki's multi-tenant syntax), so one tenant's entries can be found with SCAN
 * and no read can be answered from another tenant set's entry; the hash covers the tenant set,
 * the query normalised by `formatExpr` (spacing and equivalent spellings give one key), step,
 * start and end. `v1` changes when the cached body's format does.
 */
import { createHash } from 'node:crypto';
import { formatExpr, type MetricExpr } from '../../logql/index.js';

export const CACHE_KEY_VERSION = 'v1';

export interface RangeRequest {
  tenants: readonly string[];
  expr: MetricExpr;
  /** Nanoseconds since the epoch. */
  start: bigint;
  end: bigint;
  step: bigint;
}

/** Why a range must not be cached, or undefined when it may. All times in nanoseconds. */
export function uncacheableReason(start: bigint, end: bigint, step: bigint, nowNs: bigint, maxFreshnessNs: bigint): string | undefined {
  if (step <= 0n) return 'step is not positive';
  if (end < start) return 'end is before start';
  if (start % step !== 0n) return 'start is not a multiple of step';
  if (end % step !== 0n) return 'end is not a multiple of step';
  if (end > nowNs - maxFreshnessNs) return 'end is within maxFreshness of now';
  return undefined;
}

/** The tenant set as it appears in keys: sorted, without duplicates, joined by `|`. */
export function tenantSet(tenants: readonly string[]): string {
  return [...new Set(tenants)].sort().join('|');
}

export function cacheKey(prefix: string, r: RangeRequest): string {
  const tenants = tenantSet(r.tenants);
  const h = createHash('sha256');
  // NUL separates the parts: it cannot occur in a tenant id, formatted query or decimal number.
  h.update([tenants, formatExpr(r.expr), r.step.toString(), r.start.toString(), r.end.toString()].join('\x00'));
  return `${prefix}:qcache:${CACHE_KEY_VERSION}:${tenants}:${h.digest('hex')}`;
}
