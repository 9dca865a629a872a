import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLokiBytes, parseOverrides, type TenantOverrides } from './overrides.js';
import { applyOverrides, LimitsTable, MIB, type TenantLimits } from './tenant-limits.js';
import { DEFAULT_INGEST_LIMITS } from '../ingest/common/limits.js';

const DEFAULTS: TenantLimits = { ingest: DEFAULT_INGEST_LIMITS, ingestionRateBytes: 0, ingestionBurstBytes: 6 * MIB, maxGlobalStreams: 5000, maxQueryParallelism: 32 };

describe('per-tenant overrides file', () => {
  it("reads Loki's runtime-config shape, names and units", () => {
    const f = (yaml: string, want: Record<string, TenantOverrides>): void => assert.deepEqual(Object.fromEntries(parseOverrides(yaml, 'o.yaml')), want);
    f('', {});
    f('overrides:\n', {});
    f('overrides:\n  a: {}\n', { a: {} });
    f(
      [
        'overrides:',
        '  tenant-a:',
        '    ingestion_rate_mb: 0.5',
        '    ingestion_burst_size_mb: 2',
        '    max_global_streams_per_user: 100',
        '    max_line_size: 512KB',
        '    max_line_size_truncate: true',
        '    max_label_names_per_series: 30',
        '    max_label_name_length: 100',
        '    max_label_value_length: 200',
        '    creation_grace_period: 1h',
        '    reject_old_samples: true',
        '    reject_old_samples_max_age: 168h',
        '    max_structured_metadata_entries_count: 10',
        '    max_structured_metadata_size: 1MB',
        '    max_query_parallelism: 4',
        "  'b':",
        '    max_line_size: 1000',
      ].join('\n'),
      {
        'tenant-a': {
          ingestionRateMb: 0.5,
          ingestionBurstSizeMb: 2,
          maxGlobalStreamsPerUser: 100,
          maxLineSize: 512 * 1024,
          maxLineSizeTruncate: true,
          maxLabelNamesPerSeries: 30,
          maxLabelNameLength: 100,
          maxLabelValueLength: 200,
          creationGracePeriodMs: 3_600_000,
          rejectOldSamples: true,
          rejectOldSamplesMaxAgeMs: 168 * 3_600_000,
          maxStructuredMetadataEntries: 10,
          maxStructuredMetadataSize: MIB,
          maxQueryParallelism: 4,
        },
        b: { maxLineSize: 1000 },
      },
    );
  });

  it('reads sizes as Loki does: KB and MB are powers of 1024', () => {
    const f = (v: unknown, want: number): void => assert.equal(parseLokiBytes(v), want);
    f(256, 256);
    f('256KB', 262_144);
    f('256kb', 262_144);
    f('1MB', MIB);
    f('1.5MB', 1.5 * MIB);
    f('2GB', 2 * 1024 ** 3);
    f('64KiB', 65_536);
    f('100B', 100);
    f('7', 7);
  });

  it('refuses what it cannot apply, naming tenant and limit', () => {
    const bad = (yaml: string, re: RegExp): void => assert.throws(() => parseOverrides(yaml, 'o.yaml'), re);
    bad('overrides:\n  a:\n    ingestion_rate: 5\n', /cannot parse overrides file o\.yaml: tenant a: unknown or unsupported limit "ingestion_rate" \(supported: ingestion_rate_mb, /);
    bad('overrides:\n  a:\n    per_stream_rate_limit: 5MB\n', /unsupported limit "per_stream_rate_limit"/);
    bad('overrides:\n  a:\n    ingestion_rate_mb: fast\n', /tenant a: ingestion_rate_mb: expected a number of at least 0 \(got "fast"\)/);
    bad('overrides:\n  a:\n    max_global_streams_per_user: -1\n', /max_global_streams_per_user: expected an integer/);
    bad('overrides:\n  a:\n    max_line_size: huge\n', /max_line_size/);
    bad('overrides:\n  a:\n    creation_grace_period: soon\n', /creation_grace_period/);
    bad('overrides:\n  a:\n    reject_old_samples: yes please\n', /reject_old_samples: expected true or false/);
    bad('overrides:\n  "a|b": {}\n', /"a\|b" is not a valid tenant id/);
    bad('overrides:\n  a: 5\n', /the limits of tenant a must be a mapping/);
    bad('overrides: [1]\n', /`overrides` must map tenant ids to limits/);
    bad('limits:\n  a: {}\n', /unknown key "limits"/);
    bad('overrides: {a: [\n', /cannot parse overrides file o\.yaml/);
  });
});

describe('tenant limits', () => {
  it('applies a tenant override over the defaults and nothing else', () => {
    const f = (o: TenantOverrides, check: (l: TenantLimits) => void): void => check(applyOverrides(DEFAULTS, o));
    f({}, (l) => assert.deepEqual(l, DEFAULTS));
    f({ ingestionRateMb: 2, ingestionBurstSizeMb: 3 }, (l) => {
      assert.equal(l.ingestionRateBytes, 2 * MIB);
      assert.equal(l.ingestionBurstBytes, 3 * MIB);
      assert.equal(l.ingest.maxLineSize, DEFAULT_INGEST_LIMITS.maxLineSize);
    });
    f({ maxLineSize: 10, creationGracePeriodMs: 1000 }, (l) => {
      assert.equal(l.ingest.maxLineSize, 10);
      assert.equal(l.ingest.creationGracePeriodNs, 1_000_000_000n);
      assert.equal(l.ingest.maxDecompressedBodySize, DEFAULT_INGEST_LIMITS.maxDecompressedBodySize);
    });
    // reject_old_samples as Loki reads it, over LogSentinel's "accept any age" default
    f({ rejectOldSamples: true }, (l) => assert.equal(l.ingest.rejectOlderThanNs, 7n * 24n * 3600n * 1_000_000_000n));
    f({ rejectOldSamplesMaxAgeMs: 60_000 }, (l) => assert.equal(l.ingest.rejectOlderThanNs, 60_000_000_000n));
    f({ rejectOldSamples: false, rejectOldSamplesMaxAgeMs: 60_000 }, (l) => assert.equal(l.ingest.rejectOlderThanNs, null));
  });

  it('resolves each tenant once, shares the defaults, and takes the smallest positive parallelism of a tenant set', () => {
    const t = new LimitsTable(DEFAULTS);
    assert.equal(t.forTenant('x'), DEFAULTS);
    t.setOverrides(new Map([['a', { maxQueryParallelism: 4 }], ['b', { maxQueryParallelism: 0 }], ['c', { maxQueryParallelism: 2 }]]));
    assert.equal(t.forTenant('a'), t.forTenant('a'));
    assert.equal(t.forTenant('a').maxQueryParallelism, 4);
    const f = (tenants: string[], want: number): void => assert.equal(t.queryParallelism(tenants), want);
    f(['a'], 4);
    f(['b'], 0);
    f(['a', 'b'], 4);
    f(['a', 'c', 'x'], 2);
    f(['x'], 32);
    t.setOverrides(new Map());
    assert.equal(t.forTenant('a'), DEFAULTS);
  });
});
