/**
 * "Demo API": the instrumented demo service (examples/demo-api) — its RED metrics from
 * Prometheus and its JSON logs from LogSentinel, which a request id typed into the `request_id`
 * box narrows to one request (empty: every line).
 *
 * Metrics: app_request_count{endpoint,method,http_status} (counter),
 * app_request_latency_seconds{endpoint,method} (histogram, buckets 0.01 … 5),
 * app_error_count{error_type,endpoint} (counter), app_active_requests (gauge).
 * Logs: stream `{service="demo-api"}`, JSON fields request_id, level, msg, error_type, ...
 */
import { DashboardBuilder, DashboardCursorSync, RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { logs, lokiTimeseries, numberPanels, promStat, promTimeseries } from '../panels.js';
import { promLabelValues, textBox } from '../variables.js';

export const UID = 'logsentinel-demo-api';

/** The demo's metric families and their types: the contract these panels are written against. */
export const DEMO_API_METRICS: ReadonlyMap<string, string> = new Map([
  ['app_request_count', 'counter'],
  ['app_request_latency_seconds', 'histogram'],
  ['app_error_count', 'counter'],
  ['app_active_requests', 'gauge'],
]);

/** Upper bounds of app_request_latency_seconds. */
export const DEMO_API_LATENCY_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.5, 1, 2, 5];

const RI = '$__rate_interval';
const E = 'endpoint=~"$endpoint"';
/**
 * The demo's lines, narrowed by the request id box. A line filter (not a label filter after
 * `json`) because `|= ""` keeps every line, so the empty box shows everything, and because it
 * runs inside the store.
 */
const LINES = '{service="demo-api"} |= "$request_id"';

export function demoApiDashboard(): Dashboard {
  const b = new DashboardBuilder('Demo API')
    .uid(UID)
    .description('Request rate, latency, errors and logs of the demo API (examples/demo-api).')
    .tags(['logsentinel', 'demo'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(promLabelValues('endpoint', 'endpoint', 'app_request_count', 'Endpoint'))
    .withVariable(textBox('request_id', 'Request id', 'Show only the log lines that contain this request id; empty shows every line.'))

    .withRow(new RowBuilder('Requests'))
    .withPanel(
      promStat({
        title: 'Request rate',
        description: 'Requests per second over the selected endpoints (app_request_count).',
        queries: [{ expr: `sum(rate(app_request_count{${E}}[${RI}]))` }],
        unit: 'reqps',
      }),
    )
    .withPanel(
      promStat({
        title: '5xx share',
        description: 'Share of requests answered with a 5xx status (app_request_count by http_status).',
        queries: [{ expr: `sum(rate(app_request_count{${E}, http_status=~"5.."}[${RI}])) / sum(rate(app_request_count{${E}}[${RI}]))` }],
        unit: 'percentunit',
        thresholds: [
          [0.01, 'orange'],
          [0.05, 'red'],
        ],
      }),
    )
    .withPanel(
      promStat({
        title: 'p95 latency',
        description: '95th percentile request latency over the selected endpoints (app_request_latency_seconds).',
        queries: [{ expr: `histogram_quantile(0.95, sum by (le) (rate(app_request_latency_seconds_bucket{${E}}[${RI}])))` }],
        unit: 's',
        thresholds: [
          [0.5, 'orange'],
          [1, 'red'],
        ],
      }),
    )
    .withPanel(
      promStat({
        title: 'Active requests',
        description: 'Requests being served right now (app_active_requests).',
        queries: [{ expr: 'sum(app_active_requests)' }],
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Request rate by endpoint and status',
        description: 'Requests per second (app_request_count), by endpoint, method and HTTP status.',
        queries: [{ expr: `sum by (endpoint, method, http_status) (rate(app_request_count{${E}}[${RI}]))`, legend: '{{method}} {{endpoint}} {{http_status}}' }],
        unit: 'reqps',
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Latency p50 / p95 / p99',
        description: 'Request latency quantiles over the selected endpoints (app_request_latency_seconds histogram; buckets 10 ms to 5 s, so quantiles above 5 s read as 5 s).',
        queries: [0.5, 0.95, 0.99].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le) (rate(app_request_latency_seconds_bucket{${E}}[${RI}])))`,
          legend: `p${q * 100}`,
        })),
        unit: 's',
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'p95 latency by endpoint',
        description: '95th percentile latency per endpoint and method (app_request_latency_seconds).',
        queries: [{ expr: `histogram_quantile(0.95, sum by (le, endpoint, method) (rate(app_request_latency_seconds_bucket{${E}}[${RI}])))`, legend: '{{method}} {{endpoint}}' }],
        unit: 's',
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Errors by type',
        description: 'Errors per second (app_error_count), by error type and endpoint.',
        queries: [{ expr: `sum by (error_type, endpoint) (rate(app_error_count{${E}}[${RI}]))`, legend: '{{error_type}} {{endpoint}}' }],
        unit: 'short',
        stacked: true,
      }),
    )
    .withPanel(
      promTimeseries({
        title: 'Active requests',
        description: 'Requests being served (app_active_requests), per instance.',
        queries: [{ expr: 'app_active_requests', legend: '{{instance}}' }],
        unit: 'short',
        width: 24,
      }),
    )

    .withRow(new RowBuilder('Logs'))
    .withPanel(
      lokiTimeseries({
        title: 'Log lines by level',
        description: 'Demo API log lines per interval by level (matching the request id box when it is set).',
        queries: [{ expr: `sum by (level) (count_over_time(${LINES} [$__auto]))`, legend: '{{level}}' }],
        bars: true,
        stacked: true,
      }),
    )
    .withPanel(
      lokiTimeseries({
        title: 'Logged errors by type',
        description: 'Lines per interval that carry an error_type field, by its value (from the JSON lines).',
        queries: [{ expr: `sum by (error_type) (count_over_time(${LINES} | json | __error__="" | error_type!="" [$__auto]))`, legend: '{{error_type}}' }],
        bars: true,
        stacked: true,
      }),
    )
    .withPanel(
      logs({
        title: 'Demo API logs',
        description: 'The demo\'s JSON lines, newest first; type a request id in the box at the top to follow one request.',
        expr: `${LINES} | json`,
        height: 14,
      }),
    );
  return numberPanels(b.build());
}
