/**
 * "LogSentinel operations": the health of LogSentinel itself from its own `/metrics`
 * (docs/specs/metrics.md): ingest, queue and processors, storage, queries and cache, HTTP,
 * alerting and dependencies, process. Every figure can be narrowed by Prometheus job and instance.
 */
import { DashboardBuilder, DashboardCursorSync, RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { numberPanels, promStat, promTimeseries } from '../panels.js';
import { promLabelValues } from '../variables.js';

export const UID = 'logsentinel-operations';

/** The job/instance matchers every query carries. */
const S = 'job=~"$job", instance=~"$instance"';
const RI = '$__rate_interval';

const quantiles = (bucket: string, by: string[] = []): Array<{ expr: string; legend: string }> =>
  [0.5, 0.9, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${bucket}{${S}}[${RI}])))`,
    legend: `p${q * 100}${by.map((l) => ` {{${l}}}`).join('')}`,
  }));

export function operationsDashboard(): Dashboard {
  const b = new DashboardBuilder('LogSentinel operations')
    .uid(UID)
    .description('Ingest, queue, processors, storage, queries, HTTP and alerting of LogSentinel, from its /metrics.')
    .tags(['logsentinel'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(promLabelValues('job', 'job', 'active_log_processors', 'Job'))
    .withVariable(promLabelValues('instance', 'instance', 'active_log_processors{job=~"$job"}', 'Instance'))

    .withRow(new RowBuilder('Overview'))
    .withPanel(
      promStat({
        title: 'Ingest rate',
        description: 'Log entries accepted by ingest per second, all protocols (logs_received_total).',
        queries: [{ expr: `sum(rate(logs_received_total{${S}}[${RI}]))` }],
        unit: 'short',
      }),
    )
    .withPanel(
      promStat({
        title: 'Rejected share',
        description: 'Rejected entries as a share of all entries pushed (logs_rejected_total over received + rejected).',
        queries: [
          {
            expr: `sum(rate(logs_rejected_total{${S}}[${RI}])) / (sum(rate(logs_received_total{${S}}[${RI}])) + sum(rate(logs_rejected_total{${S}}[${RI}])))`,
          },
        ],
        unit: 'percentunit',
        thresholds: [
          [0.01, 'orange'],
          [0.05, 'red'],
        ],
      }),
    )
    .withPanel(
      promStat({
        title: 'Active processors',
        description: 'Processors consuming the queue (active_log_processors): 1 in a single-node server; Redis consumers with a recent heartbeat in a cluster. 0 means nothing commits what ingest accepts.',
        queries: [{ expr: `max(active_log_processors{${S}})` }],
        thresholds: [[1, 'green']],
        min: 0,
      }),
    )
    .withPanel(
      promStat({
        title: 'Firing alerts',
        description: 'Alerts firing in LogSentinel\'s ruler: rules and critical log entries (alerts_firing).',
        queries: [{ expr: `max(alerts_firing{${S}})` }],
        thresholds: [[1, 'red']],
      }),
    )

    .withRow(new RowBuilder('Ingest'))
    .withPanel(
      promTimeseries({
        title: 'Ingest rate by protocol',
        description: 'Entries accepted per second (logs_received_total), by push protocol.',
        queries: [{ expr: `sum by (protocol) (rate(logs_received_total{${S}}[${RI}]))`, legend: '{{protocol}}' }],
        unit: 'short',
        stacked: true,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Rejections by reason',
        description: 'Entries rejected by ingest validation per second (logs_rejected_total), by reason.',
        queries: [{ expr: `sum by (reason) (rate(logs_rejected_total{${S}}[${RI}]))`, legend: '{{reason}}' }],
        unit: 'short',
        stacked: true,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Processing latency',
        description: 'Seconds from receiving a push to its entries being committed (log_processing_latency_seconds histogram).',
        queries: quantiles('log_processing_latency_seconds_bucket'),
        unit: 's',
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Received vs committed',
        description: 'Entries accepted by ingest (logs_received_total) and committed to storage (logs_processed_total) per second: a growing gap is a backlog.',
        queries: [
          { expr: `sum(rate(logs_received_total{${S}}[${RI}]))`, legend: 'received' },
          { expr: `sum(rate(logs_processed_total{${S}}[${RI}]))`, legend: 'committed' },
        ],
        unit: 'short',
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Bytes received by protocol',
        description: 'Bytes of push request bodies per second (logs_received_bytes_total), as received (compressed where the client compresses).',
        queries: [{ expr: `sum by (protocol) (rate(logs_received_bytes_total{${S}}[${RI}]))`, legend: '{{protocol}}' }],
        unit: 'Bps',
        stacked: true,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Critical log entries',
        description: 'Committed entries at an alerting level per second (critical_log_entries_total), by tenant.',
        queries: [{ expr: `sum by (tenant) (rate(critical_log_entries_total{${S}}[${RI}]))`, legend: '{{tenant}}' }],
        unit: 'short',
      }),
    )

    .withRow(new RowBuilder('Queue and processors'))
    .withPanel(
      promTimeseries({
        title: 'Queue depth',
        description: 'Entries accepted and not yet committed (queue_depth_entries), per instance.',
        queries: [{ expr: `queue_depth_entries{${S}}`, legend: '{{instance}}' }],
        unit: 'short',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Consumer lag and pending',
        description: 'Queue entries (each a batch of lines) not yet delivered to a processor (queue_consumer_lag_entries) and delivered but not acknowledged (queue_pending_entries). Deployment-wide figures read from Redis, so the maximum over instances is shown; 0 in a single-node server.',
        queries: [
          { expr: `max(queue_consumer_lag_entries{${S}})`, legend: 'lag' },
          { expr: `max(queue_pending_entries{${S}})`, legend: 'pending' },
        ],
        unit: 'short',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Active processors and dead letters',
        description: 'Processors consuming the queue (active_log_processors, maximum over instances) and log lines moved to the dead-letter stream per second (queue_dead_letter_lines_total).',
        queries: [
          { expr: `max(active_log_processors{${S}})`, legend: 'processors' },
          { expr: `sum(rate(queue_dead_letter_lines_total{${S}}[${RI}]))`, legend: 'dead-lettered lines/s' },
        ],
        unit: 'short',
        width: 8,
        min: 0,
      }),
    )

    .withRow(new RowBuilder('Storage'))
    .withPanel(
      promTimeseries({
        title: 'Store size',
        description: 'Bytes the store occupies on disk (storage_size_bytes), per instance.',
        queries: [{ expr: `storage_size_bytes{${S}}`, legend: '{{instance}}' }],
        unit: 'bytes',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Free space on the data filesystem',
        description: 'Bytes available on the filesystem of the data directory (storage_free_bytes); embedded store only.',
        queries: [{ expr: `storage_free_bytes{${S}}`, legend: '{{instance}}' }],
        unit: 'bytes',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Free share of the data filesystem',
        description: 'storage_free_bytes / storage_filesystem_size_bytes; the LogSentinelDiskNearlyFull alert fires under 10%.',
        queries: [{ expr: `storage_free_bytes{${S}} / storage_filesystem_size_bytes{${S}}`, legend: '{{instance}}' }],
        unit: 'percentunit',
        width: 8,
        min: 0,
        max: 1,
        thresholds: [
          [0, 'red'],
          [0.1, 'orange'],
          [0.2, 'green'],
        ],
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Commit duration',
        description: 'Seconds one storage commit (a group of pushes) takes (storage_commit_duration_seconds histogram).',
        queries: quantiles('storage_commit_duration_seconds_bucket'),
        unit: 's',
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Retention deletes',
        description: 'Entries deleted by retention per second (retention_deleted_entries_total).',
        queries: [{ expr: `sum(rate(retention_deleted_entries_total{${S}}[${RI}]))`, legend: 'deleted' }],
        unit: 'short',
      }),
    )

    .withRow(new RowBuilder('Queries and cache'))
    .withPanel(
      promTimeseries({
        title: 'LogQL queries by type and status',
        description: 'LogQL queries run per second (logql_queries_total), by type and outcome.',
        queries: [{ expr: `sum by (type, status) (rate(logql_queries_total{${S}}[${RI}]))`, legend: '{{type}} {{status}}' }],
        unit: 'reqps',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'LogQL query latency',
        description: 'LogQL execution time by query type (logql_query_duration_seconds histogram).',
        queries: quantiles('logql_query_duration_seconds_bucket', ['type']),
        unit: 's',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Results cache hit ratio',
        description: 'Share of cacheable metric query_range requests answered from the Redis results cache: cache_hits_total / (cache_hits_total + cache_misses_total). Cluster mode only; empty without cacheable queries.',
        queries: [
          {
            expr: `sum(rate(cache_hits_total{${S}}[${RI}])) / (sum(rate(cache_hits_total{${S}}[${RI}])) + sum(rate(cache_misses_total{${S}}[${RI}])))`,
            legend: 'hit ratio',
          },
        ],
        unit: 'percentunit',
        width: 8,
        min: 0,
        max: 1,
      }),
    )

    .withRow(new RowBuilder('HTTP'))
    .withPanel(
      promTimeseries({
        title: 'Requests by route',
        description: 'HTTP requests answered per second (http_requests_total), by route pattern.',
        queries: [{ expr: `sum by (route) (rate(http_requests_total{${S}}[${RI}]))`, legend: '{{route}}' }],
        unit: 'reqps',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Errors by route and status',
        description: 'HTTP requests answered 4xx or 5xx per second (http_request_errors_total), by route and status.',
        queries: [{ expr: `sum by (route, status) (rate(http_request_errors_total{${S}}[${RI}]))`, legend: '{{route}} {{status}}' }],
        unit: 'reqps',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Latency p99 by route',
        description: '99th percentile HTTP request latency by route (http_request_duration_seconds histogram).',
        queries: [{ expr: `histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{${S}}[${RI}])))`, legend: '{{route}}' }],
        unit: 's',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Requests in flight',
        description: 'HTTP requests being served (http_requests_in_flight), per instance.',
        queries: [{ expr: `http_requests_in_flight{${S}}`, legend: '{{instance}}' }],
        unit: 'short',
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Server error share',
        description: 'Share of requests answered 5xx, over all routes (http_requests_total).',
        queries: [{ expr: `sum(rate(http_requests_total{${S}, status=~"5.."}[${RI}])) / sum(rate(http_requests_total{${S}}[${RI}]))`, legend: '5xx share' }],
        unit: 'percentunit',
        min: 0,
      }),
    )

    .withRow(new RowBuilder('Alerting and dependencies'))
    .withPanel(
      promTimeseries({
        title: 'Ruler evaluations',
        description: 'Rule evaluations and failed evaluations per second (ruler_evaluations_total, ruler_evaluation_failures_total), and whether this ruler holds the cluster lease (ruler_lease_held).',
        queries: [
          { expr: `sum(rate(ruler_evaluations_total{${S}}[${RI}]))`, legend: 'evaluations' },
          { expr: `sum(rate(ruler_evaluation_failures_total{${S}}[${RI}]))`, legend: 'failures' },
          { expr: `sum(ruler_lease_held{${S}})`, legend: 'lease holders' },
        ],
        unit: 'short',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Notifications by notifier',
        description: 'Alerts delivered (alerts_sent_total), failed attempts (notification_errors_total) and alerts given up (notifications_dropped_total) per second, by notifier.',
        queries: [
          { expr: `sum by (notifier) (rate(alerts_sent_total{${S}}[${RI}]))`, legend: 'sent {{notifier}}' },
          { expr: `sum by (notifier) (rate(notification_errors_total{${S}}[${RI}]))`, legend: 'errors {{notifier}}' },
          { expr: `sum by (notifier) (rate(notifications_dropped_total{${S}}[${RI}]))`, legend: 'dropped {{notifier}}' },
        ],
        unit: 'short',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Dependencies and targets up',
        description: 'Result of the last readiness check of Redis and PostgreSQL per instance (dependency_up, cluster roles only), and whether Prometheus could scrape each instance (up).',
        queries: [
          { expr: `dependency_up{${S}}`, legend: '{{dependency}} {{instance}}' },
          { expr: `up{${S}}`, legend: 'scrape {{instance}}' },
        ],
        unit: 'short',
        width: 8,
        min: 0,
        max: 1,
      }),
    )

    .withRow(new RowBuilder('Process'))
    .withPanel(
      promTimeseries({
        title: 'CPU',
        description: 'CPU seconds per second used by each LogSentinel process (process_cpu_seconds_total).',
        queries: [{ expr: `rate(process_cpu_seconds_total{${S}}[${RI}])`, legend: '{{instance}}' }],
        unit: 'percentunit',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Memory',
        description: 'Resident memory (process_resident_memory_bytes) and V8 heap used (nodejs_heap_size_used_bytes) per process.',
        queries: [
          { expr: `process_resident_memory_bytes{${S}}`, legend: 'rss {{instance}}' },
          { expr: `nodejs_heap_size_used_bytes{${S}}`, legend: 'heap {{instance}}' },
        ],
        unit: 'bytes',
        width: 8,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Event loop lag p99',
        description: 'p99 event loop lag of each process (nodejs_eventloop_lag_p99_seconds): how long ready work waits for the single Node.js thread.',
        queries: [{ expr: `nodejs_eventloop_lag_p99_seconds{${S}}`, legend: '{{instance}}' }],
        unit: 's',
        width: 8,
      }),
    );
  return numberPanels(b.build());
}
