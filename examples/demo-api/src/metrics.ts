/**
 * The demo's Prometheus metrics. The names and labels are the contract of the Compose stack's
 * dashboards and alert rules, so they are exactly these four and nothing else (no default Node
 * metrics). Each app gets its own registry so tests can run several apps in one process.
 *
 * The counter names deliberately lack `_total`: prom-client writes a Counter's name unchanged in
 * the Prometheus text format (it appends `_total` only for OpenMetrics, which /metrics does not
 * serve), and `promtool check metrics` reports that as a naming lint, not as an error.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_REQUEST_COUNT = 'app_request_count';
export const METRIC_REQUEST_LATENCY = 'app_request_latency_seconds';
export const METRIC_ERROR_COUNT = 'app_error_count';
export const METRIC_ACTIVE_REQUESTS = 'app_active_requests';

/** Upper bounds of the latency histogram, in seconds (`+Inf` is implicit). */
export const LATENCY_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.5, 1, 2, 5];

export interface AppMetrics {
  registry: Registry;
  requests: Counter<'endpoint' | 'method' | 'http_status'>;
  latency: Histogram<'endpoint' | 'method'>;
  errors: Counter<'error_type' | 'endpoint'>;
  active: Gauge;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: METRIC_REQUEST_COUNT,
      help: 'HTTP requests answered, by route pattern, method and status code.',
      labelNames: ['endpoint', 'method', 'http_status'] as const,
      registers,
    }),
    latency: new Histogram({
      name: METRIC_REQUEST_LATENCY,
      help: 'Time from receiving a request to finishing its response, in seconds.',
      labelNames: ['endpoint', 'method'] as const,
      buckets: [...LATENCY_BUCKETS],
      registers,
    }),
    errors: new Counter({
      name: METRIC_ERROR_COUNT,
      help: 'Requests that ended in an error, by error type (see errors.ts) and route pattern.',
      labelNames: ['error_type', 'endpoint'] as const,
      registers,
    }),
    active: new Gauge({
      name: METRIC_ACTIVE_REQUESTS,
      help: 'Requests being served right now, a scrape of /metrics included.',
      registers,
    }),
  };
}
