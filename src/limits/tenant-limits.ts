/**
 * Every tenant's effective limits: the defaults (`limits.*`) with the tenant's overrides
 * (overrides.ts) applied. Resolved once per tenant and cached until the overrides change, so the
 * ingest path does one Map lookup per request; tenants without overrides share the defaults object.
 */
import type { IngestLimits } from '../ingest/common/limits.js';
import type { TenantOverrides } from './overrides.js';

/** Loki's MB in `ingestion_rate_mb` is a mebibyte. */
export const MIB = 1024 * 1024;

/** `reject_old_samples: true` without a max age takes Loki's default `reject_old_samples_max_age`. */
const LOKI_REJECT_OLD_SAMPLES_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export interface TenantLimits {
  readonly ingest: IngestLimits;
  /** Bytes per second of lines and structured metadata; 0 = no rate limit. */
  readonly ingestionRateBytes: number;
  /** Largest burst in bytes. */
  readonly ingestionBurstBytes: number;
  /** Active streams; 0 = no limit. */
  readonly maxGlobalStreams: number;
  /** Queries executing at once; 0 = querying disabled (Loki's meaning). */
  readonly maxQueryParallelism: number;
}

/** The defaults with one tenant's overrides applied. */
export function applyOverrides(d: TenantLimits, o: TenantOverrides): TenantLimits {
  const i = d.ingest;
  let rejectOlderThanNs = i.rejectOlderThanNs;
  if (o.rejectOldSamples === false) rejectOlderThanNs = null;
  else if (o.rejectOldSamplesMaxAgeMs !== undefined) rejectOlderThanNs = o.rejectOldSamplesMaxAgeMs > 0 ? BigInt(o.rejectOldSamplesMaxAgeMs) * 1_000_000n : null;
  else if (o.rejectOldSamples === true && rejectOlderThanNs === null) rejectOlderThanNs = BigInt(LOKI_REJECT_OLD_SAMPLES_MAX_AGE_MS) * 1_000_000n;
  return {
    ingest: {
      ...i,
      maxLineSize: o.maxLineSize ?? i.maxLineSize,
      maxLineSizeTruncate: o.maxLineSizeTruncate ?? i.maxLineSizeTruncate,
      maxLabelNamesPerSeries: o.maxLabelNamesPerSeries ?? i.maxLabelNamesPerSeries,
      maxLabelNameLength: o.maxLabelNameLength ?? i.maxLabelNameLength,
      maxLabelValueLength: o.maxLabelValueLength ?? i.maxLabelValueLength,
      creationGracePeriodNs: o.creationGracePeriodMs !== undefined ? BigInt(o.creationGracePeriodMs) * 1_000_000n : i.creationGracePeriodNs,
      rejectOlderThanNs,
      maxStructuredMetadataEntries: o.maxStructuredMetadataEntries ?? i.maxStructuredMetadataEntries,
      maxStructuredMetadataSize: o.maxStructuredMetadataSize ?? i.maxStructuredMetadataSize,
    },
    ingestionRateBytes: o.ingestionRateMb !== undefined ? o.ingestionRateMb * MIB : d.ingestionRateBytes,
    ingestionBurstBytes: o.ingestionBurstSizeMb !== undefined ? o.ingestionBurstSizeMb * MIB : d.ingestionBurstBytes,
    maxGlobalStreams: o.maxGlobalStreamsPerUser ?? d.maxGlobalStreams,
    maxQueryParallelism: o.maxQueryParallelism ?? d.maxQueryParallelism,
  };
}

export class LimitsTable {
  private overrides: ReadonlyMap<string, TenantOverrides> = new Map();
  private readonly resolved = new Map<string, TenantLimits>();

  constructor(readonly defaults: TenantLimits) {}

  /** Replaces every tenant's overrides (a reload of the overrides file). */
  setOverrides(overrides: ReadonlyMap<string, TenantOverrides>): void {
    this.overrides = overrides;
    this.resolved.clear();
  }

  get overriddenTenants(): number {
    return this.overrides.size;
  }

  forTenant(tenant: string): TenantLimits {
    const o = this.overrides.get(tenant);
    if (o === undefined) return this.defaults;
    let r = this.resolved.get(tenant);
    if (r === undefined) {
      r = applyOverrides(this.defaults, o);
      this.resolved.set(tenant, r);
    }
    return r;
  }

  /**
   * The parallelism of a read over several tenants (`a|b`): the smallest positive limit among
   * them, 0 only when every one of them has querying disabled (Loki's SmallestPositiveIntPerTenant).
   */
  queryParallelism(tenants: readonly string[]): number {
    let min = 0;
    for (const t of tenants) {
      const p = this.forTenant(t).maxQueryParallelism;
      if (p > 0 && (min === 0 || p < min)) min = p;
    }
    return min;
  }
}
