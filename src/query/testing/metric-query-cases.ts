/**
 * LogQL metric queries over the storage conformance data set (src/storage/conformance-data.ts) with their known
 * answers, computed by hand with Loki's semantics: windows `(t - range, t]`, steps
 * `start, start+step, … ≤ end`, the detected level as a series label unless the stream has its
 * own `level` label, `detected_level` always (Loki 3), structured metadata in the series labels,
 * `unwrap` dropping its label.
 * Times are seconds after BASE_TS.
 */
import { LINES } from '../../storage/conformance-data.js';

export interface MetricQueryCase {
  query: string;
  tenants?: string[];
  /** Seconds after BASE_TS; an instant query when start = end. */
  start: number;
  end: number;
  step?: number;
  /** Series sorted by printed labels, points as [seconds after BASE_TS, value]. */
  want: Array<{ labels: string; points: Array<[number, number]> }>;
}

const b = (s: string): number => Buffer.byteLength(s);
const one = (labels: string, v: number, t = 10): { labels: string; points: Array<[number, number]> } => ({ labels, points: [[t, v]] });

export const metricQueryCases: MetricQueryCase[] = [
  {
    query: 'count_over_time({app="web"}[10s])',
    start: 10,
    end: 10,
    want: [one('{app="web", detected_level="debug", env="dev", level="debug", trace_id="abc"}', 1), one('{app="web", detected_level="error", env="prod", level="error"}', 1), one('{app="web", detected_level="info", env="prod", level="info"}', 2), one('{app="web", detected_level="warn", env="prod", level="warn"}', 1)],
  },
  {
    query: 'sum by (level) (count_over_time({env="prod"}[10s]))',
    start: 10,
    end: 10,
    want: [one('{level="critical"}', 1), one('{level="error"}', 2), one('{level="info"}', 3), one('{level="warn"}', 1)],
  },
  // Windows are left-open, right-closed: (2,4] (4,6] (6,8] (8,10].
  {
    query: 'count_over_time({app="db"}[2s])',
    start: 4,
    end: 10,
    step: 2,
    want: [
      { labels: '{app="db", detected_level="critical", env="prod", level="critical"}', points: [[8, 1]] },
      { labels: '{app="db", detected_level="error", env="prod", level="error"}', points: [[6, 1]] },
      { labels: '{app="db", detected_level="info", env="prod", level="info"}', points: [[6, 1]] },
    ],
  },
  { query: 'sum(count_over_time({app="web", env="prod"}[2s]))', start: 1, end: 5, step: 2, want: [{ labels: '{}', points: [[1, 1], [3, 2], [5, 1]] }] },
  // step and range differ: the bucket grid is gcd(2s, 3s) = 1s.
  { query: 'sum(count_over_time({app="web", env="prod"}[3s]))', start: 2, end: 4, step: 2, want: [{ labels: '{}', points: [[2, 2], [4, 3]] }] },
  { query: 'sum(count_over_time({app="web", env="prod"}[2s] offset 2s))', start: 5, end: 5, want: [one('{}', 2, 5)] },
  { query: 'sum(rate({env="prod"}[10s]))', start: 10, end: 10, want: [one('{}', 0.7)] },
  {
    query: 'sum by (app) (bytes_over_time({app="db"}[10s]))',
    start: 10,
    end: 10,
    want: [one('{app="db"}', b(LINES.dbDeadlock) + b(LINES.dbCheckpoint) + b(LINES.dbFatal))],
  },
  {
    query: 'bytes_rate({app="web", env="dev"}[10s])',
    start: 10,
    end: 10,
    want: [one('{app="web", detected_level="debug", env="dev", level="debug", trace_id="abc"}', b(LINES.devCache) / 10)],
  },
  { query: 'absent_over_time({app="nope", env="prod"}[5s])', start: 10, end: 10, want: [one('{app="nope", env="prod"}', 1)] },
  { query: 'absent_over_time({app="db"}[2s])', start: 4, end: 10, step: 2, want: [{ labels: '{app="db"}', points: [[4, 1], [10, 1]] }] },
  // Streams with their own `level` label keep it as sent.
  { query: 'sum by (level) (count_over_time({app="promtail"}[10s]))', start: 10, end: 10, want: [one('{level="ERROR"}', 1), one('{level="info"}', 1)] },
  { query: 'sum(count_over_time({app="web"} |= "GET" [10s]))', start: 10, end: 10, want: [one('{}', 2)] },
  { query: 'count_over_time({app="db", level="error"}[10s])', start: 10, end: 10, want: [one('{app="db", detected_level="error", env="prod", level="error"}', 1)] },
  {
    query: 'sum by (__tenant_id__) (count_over_time({app="web", env="prod"}[10s]))',
    tenants: ['t1', 't2'],
    start: 10,
    end: 10,
    want: [one('{__tenant_id__="t1"}', 4), one('{__tenant_id__="t2"}', 1)],
  },
  // Counting over rows that need the pipeline (bytes of the formatted line).
  { query: 'sum(bytes_over_time({app="web", env="prod"} | line_format "x{{.app}}" [2s]))', start: 1, end: 5, step: 2, want: [{ labels: '{}', points: [[1, 4], [3, 8], [5, 4]] }] },
  {
    query: 'sum by (method) (count_over_time({app="web", env="prod"} |= "status=" | logfmt [10s]))',
    start: 10,
    end: 10,
    want: [one('{method="GET"}', 1), one('{method="POST"}', 1)],
  },
  // unwrap: lines without the label give no sample; the unwrapped label leaves the series.
  {
    query: 'sum_over_time({app="web", env="prod"} | json | unwrap latency_ms [10s])',
    start: 10,
    end: 10,
    want: [one('{app="web", detected_level="warn", env="prod", level="warn", msg="slow request", user_id="u1", user_name="ann"}', 850)],
  },
  { query: 'max_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap duration(duration) [10s]) by (app)', start: 10, end: 10, want: [one('{app="web"}', 1.5)] },
  { query: 'avg_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap duration_seconds(duration) [10s]) by (app)', start: 10, end: 10, want: [one('{app="web"}', 0.756)] },
  {
    // Loki 3 refuses `by` on sum_over_time itself: the grouping goes on an outer sum.
    query: 'sum by (method) (sum_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap bytes(size) [10s]))',
    start: 10,
    end: 10,
    want: [one('{method="GET"}', 512), one('{method="POST"}', 2000)],
  },
  { query: 'quantile_over_time(0.5, {app="web", env="prod"} |= "status=" | logfmt | unwrap status [10s]) by (app)', start: 10, end: 10, want: [one('{app="web"}', 350)] },
  { query: 'first_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap status [10s]) by (app)', start: 10, end: 10, want: [one('{app="web"}', 200)] },
  { query: 'last_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap status [10s]) by (app)', start: 10, end: 10, want: [one('{app="web"}', 500)] },
  { query: 'stddev_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap status [10s]) by (app)', start: 10, end: 10, want: [one('{app="web"}', 150)] },
  { query: 'stdvar_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap status [10s]) without (level, detected_level, duration, size, path, method, env)', start: 10, end: 10, want: [one('{app="web"}', 22500)] },
  { query: 'min_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap status [10s]) by (app)', start: 10, end: 10, want: [one('{app="web"}', 200)] },
  { query: 'sum_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap method | __error__="" [10s])', start: 10, end: 10, want: [] },
  // Vector aggregations and binary operators.
  { query: 'topk(1, sum by (app) (count_over_time({env="prod"}[10s])))', start: 10, end: 10, want: [one('{app="web"}', 4)] },
  { query: 'bottomk(1, sum by (app) (count_over_time({env="prod"}[10s])))', start: 10, end: 10, want: [one('{app="db"}', 3)] },
  { query: 'count(count_over_time({env="prod"}[10s]))', start: 10, end: 10, want: [one('{}', 6)] },
  { query: 'max by (app) (count_over_time({env="prod"}[10s]))', start: 10, end: 10, want: [one('{app="db"}', 1), one('{app="web"}', 2)] },
  { query: 'sum(count_over_time({app="db"}[10s])) / sum(count_over_time({env="prod"}[10s]))', start: 10, end: 10, want: [one('{}', 3 / 7)] },
  { query: 'sum by (app) (count_over_time({env="prod"}[10s])) > 3', start: 10, end: 10, want: [one('{app="web"}', 4)] },
  { query: 'sum by (app) (count_over_time({env="prod"}[10s])) > bool 3', start: 10, end: 10, want: [one('{app="db"}', 0), one('{app="web"}', 1)] },
  {
    query: 'sum by (app, env) (count_over_time({app="web"}[10s])) / on (app) group_left sum by (app) (count_over_time({app="web"}[10s]))',
    start: 10,
    end: 10,
    want: [one('{app="web", env="dev"}', 0.2), one('{app="web", env="prod"}', 0.8)],
  },
  { query: 'sum by (app) (count_over_time({env="prod"}[10s])) and sum by (app) (count_over_time({app="db"}[10s]))', start: 10, end: 10, want: [one('{app="db"}', 3)] },
  { query: 'sum by (app) (count_over_time({env="prod"}[10s])) unless sum by (app) (count_over_time({app="db"}[10s]))', start: 10, end: 10, want: [one('{app="web"}', 4)] },
  {
    query: 'sum by (app) (count_over_time({env="prod"}[10s])) or sum by (app) (count_over_time({app="promtail"}[10s]))',
    start: 10,
    end: 10,
    want: [one('{app="db"}', 3), one('{app="promtail"}', 2), one('{app="web"}', 4)],
  },
  {
    query: 'label_replace(sum by (app) (count_over_time({env="prod"}[10s])), "svc", "s-$1", "app", "(d.)")',
    start: 10,
    end: 10,
    want: [one('{app="db", svc="s-db"}', 3), one('{app="web"}', 4)],
  },
  { query: 'vector(1) + vector(1)', start: 10, end: 10, want: [one('{}', 2)] },
  { query: '2 * 3', start: 8, end: 10, step: 2, want: [{ labels: '{}', points: [[8, 6], [10, 6]] }] },
  { query: 'sum(count_over_time({app="web", env="prod"}[10s])) * 2 - 1', start: 10, end: 10, want: [one('{}', 7)] },
];
