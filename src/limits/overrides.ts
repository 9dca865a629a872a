/**
 * The per-tenant overrides file, in the shape of Loki's runtime config
 * (https://grafana.com/docs/loki/latest/configure/#runtime-configuration-file), so an operator's
 * Loki overrides carry over unchanged:
 *
 *     overrides:
 *       tenant-a:
 *         ingestion_rate_mb: 10
 *         ingestion_burst_size_mb: 20
 *         max_global_streams_per_user: 10000
 *         max_line_size: 512KB
 *         max_query_parallelism: 8
 *
 * Names and units are Loki's: sizes as Loki's flagext.ByteSize reads them (`KB`, `MB` are powers of
 * 1024; `KiB` too; a bare number is bytes), durations as Go writes them (`10m`, `1h30m`). A limit
 * LogSentinel does not have is an error naming it, not silently ignored: a typo must not make a
 * tenant unlimited.
 */
import { parse as parseYaml } from 'yaml';
import { parseBytes } from '../logql/bytes.js';
import { parseDuration } from '../logql/duration.js';
import { isValidTenant } from '../model/tenant.js';

/** One tenant's overrides; absent fields take the defaults (`limits.*`). */
export interface TenantOverrides {
  ingestionRateMb?: number;
  ingestionBurstSizeMb?: number;
  maxGlobalStreamsPerUser?: number;
  maxQueryParallelism?: number;
  maxLineSize?: number;
  maxLineSizeTruncate?: boolean;
  maxLabelNamesPerSeries?: number;
  maxLabelNameLength?: number;
  maxLabelValueLength?: number;
  creationGracePeriodMs?: number;
  rejectOldSamples?: boolean;
  rejectOldSamplesMaxAgeMs?: number;
  maxStructuredMetadataEntries?: number;
  maxStructuredMetadataSize?: number;
}

type Kind = 'number' | 'int' | 'bool' | 'bytes' | 'duration';

/** Loki's limit names (limits_config) and the field each sets. */
export const LOKI_LIMIT_NAMES: Readonly<Record<string, { field: keyof TenantOverrides; kind: Kind }>> = {
  ingestion_rate_mb: { field: 'ingestionRateMb', kind: 'number' },
  ingestion_burst_size_mb: { field: 'ingestionBurstSizeMb', kind: 'number' },
  max_global_streams_per_user: { field: 'maxGlobalStreamsPerUser', kind: 'int' },
  max_query_parallelism: { field: 'maxQueryParallelism', kind: 'int' },
  max_line_size: { field: 'maxLineSize', kind: 'bytes' },
  max_line_size_truncate: { field: 'maxLineSizeTruncate', kind: 'bool' },
  max_label_names_per_series: { field: 'maxLabelNamesPerSeries', kind: 'int' },
  max_label_name_length: { field: 'maxLabelNameLength', kind: 'int' },
  max_label_value_length: { field: 'maxLabelValueLength', kind: 'int' },
  creation_grace_period: { field: 'creationGracePeriodMs', kind: 'duration' },
  reject_old_samples: { field: 'rejectOldSamples', kind: 'bool' },
  reject_old_samples_max_age: { field: 'rejectOldSamplesMaxAgeMs', kind: 'duration' },
  max_structured_metadata_entries_count: { field: 'maxStructuredMetadataEntries', kind: 'int' },
  max_structured_metadata_size: { field: 'maxStructuredMetadataSize', kind: 'bytes' },
};

const LOKI_BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** A size as Loki's config reads it: `KB`/`MB`/`GB` are powers of 1024; IEC units (`KiB`) as written. */
export function parseLokiBytes(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v);
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(s);
  if (m !== null) {
    const unit = LOKI_BYTE_UNITS[m[2].toLowerCase()];
    if (unit !== undefined) return Math.floor(Number(m[1]) * unit);
  }
  return parseBytes(s);
}

function convert(kind: Kind, v: unknown): number | boolean {
  switch (kind) {
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < 0) throw new Error('expected a number of at least 0');
      return n;
    }
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) throw new Error('expected an integer of at least 0');
      return n;
    }
    case 'bool':
      if (typeof v === 'boolean') return v;
      throw new Error('expected true or false');
    case 'bytes':
      return parseLokiBytes(v);
    case 'duration':
      return Math.round(parseDuration(typeof v === 'number' ? `${v}s` : String(v)));
  }
}

/**
 * Parses the overrides file's text; throws `cannot parse overrides file <file>: ...` naming the
 * tenant and limit at fault. An empty file, or one without `overrides`, means no overrides.
 */
export function parseOverrides(text: string, file: string): Map<string, TenantOverrides> {
  const fail = (why: string): never => {
    throw new Error(`cannot parse overrides file ${file}: ${why}`);
  };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    fail((err as Error).message.split('\n')[0]);
  }
  const out = new Map<string, TenantOverrides>();
  if (doc === null || doc === undefined) return out;
  if (typeof doc !== 'object' || Array.isArray(doc)) fail('expected a mapping with an `overrides` key');
  for (const k of Object.keys(doc as object)) if (k !== 'overrides') fail(`unknown key ${JSON.stringify(k)} (only \`overrides\` is read)`);
  const ov = (doc as { overrides?: unknown }).overrides;
  if (ov === null || ov === undefined) return out;
  if (typeof ov !== 'object' || Array.isArray(ov)) fail('`overrides` must map tenant ids to limits');
  for (const [tenant, limits] of Object.entries(ov as Record<string, unknown>)) {
    if (!isValidTenant(tenant)) fail(`${JSON.stringify(tenant)} is not a valid tenant id`);
    const t: TenantOverrides = {};
    if (limits !== null && limits !== undefined) {
      if (typeof limits !== 'object' || Array.isArray(limits)) fail(`the limits of tenant ${tenant} must be a mapping`);
      for (const [name, v] of Object.entries(limits as Record<string, unknown>)) {
        const spec = LOKI_LIMIT_NAMES[name];
        if (spec === undefined) fail(`tenant ${tenant}: unknown or unsupported limit ${JSON.stringify(name)} (supported: ${Object.keys(LOKI_LIMIT_NAMES).join(', ')})`);
        try {
          (t as Record<string, number | boolean>)[spec.field] = convert(spec.kind, v);
        } catch (err) {
          fail(`tenant ${tenant}: ${name}: ${(err as Error).message} (got ${JSON.stringify(v)})`);
        }
      }
    }
    out.set(tenant, t);
  }
  return out;
}
