import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { patternsServed, publishedLimits } from './drilldown-limits.js';
import { loadConfig } from '../../config/load.js';
import type { PatternMiner } from '../../patterns/index.js';

describe('drilldown-limits', () => {
  it('pattern_ingester_enabled exactly where a pattern miner runs', () => {
    assert.equal(patternsServed({}), false); // cluster roles, patterns.enabled false
    assert.equal(patternsServed({ patterns: {} as PatternMiner }), true); // serve
  });

  it("publishes Loki's default keys, valued from the config", () => {
    const cfg = loadConfig({ env: { LOGSENTINEL_QUERY_MAX_ENTRIES_LIMIT: '777', LOGSENTINEL_QUERY_TIMEOUT: '90s', LOGSENTINEL_RETENTION_PERIOD: '0' } });
    const l = publishedLimits(cfg);
    assert.deepEqual(Object.keys(l), [
      'discover_log_levels', 'discover_service_name', 'log_level_fields', 'max_entries_limit_per_query', 'max_line_size_truncate', 'max_query_bytes_read',
      'max_query_length', 'max_query_lookback', 'max_query_range', 'max_query_series', 'metric_aggregation_enabled', 'otlp_config',
      'pattern_persistence_enabled', 'query_timeout', 'retention_period', 'retention_stream', 'volume_enabled', 'volume_max_series',
    ]);
    assert.equal(l.max_entries_limit_per_query, 777);
    assert.equal(l.query_timeout, '1m30s');
    assert.equal(l.retention_period, '0s');
    assert.equal(l.max_query_length, '4w2d1h');
    const otlp = l.otlp_config as { resource_attributes: { attributes_config: Array<{ action: string; attributes: string[] }> } };
    assert.equal(otlp.resource_attributes.attributes_config[0].action, 'index_label');
    assert.ok(otlp.resource_attributes.attributes_config[0].attributes.includes('service.name'));
  });
});
