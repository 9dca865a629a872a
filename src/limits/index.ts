/**
 * Per-tenant limits with Loki's names (docs/security-transport.md#per-tenant-limits): the
 * ingestion rate and burst, active streams, line size and the other ingest limits, and query
 * parallelism; defaults from `limits.*`, per-tenant overrides from a runtime file re-read without
 * a restart.
 *
 * Invariants
 * - The ingest path pays one Map lookup per request for the tenant's limits, one per new stream of
 *   a request for the stream limit, and one bucket update per request for the rate; bytes are
 *   counted by the decoder only when the tenant has a rate limit. Nothing is allocated per entry.
 * - Refusals are counted once per request in `logs_rejected_total{reason}` with Loki's reasons.
 * - Limits are per process: in cluster mode each ingest pod enforces them on what it receives
 *   (Loki's "local" strategy), see the docs for why.
 */
import type { Metrics } from '../telemetry/metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { IngestLimits } from '../ingest/common/limits.js';
import type { GrouperOptions } from '../ingest/common/stream-grouper.js';
import { rateLimitedMsg, type DecodeResult, type DiscardReason } from '../ingest/common/validate.js';
import { LogSentinelError } from '../errors.js';
import { LimitsTable, type TenantLimits } from './tenant-limits.js';
import { RateLimiter } from './rate-limiter.js';
import { ActiveStreams } from './active-streams.js';
import { TenantQueryQueue } from './query-queue.js';
import { watchOverridesFile } from './overrides-watch.js';

export { LimitsTable, MIB, applyOverrides, type TenantLimits } from './tenant-limits.js';
export { parseOverrides, LOKI_LIMIT_NAMES, type TenantOverrides } from './overrides.js';

export interface TenantLimiterOptions {
  defaults: TenantLimits;
  /** A stream without entries this long stops counting as active. */
  streamIdleMs: number;
  /** Queries of one tenant waiting for a slot before more are refused. */
  maxOutstandingPerTenant: number;
  metrics: Metrics;
  /** Clocks (tests). */
  nowMs?: () => number;
  monotonicMs?: () => number;
}

export class TenantLimiter {
  readonly table: LimitsTable;
  private readonly rates: RateLimiter;
  private readonly streams: ActiveStreams;
  private readonly queries: TenantQueryQueue;
  private readonly sweeper: NodeJS.Timeout;
  private stopWatch: (() => void) | undefined;

  constructor(private readonly o: TenantLimiterOptions) {
    this.table = new LimitsTable(o.defaults);
    this.rates = new RateLimiter(o.monotonicMs);
    this.streams = new ActiveStreams(o.streamIdleMs, o.nowMs);
    this.queries = new TenantQueryQueue(o.maxOutstandingPerTenant);
    this.sweeper = setInterval(() => {
      this.rates.sweep();
      this.streams.sweep();
    }, 60_000);
    this.sweeper.unref();
  }

  forTenant(tenant: string): TenantLimits {
    return this.table.forTenant(tenant);
  }

  /** What a decoder needs for a push of `tenant`: its ingest limits, stream admission, and byte counting when it has a rate limit. */
  pushOptions(tenant: string): { limits: IngestLimits; grouper: GrouperOptions } {
    const l = this.table.forTenant(tenant);
    const streams = this.streams;
    const max = l.maxGlobalStreams;
    return {
      limits: l.ingest,
      grouper: {
        countBytes: l.ingestionRateBytes > 0,
        admitStream: max > 0 ? (id) => streams.admit(tenant, id, max) : undefined,
      },
    };
  }

  /**
   * Takes a decoded push's accepted bytes from the tenant's rate. Over it, the accepted entries are
   * counted as `rate_limited` and a 429 with Loki's text (and `Retry-After`) is thrown: nothing of
   * the push may then be appended.
   */
  takeRate(tenant: string, protocol: string, res: DecodeResult): void {
    if (res.accepted === 0) return;
    const err = this.rateError(tenant, res.accepted, res.acceptedBytes);
    if (err === undefined) return;
    this.o.metrics.logsRejected.inc({ tenant, protocol, reason: 'rate_limited' }, res.accepted);
    throw err;
  }

