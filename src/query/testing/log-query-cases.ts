/**
 * LogQL log queries over the storage conformance data set (src/storage/conformance-data.ts) with
 * their known answers. Output label sets follow LogSentinel's documented rule: the detected level
 * appears as label `level` (like structured metadata) and as `detected_level` (Loki 3's structured
 * metadata, docs/ingest.md), parsed labels are added, and structured metadata is part of the label
 * set (Loki's legacy, non-categorized response).
 */
import { LINES } from '../../storage/conformance-data.js';

export interface LogQueryCase {
  query: string;
  tenants?: string[];
  limit?: number;
  direction?: 'backward' | 'forward';
  /** Streams sorted by their printed label set; lines in result order. */
  want: Array<{ labels: string; lines: string[] }>;
}

const DB = 'app="db", env="prod"';

export const logQueryCases: LogQueryCase[] = [
  {
    query: '{app="web"}',
    want: [
      { labels: '{app="web", detected_level="debug", env="dev", level="debug", trace_id="abc"}', lines: [LINES.devCache] },
      { labels: '{app="web", detected_level="error", env="prod", level="error"}', lines: [LINES.webPost] },
      { labels: '{app="web", detected_level="info", env="prod", level="info"}', lines: [LINES.webAccess, LINES.webGet] },
      { labels: '{app="web", detected_level="warn", env="prod", level="warn"}', lines: [LINES.webJson] },
    ],
  },
  { query: '{app="web", env="prod"} |= "GET"', want: [{ labels: '{app="web", detected_level="info", env="prod", level="info"}', lines: [LINES.webAccess, LINES.webGet] }] },
  { query: '{app="web", env="prod"} |= "GET" or "POST"', want: [
    { labels: '{app="web", detected_level="error", env="prod", level="error"}', lines: [LINES.webPost] },
    { labels: '{app="web", detected_level="info", env="prod", level="info"}', lines: [LINES.webAccess, LINES.webGet] },
  ] },
  { query: '{app="web", env="prod"} != "GET" != "POST"', want: [{ labels: '{app="web", detected_level="warn", env="prod", level="warn"}', lines: [LINES.webJson] }] },
  {
    query: '{env="prod"} |~ "dead|slow"',
    want: [
      { labels: '{app="db", detected_level="error", env="prod", level="error"}', lines: [LINES.dbDeadlock] },
      { labels: '{app="web", detected_level="warn", env="prod", level="warn"}', lines: [LINES.webJson] },
    ],
  },
  {
    query: '{app="db"} != "deadlock"',
    want: [
      { labels: '{app="db", detected_level="critical", env="prod", level="critical"}', lines: [LINES.dbFatal] },
      { labels: '{app="db", detected_level="info", env="prod", level="info"}', lines: [LINES.dbCheckpoint] },
    ],
  },
  { query: '{app=~"w.b", env!="dev"} !~ "(?i)get|post|slow"', want: [] },
  { query: '{app="nope"}', want: [] },
  {
    query: '{app="web", env="prod"} |= "status=" | logfmt | status >= 500',
    want: [{ labels: '{app="web", detected_level="error", duration="1.5s", env="prod", level="error", method="POST", path="/login", size="2KB", status="500"}', lines: [LINES.webPost] }],
  },
  {
    query: '{app="web", env="prod"} |= "status=" | logfmt | duration > 1s or size < 1KB',
    want: [
      { labels: '{app="web", detected_level="error", duration="1.5s", env="prod", level="error", method="POST", path="/login", size="2KB", status="500"}', lines: [LINES.webPost] },
      { labels: '{app="web", detected_level="info", duration="12ms", env="prod", level="info", method="GET", path="/", size="512", status="200"}', lines: [LINES.webGet] },
    ],
  },
  {
    query: '{app="web"} | json | __error__="" | latency_ms > 500',
    want: [{ labels: '{app="web", detected_level="warn", env="prod", latency_ms="850", level="warn", msg="slow request", user_id="u1", user_name="ann"}', lines: [LINES.webJson] }],
  },
  {
    query: '{app="web"} |= "latency" | json user="user.name", ms="latency_ms"',
    want: [{ labels: '{app="web", detected_level="warn", env="prod", level="warn", ms="850", user="ann"}', lines: [LINES.webJson] }],
  },
  {
    query: '{app="web", env="prod"} |= "status=" | logfmt | line_format "{{.method}} {{.path}}" | keep app, method',
    want: [
      { labels: '{app="web", method="GET"}', lines: ['GET /'] },
      { labels: '{app="web", method="POST"}', lines: ['POST /login'] },
    ],
  },
  {
    query: '{app="db"} | regexp "^(?P<sev>\\\\w+) (?P<msg>.*)$" | sev="ERROR"',
    want: [{ labels: '{app="db", detected_level="error", env="prod", level="error", msg="deadlock detected on table orders", sev="ERROR"}', lines: [LINES.dbDeadlock] }],
  },
  {
    query: '{app="db"} | pattern "<sev> checkpoint <_>" | sev != ""',
    want: [{ labels: '{app="db", detected_level="info", env="prod", level="info", sev="INFO"}', lines: [LINES.dbCheckpoint] }],
  },
  {
    query: '{level="error"}',
    want: [
      { labels: '{app="db", detected_level="error", env="prod", level="error"}', lines: [LINES.dbDeadlock] },
      { labels: '{app="web", detected_level="error", env="prod", level="error"}', lines: [LINES.webPost] },
    ],
  },
  {
    query: '{env="prod", level=~"error|critical"} |~ "dead|disk"',
    want: [
      { labels: '{app="db", detected_level="critical", env="prod", level="critical"}', lines: [LINES.dbFatal] },
      { labels: '{app="db", detected_level="error", env="prod", level="error"}', lines: [LINES.dbDeadlock] },
    ],
  },
  { query: '{app="web"} | level="warn"', want: [{ labels: '{app="web", detected_level="warn", env="prod", level="warn"}', lines: [LINES.webJson] }] },
  { query: '{app="web"} | trace_id="abc"', want: [{ labels: '{app="web", detected_level="debug", env="dev", level="debug", trace_id="abc"}', lines: [LINES.devCache] }] },
  { query: '{app="db"} | drop level, detected_level', want: [{ labels: `{${DB}}`, lines: [LINES.dbFatal, LINES.dbCheckpoint, LINES.dbDeadlock] }] },
  { query: '{app="db"} |= "disk" | decolorize', want: [{ labels: '{app="db", detected_level="critical", env="prod", level="critical"}', lines: ['FATAL disk full'] }] },
  { query: '{app="db"} |= "deadlock" | label_format component=app', want: [{ labels: '{component="db", detected_level="error", env="prod", level="error"}', lines: [LINES.dbDeadlock] }] },
  { query: '{app="web", env="prod"}', limit: 2, want: [
    { labels: '{app="web", detected_level="info", env="prod", level="info"}', lines: [LINES.webAccess] },
    { labels: '{app="web", detected_level="warn", env="prod", level="warn"}', lines: [LINES.webJson] },
  ] },
  { query: '{app="web", env="prod"}', limit: 2, direction: 'forward', want: [
    { labels: '{app="web", detected_level="error", env="prod", level="error"}', lines: [LINES.webPost] },
    { labels: '{app="web", detected_level="info", env="prod", level="info"}', lines: [LINES.webGet] },
  ] },
  {
    query: '{app="web", env="prod"} |= "other"',
    tenants: ['t1', 't2'],
    want: [{ labels: '{__tenant_id__="t2", app="web", detected_level="info", env="prod", level="info"}', lines: [LINES.t2] }],
  },
  { query: '{app="web", env="prod"} |= "other"', want: [] },
  // A stream's own `level` label is matched as sent; other streams by their detected level.
  { query: '{app="promtail", level="ERROR"}', want: [{ labels: '{app="promtail", detected_level="ERROR", level="ERROR"}', lines: [LINES.ptError] }] },
  { query: '{app="promtail"} | level="info"', want: [{ labels: '{app="promtail", detected_level="info", level="info"}', lines: [LINES.ptInfo] }] },
  {
    query: '{level=~"(?i)error"}',
    limit: 2,
    want: [
      { labels: '{app="db", detected_level="error", env="prod", level="error"}', lines: [LINES.dbDeadlock] },
      { labels: '{app="promtail", detected_level="ERROR", level="ERROR"}', lines: [LINES.ptError] },
    ],
  },
];
