/**
 * `GET /loki/api/v1/drilldown-limits`: what the Logs Drilldown app reads on every page to decide
 * which features to show, in Loki's shape (pkg/loki `DrilldownConfigResponse`):
 * `{"limits": {...}, "pattern_ingester_enabled": bool, "version": "..."}`. `limits` holds the
 * keys Loki publishes by default (`tenant_limits_allow_publish`), with LogSentinel's values:
 * the limits it enforces come from its config, the features it lacks say so
 * (`metric_aggregation_enabled: false`, `pattern_persistence_enabled: false`), and
 * `discover_service_name` is empty because LogSentinel does not derive a `service_name` label.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import type { Config } from '../../config/load.js';
import { formatDuration } from '../../logql/duration.js';
import { LEVEL_KEYS } from '../../ingest/common/level.js';
import { parseResourceLabels } from '../../ingest/otlp/mapping.js';

/**
 * `pattern_ingester_enabled`: whether `/loki/api/v1/patterns` answers from this process — the
 * pattern miner (src/patterns) exists only in the embedded mode with `patterns.enabled`, and
 * learns in memory, so cluster roles have none.
 */
export function patternsServed(ctx: Pick<AppContext, 'patterns'>): boolean {
  return ctx.patterns !== undefined;
}

/** Loki's published limits (its default allowlist), valued from LogSentinel's config. */
export function publishedLimits(cfg: Config): Record<string, unknown> {
  return {
    discover_log_levels: true,
    discover_service_name: [],
    log_level_fields: [...LEVEL_KEYS],
    max_entries_limit_per_query: cfg.query.maxEntriesLimit,
    max_line_size_truncate: cfg.limits.maxLineSizeTruncate,
    max_query_bytes_read: '0B',
    max_query_length: formatDuration(cfg.query.maxQueryLengthMs),
    max_query_lookback: '0s',
    max_query_range: '0s',
    // 0: no limit (LogSentinel does not cap the series of a metric query).
    max_query_series: 0,
    metric_aggregation_enabled: false,
    otlp_config: {
      resource_attributes: {
        ignore_defaults: true,
        attributes_config: [{ action: 'index_label', attributes: [...parseResourceLabels(cfg.ingest.otlp.resourceLabels).keys()] }],
      },
      scope_attributes: [],
      log_attributes: [],
    },
    pattern_persistence_enabled: false,
    query_timeout: formatDuration(cfg.query.timeoutMs),
    retention_period: formatDuration(cfg.retention.periodMs),
    retention_stream: [],
    volume_enabled: true,
    // Loki's default; LogSentinel's volume endpoints accept any `limit`.
    volume_max_series: 1000,
  };
}

export async function drilldownLimitsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/loki/api/v1/drilldown-limits', async () => ({
    limits: publishedLimits(ctx.config),
    pattern_ingester_enabled: patternsServed(ctx),
    version: ctx.version || 'unknown',
  }));
}