  /**
   * Takes `bytes` of `lines` from the tenant's rate: undefined when taken (or the tenant has no
   * rate limit), else the 429 to answer, with Loki's text; `retryAfter` is absent when the push is
   * larger than the burst and can never pass (`oversize`: see RateLimiter.take). Counts nothing
   * (syslog retries instead of dropping).
   */
  rateError(tenant: string, lines: number, bytes: number, oversize = false): LogSentinelError | undefined {
    const l = this.table.forTenant(tenant);
    if (l.ingestionRateBytes <= 0) return undefined;
    const wait = this.rates.take(tenant, bytes, l.ingestionRateBytes, l.ingestionBurstBytes, oversize);
    if (wait === 0) return undefined;
    return new LogSentinelError('RATE_LIMITED', rateLimitedMsg(tenant, l.ingestionRateBytes, lines, bytes), Number.isFinite(wait) ? { retryAfter: Math.min(wait, 60) } : {});
  }

  /** Runs a query of `tenants` within their parallelism (see query-queue.ts). */
  runQuery<T>(tenants: readonly string[], fn: () => Promise<T>): Promise<T> {
    const key = tenants.length === 1 ? tenants[0] : [...tenants].sort().join('|');
    return this.queries.run(key, this.table.queryParallelism(tenants), fn);
  }

  /** Active streams of a tenant (tests, operators). */
  activeStreams(tenant: string): number {
    return this.streams.count(tenant);
  }

  /**
   * Loads the overrides file (a broken file at start is an error) and keeps it current: re-read on
   * change and every `periodMs`; a broken file later is logged and the previous overrides stay.
   */
  watchOverrides(file: string, periodMs: number, logger: Logger): void {
    this.stopWatch = watchOverridesFile(file, periodMs, logger, (m) => this.table.setOverrides(m));
  }

  close(): void {
    clearInterval(this.sweeper);
    this.stopWatch?.();
  }
}

/** Where the route code finds its limits: the tenant limiter when the role has one, else the defaults. */
export interface LimitsHolder {
  limits: IngestLimits;
  metrics: Metrics;
  tenantLimits?: TenantLimiter;
}

/** The ingest limits and decoder options of a push for `tenant`. */
export function pushOptions(h: LimitsHolder, tenant: string): { limits: IngestLimits; grouper: GrouperOptions } {
  return h.tenantLimits ? h.tenantLimits.pushOptions(tenant) : { limits: h.limits, grouper: {} };
}

/**
 * After decoding a push: counts its refusals by reason in `logs_rejected_total`, then takes its
 * bytes from the tenant's rate (throws 429 over it). Call before appending.
 */
export function admitPush(h: LimitsHolder, tenant: string, protocol: string, res: DecodeResult): void {
  countRejections(h.metrics, tenant, protocol, res);
  h.tenantLimits?.takeRate(tenant, protocol, res);
}

/** Counts a decoded push's refusals by reason (once per request). */
export function countRejections(metrics: Metrics, tenant: string, protocol: string, res: DecodeResult): void {
  if (res.rejectedEntries === 0) return;
  let counted = 0;
  if (res.reasons !== undefined) {
    for (const reason in res.reasons) {
      const n = res.reasons[reason as DiscardReason] ?? 0;
      counted += n;
      metrics.logsRejected.inc({ tenant, protocol, reason }, n);
    }
  }
  if (counted < res.rejectedEntries) metrics.logsRejected.inc({ tenant, protocol, reason: 'invalid' }, res.rejectedEntries - counted);
}

/** Whether a push had entries refused for the active stream limit: Loki answers those 429. */
export function streamLimited(res: DecodeResult): boolean {
  return (res.reasons?.stream_limit ?? 0) > 0;
}
