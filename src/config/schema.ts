/**
 * Every configuration option, with its type, default, environment variable and documentation.
 * This table is the single source for `load.ts`, `--help` and docs/configuration.md.
 * Environment variables are `LOGSENTINEL_` + the path in upper snake case
 * (`limits.maxLineSize` → `LOGSENTINEL_LIMITS_MAX_LINE_SIZE`).
 */
export type OptionType = 'string' | 'int' | 'number' | 'bool' | 'duration' | 'bytes' | 'list';

export interface OptionSpec {
  path: string;
  type: OptionType;
  default: string | number | boolean | string[];
  doc: string;
  /** Also settable by this command-line flag of `serve`. */
  flag?: string;
  /**
   * The value is (or holds) a secret: never printed (src/config/redact.ts registers it, so logs and
   * errors are scrubbed of it), and documented as settable from a file (`<ENV>_FILE`).
   */
  secret?: boolean;
}

export const OPTIONS: OptionSpec[] = [
  { path: 'server.host', type: 'string', default: '0.0.0.0', doc: 'Address the HTTP server listens on.', flag: '--host' },
  { path: 'server.port', type: 'int', default: 3100, doc: "HTTP port (Loki's default, so clients only change the host).", flag: '--port' },
  { path: 'server.maxRequestBytes', type: 'bytes', default: '64MiB', doc: 'Largest accepted request body (after decompression for gzip); larger answers 413.' },
  { path: 'server.maxBodyMemory', type: 'bytes', default: '256MiB', doc: 'Memory all push bodies being read and decoded at once may hold (after gzip/deflate); a body that would pass it is refused with 429 and Retry-After. Bounds what parallel large bodies or compression bombs add to the resident size.' },
  { path: 'server.shutdownTimeout', type: 'duration', default: '25s', doc: 'On SIGTERM or SIGINT LogSentinel stops accepting requests, lets requests in flight finish, commits what was acknowledged and closes the store; if that takes longer than this it exits with status 1 (acknowledged entries are durable either way). Keep the container stop timeout (`docker stop -t`, Compose `stop_grace_period`, Kubernetes `terminationGracePeriodSeconds`) above it.' },
  { path: 'server.maxConnections', type: 'int', default: 0, doc: 'Open HTTP connections at most (0 = auto: the open-file limit `ulimit -n` minus 1024 kept for the store and outgoing connections, at most 65536). A connection beyond first closes the oldest connection that is idle or still sending its headers; only when all are busy with requests is it refused. Refused, evicted and timed-out connections are counted in http_connections_closed_total and logged once per 10 s.' },
  { path: 'server.maxConnectionsPerClient', type: 'int', default: 1000, doc: 'Open HTTP connections per client address (0 = no per-client cap); beyond, the oldest idle connection of that address is closed, or the new one refused. Behind a proxy or gateway every client has its address: raise it or set 0 there.' },
  { path: 'server.headersTimeout', type: 'duration', default: '10s', doc: 'A connection that has not sent a complete request head this long after it opened (or after its previous response) is answered 408 and closed (slowloris).' },
  { path: 'server.requestTimeout', type: 'duration', default: '2m', doc: 'Longest time to receive a whole request, body included; then 408 and the connection is closed.' },
  { path: 'server.keepAliveTimeout', type: 'duration', default: '72s', doc: 'An idle keep-alive connection is closed after this long.' },
  { path: 'server.minBodyRate', type: 'bytes', default: '1KiB', doc: 'Bytes per second a request body must arrive at, measured over windows of 10 s; a slower body is answered 408 and its connection closed (0 = no minimum).' },
  { path: 'server.logLevel', type: 'string', default: 'info', doc: "LogSentinel's own log level (trace, debug, info, warn, error, fatal, silent)." },
  { path: 'server.tls.certFile', type: 'string', default: '', doc: 'PEM certificate (chain) of the HTTP listener; with `server.tls.keyFile` the listener speaks HTTPS only. Both files are watched (and re-read every `server.tls.reloadInterval`): a renewed pair is served to new connections without a restart; a broken pair is refused with an error logged and the previous one stays.' },
  { path: 'server.tls.keyFile', type: 'string', default: '', doc: 'PEM private key of the HTTP listener (see `server.tls.certFile`).' },
  { path: 'server.tls.reloadInterval', type: 'duration', default: '30s', doc: 'How often the certificate and key files are checked for changes besides watching them (mounted Secrets change by a symlink swap that watches can miss).' },
  { path: 'server.tls.hstsMaxAge', type: 'duration', default: '365d', doc: 'Under TLS every answer carries `Strict-Transport-Security: max-age=<this>` (0 = no header).' },
  { path: 'server.cors.allowedOrigins', type: 'list', default: [], doc: 'Origins (`https://grafana.example.com`) whose pages may call the API from a browser (CORS). Empty (the default): no CORS header at all, browsers keep other sites out. Listed origins get credentials (cookies, Authorization); `*` allows any origin without credentials.' },
  { path: 'dataDir', type: 'string', default: './data', doc: 'Directory of the embedded store (DuckDB file and its WAL).', flag: '--data-dir' },

  { path: 'storage.minFreeBytes', type: 'bytes', default: '512MiB', doc: 'Embedded store: pushes are refused with 503 and Retry-After, and readiness turns 503, while the filesystem of the data directory has less free space than this, so the disk never fills up under the store (checkpoints and backups need room too; keep it above `storage.duckdb.checkpointWalBytes`). Pushes resume by themselves once space is freed. 0 = no watermark. See docs/operations.md.' },
  // ---- authentication (src/auth/, docs/security.md) ------------------------------------------------
  { path: 'auth.enabled', type: 'bool', default: true, doc: 'Require credentials (API tokens, user passwords, UI sessions) on every API, with scopes and tenant sets (docs/security.md). `false` keeps the open behaviour for trusted setups: anyone who reaches the port may push, read every tenant and change rules (a warning is logged when the listener is not loopback).' },
  { path: 'auth.openMetrics', type: 'bool', default: true, doc: '`/metrics` answers without credentials (it holds no log data); `false` requires scope admin. Health endpoints are always open.' },
  { path: 'auth.adminPassword', type: 'string', default: '', doc: 'Password of the user `admin`, set at every start (created when missing). When this or `auth.adminToken` is set, no random first admin is generated. At least 8 characters.' , secret: true },
  { path: 'auth.adminToken', type: 'string', default: '', doc: 'An API token with scope admin that is made to exist at every start, exactly this value (`lst_<12 of a-z2-7>_<32+ of A-Za-z0-9_->`; docs/security.md shows how to make one).' , secret: true },

  {
    path: 'storage.duckdb.memoryLimit',
    type: 'string',
    default: '256MB',
    doc: "DuckDB's memory_limit: table data it caches, rows not yet checkpointed, and the state of running scans, counts and sorts (sorts and large counts spill to the data directory past it). Cached data is evicted first, so the store's share of the resident size stays within this however large the store grows (see docs/limits.md).",
  },
  { path: 'storage.duckdb.threads', type: 'int', default: 2, doc: 'DuckDB worker threads for queries.' },
  { path: 'storage.duckdb.checkpointInterval', type: 'duration', default: '30s', doc: 'How often the WAL is checkpointed into the database file. Checkpoints are scheduled by LogSentinel, never triggered inside an ingest commit.' },
  { path: 'storage.duckdb.checkpointWalBytes', type: 'bytes', default: '32MiB', doc: 'Checkpoint early once the WAL passes this size. Commits wait while a checkpoint runs, about as long as it takes to fold the WAL in (measured: 0.6 s for a 100 MB WAL, 0.18 s for 27 MB, the same total either way), so a smaller WAL means shorter stalls for pushes; far smaller ones cost more in all.' },

  { path: 'storage.postgres.url', type: 'string', default: '', doc: 'PostgreSQL URL (`postgres://user:password@host:5432/db`) of the cluster store. Cluster roles (`process`, `query`, `ruler`, and `all` when `queue.redis.url` is set too) need it; `serve` ignores it.', secret: true },
  { path: 'storage.postgres.schema', type: 'string', default: 'logsentinel', doc: 'PostgreSQL schema that holds LogSentinel\'s tables, created if missing (several deployments or test runs can share one database).' },
  { path: 'storage.postgres.timescaledb', type: 'string', default: 'auto', doc: "Store entries in a TimescaleDB hypertable with compression and retention policies (`auto`: when the `timescaledb` extension is installed in the database or installable with CREATE EXTENSION, else plain PostgreSQL partitions with a logged reason; `on`: or refuse to start, naming why; `off`: plain PostgreSQL). Decided when the schema is created and recorded in it; an existing schema keeps its layout (`on` and `off` refuse the other one). TimescaleDB 2.13 or later; see docs/cluster.md." },
  { path: 'storage.postgres.chunkInterval', type: 'duration', default: '24h', doc: 'Time span of one partition (plain layout) or hypertable chunk (TimescaleDB), fixed when the schema is created. Retention and compression work on whole chunks.' },
  { path: 'storage.postgres.compressAfter', type: 'duration', default: '48h', doc: 'TimescaleDB layout: the compression policy compresses a chunk once its newest possible entry is this old (0 = no compression policy). Two days keeps the chunk being written and the previous one in row form, where retried batches and late entries are cheapest to insert and recent queries read rows directly; see docs/cluster.md.' },

  { path: 'queue.redis.url', type: 'string', default: '', doc: 'Redis URL (`redis://[user:password@]host:6379[/db]`, `rediss://` for TLS) of the cluster queue. Roles `ingest` and `process` (and `all` when `storage.postgres.url` is set too) need it; `serve` ignores it.', secret: true },
  { path: 'queue.redis.prefix', type: 'string', default: 'ls', doc: 'Prefix of every Redis key (`<prefix>:{p<N>}:entries`), so several deployments can share one Redis.' },
  { path: 'queue.redis.partitions', type: 'int', default: 8, doc: 'Redis streams the queue is spread over, by stream id; each has its own hash tag, so Redis Cluster shards them. Every ingest and process pod of a deployment must use the same value.' },
  { path: 'queue.redis.maxBacklog', type: 'int', default: 2000000, doc: 'Log lines appended and not yet committed by a processor past which pushes are refused with 429 and Retry-After.' },
  { path: 'queue.redis.claimIdle', type: 'duration', default: '30s', doc: 'Entries a processor read and left unacknowledged this long (it died, or hangs) are taken over by another processor (XAUTOCLAIM). Keep it above the slowest storage write.' },
  { path: 'queue.redis.readCount', type: 'int', default: 32, doc: 'Stream entries (each a batch of lines) a processor reads per partition and hands to storage in one write.' },
  { path: 'queue.redis.block', type: 'duration', default: '2s', doc: 'How long one read waits for new entries; shutdown waits at most this long for reads in flight.' },
  { path: 'queue.redis.consumerName', type: 'string', default: '', doc: 'Name of this processor in the consumer group (empty = `<hostname>-<pid>-<random>`, new at every start). Give each processor a stable name of its own (Kubernetes: the StatefulSet pod name) and a restarted processor re-reads the entries it had read and not yet acknowledged at once, instead of leaving them until another processor claims them after `queue.redis.claimIdle`. Two running processors must never share a name.' },

  { path: 'ingest.maxBatchEntries', type: 'int', default: 100000, doc: 'Group commit: most entries committed in one storage transaction.' },
  { path: 'ingest.maxBatchDelay', type: 'duration', default: '2ms', doc: 'Group commit: how long the committer waits for more pushes once one arrives (0 = commit as soon as the previous commit ends).' },
  { path: 'ingest.maxQueuedEntries', type: 'int', default: 500000, doc: 'Entries waiting to be committed before pushes are refused with 429 and Retry-After.' },
  { path: 'ingest.maxPushWait', type: 'duration', default: '1s', doc: "Backpressure by latency: a push that would wait longer than this for the queue (the entries ahead of it over the measured commit rate, or the age of the oldest push still waiting) is refused at once with 429 and a Retry-After of the backlog's drain time, in each protocol's shape (Loki text, OTLP Status with RetryInfo, Elasticsearch per-item 429). Keep it well under shippers' timeouts (5–10 s); 0 = only ingest.maxQueuedEntries / queue.redis.maxBacklog refuse." },
  { path: 'ingest.decodeWorkers', type: 'int', default: 1, doc: 'Worker threads that decode large push bodies (JSON, protobuf, snappy), so a 10 MB body does not hold the event loop for hundreds of milliseconds (0 = decode every body on the event loop). gzip and deflate are undone while the body streams in, off the event loop, whatever this is.' },
  { path: 'ingest.decodeInlineMax', type: 'bytes', default: '1MiB', doc: 'Push bodies up to this size (after gzip/deflate) are decoded on the event loop (a 1 MB body, about 5,000 lines, holds it for a few tens of milliseconds), larger ones on the decode workers. Shippers send bodies of this size or smaller, and decoding them on the loop keeps the full throughput of both cores; a smaller value moves more to the workers, which then can become the bottleneck.' },
  { path: 'ingest.dedupWindowEntries', type: 'int', default: 1000000, doc: 'Recently committed entries remembered to make retried pushes idempotent (0 = off).' },

  // ---- OTLP/HTTP logs (src/ingest/otlp/) --------------------------------------------------------
  { path: 'ingest.otlp.resourceLabels', type: 'list', default: ['service.name=service', 'service.namespace', 'deployment.environment', 'deployment.environment.name=deployment_environment', 'k8s.namespace.name', 'k8s.pod.name', 'k8s.container.name', 'host.name'], doc: 'OTLP resource attributes that become stream labels, each `attribute[=label]` (the label name defaults to the attribute with `.` replaced by `_`). Every other resource attribute, the scope and the log record attributes go to structured metadata.' },

  { path: 'ingest.otlp.maxRecordsPerRequest', type: 'int', default: 100000, doc: 'Most log records in one OTLP request; more refuse the whole request (400).' },
  { path: 'ingest.otlp.maxAttributes', type: 'int', default: 128, doc: 'Most attributes (or kvlist entries) per resource, scope or record; a record over it is refused (partial success).' },
  { path: 'ingest.otlp.maxDepth', type: 'int', default: 16, doc: 'Deepest nesting of OTLP AnyValue arrays and kvlists; a deeper record is refused (partial success).' },

  // ---- Elasticsearch bulk (src/ingest/elasticsearch-bulk.ts) ---------------------------------------
  { path: 'ingest.elasticsearch.timestampField', type: 'string', default: '@timestamp', doc: 'Document field read as the entry time (RFC 3339 or epoch); absent → the time of the request.' },
  { path: 'ingest.elasticsearch.messageField', type: 'string', default: 'message', doc: 'Document field read as the log line; absent → the whole document as JSON.' },
  { path: 'ingest.elasticsearch.indexLabel', type: 'string', default: 'index', doc: 'Stream label that carries the target index name of each bulk action.' },
  { path: 'ingest.elasticsearch.maxItems', type: 'int', default: 50000, doc: 'Most actions in one bulk request; the items past it are answered 429 each, so clients resend them.' },
  { path: 'ingest.elasticsearch.maxDepth', type: 'int', default: 20, doc: "Deepest object nesting of a document (Elasticsearch's index.mapping.depth.limit); a deeper document gets a per-item 400." },
  { path: 'ingest.elasticsearch.maxFields', type: 'int', default: 1000, doc: "Most fields in one document (Elasticsearch's index.mapping.total_fields.limit); more get a per-item 400." },
  { path: 'ingest.elasticsearch.version', type: 'string', default: '8.17.0', doc: 'Elasticsearch version announced by `GET /` (clients and shippers check it in their handshake).' },

  { path: 'limits.maxLineSize', type: 'bytes', default: '256KiB', doc: 'Largest accepted log line; longer lines are rejected (or truncated, see maxLineSizeTruncate).' },
  { path: 'limits.maxLineSizeTruncate', type: 'bool', default: false, doc: 'Truncate over-long lines instead of rejecting them.' },
  { path: 'limits.maxLabelNamesPerSeries', type: 'int', default: 15, doc: 'Most labels a stream may have.' },
  { path: 'limits.maxLabelNameLength', type: 'int', default: 1024, doc: 'Longest label name.' },
  { path: 'limits.maxLabelValueLength', type: 'int', default: 2048, doc: 'Longest label value.' },
  { path: 'limits.creationGracePeriod', type: 'duration', default: '10m', doc: 'Entries further than this in the future are rejected.' },
  { path: 'limits.rejectOlderThan', type: 'duration', default: '0', doc: 'Reject entries older than this (0 = accept any age; out-of-order and late entries are always accepted within it).' },
  { path: 'limits.maxStructuredMetadataEntries', type: 'int', default: 128, doc: 'Most structured metadata pairs per entry.' },
  { path: 'limits.maxStructuredMetadataSize', type: 'bytes', default: '64KiB', doc: 'Largest structured metadata per entry.' },

  // ---- per-tenant limits (src/limits/; Loki's names in the overrides file) -------------------------
  { path: 'limits.ingestionRateMb', type: 'number', default: 0, doc: "Per-tenant ingest rate in MiB/s of log lines and structured metadata (Loki's ingestion_rate_mb); a push over it is refused with 429 and Loki's text. 0 = no rate limit (the queue still refuses overload). Per ingest process: see docs/security-transport.md." },
  { path: 'limits.ingestionBurstSizeMb', type: 'number', default: 6, doc: "Per-tenant burst in MiB (Loki's ingestion_burst_size_mb): the most one push, or pushes after a quiet spell, may carry at once." },
  { path: 'limits.maxGlobalStreamsPerUser', type: 'int', default: 5000, doc: "Active streams per tenant (Loki's max_global_streams_per_user); entries of a new stream past it are refused with 429 and Loki's text. A stream is active until `limits.streamIdleTimeout` passes without entries. 0 = no limit." },
  { path: 'limits.streamIdleTimeout', type: 'duration', default: '30m', doc: "A stream that received nothing this long stops counting against `limits.maxGlobalStreamsPerUser` (Loki's chunk_idle_period)." },
  { path: 'limits.maxQueryParallelism', type: 'int', default: 32, doc: "Queries of one tenant executing at once (Loki's max_query_parallelism); more wait in line (`query.maxOutstandingPerTenant`). 0 disables querying for the tenant, as in Loki." },
  { path: 'limits.overridesFile', type: 'string', default: '', doc: "YAML file of per-tenant limits in Loki's runtime-config shape: `overrides: {<tenant>: {ingestion_rate_mb: 10, max_line_size: 1MB, ...}}` (names in docs/security-transport.md). Re-read when it changes and every `limits.overridesPeriod`, no restart; a broken file is logged and the previous overrides stay." },
  { path: 'limits.overridesPeriod', type: 'duration', default: '10s', doc: "How often the overrides file is re-read besides watching it (Loki's runtime_config.period)." },

  // ---- syslog listener (src/ingest/syslog/) ------------------------------------------------------
  { path: 'syslog.port', type: 'int', default: 0, doc: 'Port of the syslog listener, TCP (RFC 6587 octet counting or newline framing) and UDP on the same number; 0 = off. RFC 5424 and RFC 3164 messages.' },
  { path: 'syslog.host', type: 'string', default: '0.0.0.0', doc: 'Address the syslog listeners bind.' },
  { path: 'syslog.tlsPort', type: 'int', default: 0, doc: 'Port of the syslog-over-TLS listener (RFC 5425); 0 = off. Needs `syslog.tlsCertFile` and `syslog.tlsKeyFile`.' },
  { path: 'syslog.tlsCertFile', type: 'string', default: '', doc: 'PEM certificate (chain) of the syslog TLS listener.' },
  { path: 'syslog.tlsKeyFile', type: 'string', default: '', doc: 'PEM private key of the syslog TLS listener.' },
  { path: 'syslog.tlsClientCaFile', type: 'string', default: '', doc: 'PEM CA certificate(s) that sign syslog client certificates. Set, the TLS listener asks clients for a certificate and refuses one this CA did not sign.' },
  { path: 'syslog.tlsRequireClientCert', type: 'bool', default: false, doc: 'Refuse TLS clients that present no certificate signed by `syslog.tlsClientCaFile` (mutual TLS). Off: such clients are accepted and their entries go to `syslog.tenant`.' },
  { path: 'syslog.tlsClientTenants', type: 'list', default: [], doc: 'Client certificate → tenant, each `<name>=<tenant>`: `<name>` is matched against the subject CN and the DNS, email and URI subject alternative names of the verified client certificate (`*` matches any). Set, a certificate matching no entry is refused. Plain TCP and UDP are trusted-network input: always `syslog.tenant`.' },
  { path: 'syslog.tenant', type: 'string', default: 'default', doc: 'Tenant that syslog entries are stored under (syslog has no tenant header).' },
  { path: 'syslog.maxConnections', type: 'int', default: 1000, doc: 'TCP and TLS connections served at once; further ones are closed at once (and logged).' },
  { path: 'syslog.idleTimeout', type: 'duration', default: '10m', doc: 'A TCP or TLS connection that sends nothing for this long is closed.' },
  { path: 'syslog.maxMessageBytes', type: 'bytes', default: '64KiB', doc: 'Largest syslog message; a longer one is cut to this size and kept (counted as malformed).' },

  { path: 'query.maxEntriesLimit', type: 'int', default: 5000, doc: 'Largest `limit` a log query may ask for (Loki: max_entries_limit_per_query).' },
  { path: 'query.defaultLimit', type: 'int', default: 100, doc: 'Entries returned when a query gives no limit.' },
  { path: 'query.maxQueryLength', type: 'duration', default: '721h', doc: 'Longest time range of one query.' },
  { path: 'query.timeout', type: 'duration', default: '60s', doc: 'A query running longer (time waiting for a slot included) is cancelled with 504; every pipeline stage and template function checks it, so the work stops, not only the answer.' },
  { path: 'query.maxConcurrent', type: 'int', default: 4, doc: 'Queries executed at once; more wait in line (see query.maxQueued). Their JavaScript shares the main thread in slices (query.cpuSlice), so more running at once does not make them faster.' },
  { path: 'query.maxQueued', type: 'int', default: 64, doc: 'Queries waiting for a slot past which new queries are refused at once with 429 and Retry-After.' },
  { path: 'query.maxMemory', type: 'bytes', default: '256MiB', doc: 'Memory one query may hold for the entries and series it builds (estimated); a query needing more fails with 400 naming this limit.' },
  { path: 'query.maxTotalMemory', type: 'bytes', default: '768MiB', doc: 'Memory all running queries may hold together; a query that would pass it fails with 429 and Retry-After. With storage.duckdb.memoryLimit it bounds what queries add to the resident size (see docs/limits.md).' },
  { path: 'query.maxTemplateOutput', type: 'bytes', default: '1MiB', doc: 'Longest string a `line_format`/`label_format` template, or one of its functions (`printf` width, `repeat`, `indent`, padding, replacements), may build for one line, in characters; a template that would build more fails the query with 400 naming this limit.' },
  { path: 'query.cpuSlice', type: 'duration', default: '4ms', doc: "Longest stretch of a query's JavaScript (decoding rows, parsers, filters, templates) between two turns of the event loop; queries take turns, one slice per turn, so pushes and health checks are served in between." },
  { path: 'query.cpuSharePercent', type: 'int', default: 10, doc: 'The share of the event loop, in percent, that queries together still get while other work (pushes, commits) would take all of it. While the loop is contended, queries get, per 100 ms window, the time they used plus the time the loop sat idle in the last one (less 10 ms), and never less than this share; when nothing else is busy, they use the whole loop.' },
  { path: 'query.alignQueriesWithStep', type: 'bool', default: false, doc: "Move a metric `query_range`'s start and end down to multiples of its step, as Loki's align_queries_with_step does (Loki's Helm chart turns it on). Aligned queries with a step of whole minutes count from the per-minute counts instead of the lines, and can be cached (query.cache); the answer's timestamps move by less than one step." },
  { path: 'query.maxOutstandingPerTenant', type: 'int', default: 2048, doc: "Queries of one tenant waiting for a slot (`limits.maxQueryParallelism`) past which more are refused with 429 `too many outstanding requests` (Loki's max_outstanding_requests_per_tenant)." },
  { path: 'query.cache.enabled', type: 'bool', default: true, doc: 'Cache `query_range` results of metric queries in Redis (cache-aside, per tenant set). Only in cluster roles that serve queries (`query`, and `all` in cluster mode) when `queue.redis.url` is set; the embedded mode never caches.' },
  { path: 'query.cache.ttl', type: 'duration', default: '10m', doc: 'How long a cached `query_range` result is kept in Redis.' },
  { path: 'query.cache.maxFreshness', type: 'duration', default: '10m', doc: "Only ranges whose `end` is older than now minus this are cached (Loki's max_cache_freshness_per_query), and only when `start` and `end` are multiples of `step`, so results that can still change are never cached. Entries arriving later than this for an already cached range are not seen until the entry expires (`query.cache.ttl`)." },

  { path: 'retention.period', type: 'duration', default: '744h', doc: 'Entries older than this are deleted (0 = keep forever).' },
  { path: 'retention.interval', type: 'duration', default: '10m', doc: 'How often retention runs.' },

  { path: 'ruler.enabled', type: 'bool', default: true, doc: 'Run the ruler (alerting and recording rules) in `serve`/`all`.' },
  { path: 'ruler.rulesDir', type: 'string', default: '', doc: "Directory of rule files, laid out `<dir>/<tenant>/<namespace>.yaml` like Loki's local ruler storage (empty = `<dataDir>/rules`). The rules API writes here in the embedded mode; in cluster mode (a ruler with `storage.postgres.url`) rules are stored in PostgreSQL, shared by every ruler, and files here are loaded read-only (a namespace in both is PostgreSQL's)." },
  { path: 'ruler.evaluationInterval', type: 'duration', default: '1m', doc: 'Evaluation interval of rule groups that set no `interval`.' },
  { path: 'ruler.leaseTtl', type: 'duration', default: '15s', doc: 'Cluster mode (`queue.redis.url` set): rulers share one Redis lease and only its holder evaluates rules and sends notifications. The holder renews it every third of this; when it dies another ruler takes over within this long. The embedded mode evaluates without a lease.' },
  { path: 'ruler.queryTimeout', type: 'duration', default: '30s', doc: 'A rule expression evaluating longer fails with a timeout (the rule shows `health: err`).' },

  { path: 'alerting.alertmanagerUrls', type: 'list', default: [], doc: 'Alertmanager base URLs (comma-separated in the environment); alerts are POSTed to `<url>/api/v2/alerts` of each. `https://user:password@host` sends basic auth.', secret: true },
  { path: 'alerting.slackWebhookUrl', type: 'string', default: '', doc: 'Slack incoming-webhook URL; a message when alerts start firing and when they resolve.', secret: true },
  { path: 'alerting.webhookUrls', type: 'list', default: [], doc: "Generic webhook URLs; alerts are POSTed in Alertmanager's webhook format (version 4) when they start firing and when they resolve. `https://user:password@host/...` sends basic auth.", secret: true },
  { path: 'alerting.externalUrl', type: 'string', default: '', doc: "URL users reach LogSentinel at, used in alerts' `generatorURL` (empty = the listen address)." },
  { path: 'alerting.resendDelay', type: 'duration', default: '1m', doc: 'Firing alerts are re-sent to Alertmanager this often (Prometheus `--rules.alert.resend-delay`).' },
  { path: 'alerting.timeout', type: 'duration', default: '10s', doc: 'Timeout of one notification request.' },
  { path: 'alerting.minBackoff', type: 'duration', default: '500ms', doc: 'Wait before the first retry of a failed notification; doubles on each retry.' },
  { path: 'alerting.maxBackoff', type: 'duration', default: '30s', doc: 'Longest wait between retries of a notification.' },
  { path: 'alerting.maxAttempts', type: 'int', default: 8, doc: 'Attempts per notification before it is dropped (counted in notifications_dropped_total).' },
  { path: 'alerting.queueCapacity', type: 'int', default: 1000, doc: 'Notifications queued per receiver; when full the oldest is dropped, so a dead receiver never grows memory or slows ingest.' },
  { path: 'alerting.critical.enabled', type: 'bool', default: true, doc: 'Fire `CriticalLogEntry` on ingest, within seconds, when an entry at one of `alerting.critical.levels` is committed.' },
  { path: 'alerting.critical.levels', type: 'list', default: ['critical'], doc: 'Entry levels that raise `CriticalLogEntry` (trace, debug, info, warn, error, critical).' },
  { path: 'alerting.critical.window', type: 'duration', default: '5m', doc: 'One alert per stream group and window: further entries only update its count; it resolves after a window without any.' },
  { path: 'alerting.critical.groupBy', type: 'list', default: ['service'], doc: "Stream labels that identify a `CriticalLogEntry` alert and are copied onto it (empty = all of the stream's labels; a stream with none of them is identified by all its labels)." },

  // ---- saved queries (src/saved-queries/, docs/ui.md) ---------------------------------------------
  { path: 'savedQueries.maxPerTenant', type: 'int', default: 1000, doc: 'Saved queries one tenant may keep (`/api/v1/saved-queries`, Explore\'s Saved control); saving one more answers 409 `limit_reached` until some are deleted.' },

  { path: 'patterns.enabled', type: 'bool', default: true, doc: 'Learn the patterns of every stream\'s lines as they are committed (a Drain-style miner, docs/patterns.md) and serve them on `GET /loki/api/v1/patterns` and in Explore\'s Patterns tab. Embedded mode (`serve`, embedded `all`) only; cluster roles answer 501.' },
  { path: 'patterns.maxClustersPerStream', type: 'int', default: 300, doc: 'Patterns kept per stream at most; past it the least recently seen pattern of the stream is forgotten (pattern_clusters_evicted_total).' },
  { path: 'patterns.maxClustersPerTenant', type: 'int', default: 20000, doc: 'Patterns kept per tenant at most, over all its streams; past it the least recently seen pattern of the tenant is forgotten.' },
  { path: 'patterns.similarity', type: 'number', default: 0.4, doc: 'Share of equal tokens (0..1) for a line to join a pattern of as many tokens; the tokens that differ become `<_>`. Lower merges more.' },
  { path: 'patterns.maxTokens', type: 'int', default: 64, doc: 'Tokens per line the miner looks at; the rest of a longer line is one `<_>`.' },
  { path: 'patterns.bucket', type: 'duration', default: '10s', doc: 'Width of the time buckets pattern counts are kept in (the smallest `step` of the patterns API).' },
  { path: 'patterns.retention', type: 'duration', default: '3h', doc: 'Pattern counts older than this are dropped (the patterns are kept while the bounds allow).' },
  { path: 'patterns.maxQueuedLines', type: 'int', default: 200000, doc: 'Committed lines waiting to be mined at most (mining runs after the acknowledgement, in slices between other work); beyond, lines are not mined and are counted in pattern_lines_dropped_total.' },
  { path: 'patterns.maxCpuShare', type: 'number', default: 0.05, doc: 'Share of the main thread\'s time (0..1, measured every 250 ms) mining may take; above it the miner samples lines (one in 2, 4, … 64, each counted as many times) until it is back under half the share, so counts become estimates under heavy ingest (`pattern_mining_stride`). 0 = mine every line whatever it costs.' },
  { path: 'patterns.alert.enabled', type: 'bool', default: false, doc: 'Fire `NewLogPattern` once when a stream shows a pattern never seen in it before, in a line at `patterns.alert.minLevel` or above.' },
  { path: 'patterns.alert.minLevel', type: 'string', default: 'error', doc: 'Lowest level whose new patterns alert (trace, debug, info, warn, error, critical).' },
  { path: 'patterns.alert.learnFor', type: 'duration', default: '10m', doc: 'A stream\'s patterns are learned silently for this long after this process first sees it, so a restart or a new stream does not alert on every pattern.' },
  { path: 'patterns.alert.resolveAfter', type: 'duration', default: '15m', doc: 'A `NewLogPattern` alert resolves this long after it fired; the same pattern never fires again while it is remembered.' },
];
