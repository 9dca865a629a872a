/**
 * LogSentinel's own Prometheus metrics (prom-client). One registry per server instance so tests
 * can run several servers in one process. Hot paths count locally and add once per batch.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { M } from './metric-names.js';

export interface Metrics {
  registry: Registry;
  logsReceived: Counter<'tenant' | 'protocol'>;
  logsRejected: Counter<'tenant' | 'protocol' | 'reason'>;
  bytesReceived: Counter<'protocol'>;
  logsProcessed: Counter<'tenant'>;
  processingLatency: Histogram;
  commitDuration: Histogram;
  checkpointDuration: Histogram;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  httpErrors: Counter<'method' | 'route' | 'status'>;
  httpInFlight: Gauge;
  httpConnectionsOpen: Gauge;
  httpConnectionsClosed: Counter<'reason'>;
  pushWaitEstimate: Gauge;
  queueDepth: Gauge;
  queueConsumerLag: Gauge;
  queuePending: Gauge;
  queueDeadLettered: Counter;
  activeProcessors: Gauge;
  storageSize: Gauge;
  storageCompressed: Gauge<'layout'>;
  storageUncompressed: Gauge<'layout'>;
  storageFree: Gauge;
  storageMemory: Gauge<'tag'>;
  storageFilesystemSize: Gauge;
  dependencyUp: Gauge<'dependency'>;
  retentionDeleted: Counter;
  lineBlocks: Counter<'result'>;
  queries: Counter<'type' | 'status'>;
  queryDuration: Histogram<'type'>;
  cacheHits: Counter;
  cacheMisses: Counter;
  cacheErrors: Counter;
  rulerLeaseHeld: Gauge;
  rulerEvaluations: Counter;
  rulerEvaluationFailures: Counter;
  rulerEvaluationDuration: Histogram;
  alertsSent: Counter<'notifier'>;
  notificationErrors: Counter<'notifier'>;
  notificationsDropped: Counter<'notifier'>;
  alertsFiring: Gauge;
  criticalEntries: Counter<'tenant'>;
  syslogMalformed: Counter<'transport' | 'reason'>;
  syslogTlsRefused: Counter<'reason'>;
}

export interface MetricSources {
  queueDepth?: () => number;
  /** Lag, pending entries and live processors of the queue's consumers (Redis: read from Redis on scrape). */
  queueConsumers?: () => Promise<{ lagEntries: number; pendingEntries: number; activeProcessors: number }>;
  storageSize?: () => Promise<number>;
  /** What the embedded store holds in memory, in bytes by DuckDB's tag; undefined on other stores. */
  storageMemory?: () => Promise<ReadonlyMap<string, number> | undefined>;
  /** TimescaleDB layout: compressed chunks' bytes as stored and before compression; undefined on other stores. */
  storageCompression?: () => Promise<{ compressedBytes: number; uncompressedBytes: number } | undefined>;
  /** Free and total bytes of the filesystem holding the data directory (embedded store). */
  storageFilesystem?: () => Promise<{ freeBytes: number; sizeBytes: number } | undefined>;
  /** Runs (or reuses) the readiness checks of external dependencies and answers each one's state. */
  dependencies?: () => Promise<ReadonlyMap<string, boolean>>;
  alertsFiring?: () => number;
  /** Whether this ruler holds the ruler lease (cluster mode); absent: the gauge stays 0. */
  rulerLeaseHeld?: () => boolean;
}

export function createMetrics(sources: MetricSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges `*_total`, which the exposition format reserves for counters
  // (promtool check metrics rejects them); the same figures remain in nodejs_active_*.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  const r = [registry];
  const m: Metrics = {
    registry,
    logsReceived: new Counter({ name: M.logsReceived, help: 'Log entries received and accepted by ingest, by tenant and protocol.', labelNames: ['tenant', 'protocol'], registers: r }),
    logsRejected: new Counter({ name: M.logsRejected, help: "Log entries refused by ingest, by tenant, protocol and reason (Loki's reasons: line_too_long, rate_limited, stream_limit, ...; invalid = undecodable).", labelNames: ['tenant', 'protocol', 'reason'], registers: r }),
    bytesReceived: new Counter({ name: M.bytesReceived, help: 'Bytes of push request bodies received.', labelNames: ['protocol'], registers: r }),
    logsProcessed: new Counter({ name: M.logsProcessed, help: 'Log entries committed to storage.', labelNames: ['tenant'], registers: r }),
    processingLatency: new Histogram({
      name: M.processingLatency,
      help: 'Seconds from receiving a push to its entries being committed to storage.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    commitDuration: new Histogram({ name: M.commitDuration, help: 'Seconds one storage commit (group of pushes) takes.', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: r }),
    checkpointDuration: new Histogram({ name: M.checkpointDuration, help: 'Seconds a scheduled storage checkpoint takes.', buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30], registers: r }),
    httpRequests: new Counter({ name: M.httpRequests, help: 'HTTP requests answered, by method, route and status.', labelNames: ['method', 'route', 'status'], registers: r }),
    httpDuration: new Histogram({
      name: M.httpDuration,
      help: 'HTTP request latency in seconds, by method and route.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    httpErrors: new Counter({ name: M.httpErrors, help: 'HTTP requests answered with a 4xx or 5xx status.', labelNames: ['method', 'route', 'status'], registers: r }),
    httpInFlight: new Gauge({ name: M.httpInFlight, help: 'HTTP requests being served.', registers: r }),
    httpConnectionsOpen: new Gauge({ name: M.httpConnectionsOpen, help: 'Open HTTP connections (sampled every second).', registers: r }),
    httpConnectionsClosed: new Counter({
      name: M.httpConnectionsClosed,
      help: 'HTTP connections the server refused or closed, by reason: max_connections, max_connections_per_client (refused: every connection busy), evicted (idle or still sending headers, closed to make room), headers_timeout, request_timeout, slow_body (server.minBodyRate), bad_request (malformed HTTP).',
      labelNames: ['reason'],
      registers: r,
    }),
    pushWaitEstimate: new Gauge({
      name: M.pushWaitEstimate,
      help: 'Seconds a push arriving now is estimated to wait for the queue (the backlog ahead of it over the recent commit rate); past ingest.maxPushWait pushes are answered 429.',
      registers: r,
    }),
    queueDepth: new Gauge({
      name: M.queueDepth,
      help: 'Entries accepted by ingest and not yet committed to storage.',
      registers: r,
      collect() {
        if (sources.queueDepth) this.set(sources.queueDepth());
      },
    }),
    queueConsumerLag: new Gauge({
      name: M.queueConsumerLag,
      help: 'Queue entries (each a batch of log lines) not yet delivered to any processor (Redis: XINFO GROUPS lag, over all partitions).',
      registers: r,
      async collect() {
        if (sources.queueConsumers) this.set((await sources.queueConsumers()).lagEntries);
      },
    }),
    queuePending: new Gauge({
      name: M.queuePending,
      help: 'Queue entries delivered to a processor and not yet acknowledged.',
      registers: r,
      async collect() {
        if (sources.queueConsumers) this.set((await sources.queueConsumers()).pendingEntries);
      },
    }),
    queueDeadLettered: new Counter({
      name: M.queueDeadLettered,
      help: 'Log lines of queue entries moved to the dead-letter stream: undecodable, or refused by storage with a permanent error after retries.',
      registers: r,
    }),
    activeProcessors: new Gauge({
      name: M.activeProcessors,
      help: 'Processors consuming the queue (Redis: consumers with a heartbeat in the last 5s; embedded: 1).',
      registers: r,
      async collect() {
        if (sources.queueConsumers) this.set((await sources.queueConsumers()).activeProcessors);
      },
    }),
    storageSize: new Gauge({
      name: M.storageSize,
      help: 'Bytes the store occupies on disk.',
      registers: r,
      async collect() {
        if (sources.storageSize) this.set(await sources.storageSize());
      },
    }),
    // Labelled by layout so that stores without compression export no sample at all.
    storageCompressed: new Gauge({
      name: M.storageCompressed,
      help: 'TimescaleDB layout: bytes of the compressed chunks as stored (hypertable_compression_stats after_compression_total_bytes).',
      labelNames: ['layout'],
      registers: r,
      async collect() {
        const c = await sources.storageCompression?.();
        if (c) this.set({ layout: 'timescaledb' }, c.compressedBytes);
      },
    }),
    storageUncompressed: new Gauge({
      name: M.storageUncompressed,
      help: 'TimescaleDB layout: bytes the compressed chunks took before compression (hypertable_compression_stats before_compression_total_bytes).',
      labelNames: ['layout'],
      registers: r,
      async collect() {
        const c = await sources.storageCompression?.();
        if (c) this.set({ layout: 'timescaledb' }, c.uncompressedBytes);
      },
    }),
    storageFree: new Gauge({
      name: M.storageFree,
      help: 'Bytes available to LogSentinel on the filesystem holding the data directory (embedded store only).',
      registers: r,
      async collect() {
        const fs = await sources.storageFilesystem?.();
        if (fs) this.set(fs.freeBytes);
      },
    }),
    storageMemory: new Gauge({
      name: M.storageMemory,
      help: "Memory the embedded store holds in this process, by DuckDB's tag (duckdb_memory()): BASE_TABLE cached table data, IN_MEMORY_TABLE rows not yet checkpointed, HASH_TABLE and ORDER_BY running queries; bounded by storage.duckdb.memoryLimit.",
      labelNames: ['tag'],
      registers: r,
      async collect() {
        const byTag = await sources.storageMemory?.();
        if (!byTag) return;
        // Tags come and go with what DuckDB holds: one that now holds nothing is dropped, not left at its last figure.
        this.reset();
        for (const [tag, bytes] of byTag) this.set({ tag }, bytes);
      },
    }),
    storageFilesystemSize: new Gauge({
      name: M.storageFilesystemSize,
      help: 'Size in bytes of the filesystem holding the data directory (embedded store only).',
      registers: r,
      async collect() {
        const fs = await sources.storageFilesystem?.();
        if (fs) this.set(fs.sizeBytes);
      },
    }),
    dependencyUp: new Gauge({
      name: M.dependencyUp,
      help: 'Whether the last readiness check of an external dependency (redis, postgres) succeeded: 1 up, 0 down (cluster roles).',
      labelNames: ['dependency'],
      registers: r,
      async collect() {
        if (!sources.dependencies) return;
        for (const [dependency, up] of await sources.dependencies()) this.set({ dependency }, up ? 1 : 0);
      },
    }),
    retentionDeleted: new Counter({ name: M.retentionDeleted, help: 'Entries deleted by retention.', registers: r }),
    lineBlocks: new Counter({ name: M.lineBlocks, help: 'Blocks of stored lines that queries with line filters read or skipped by the skip index (embedded store).', labelNames: ['result'], registers: r }),
    queries: new Counter({ name: M.queries, help: 'LogQL queries executed, by type and outcome.', labelNames: ['type', 'status'], registers: r }),
    queryDuration: new Histogram({
      name: M.queryDuration,
      help: 'LogQL query execution time in seconds.',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: r,
    }),
    cacheHits: new Counter({ name: M.cacheHits, help: 'query_range requests answered from the query results cache (cluster mode, cacheable metric queries only).', registers: r }),
    cacheMisses: new Counter({ name: M.cacheMisses, help: 'Cacheable query_range requests not found in the query results cache (including lookups that failed).', registers: r }),
    cacheErrors: new Counter({ name: M.cacheErrors, help: 'Query results cache operations that failed (Redis errors); the query ran uncached.', registers: r }),
    rulerLeaseHeld: new Gauge({
      name: M.rulerLeaseHeld,
      help: 'Whether this ruler holds the ruler lease and evaluates rules (cluster mode; 1 = holder).',
      registers: r,
      collect() {
        if (sources.rulerLeaseHeld) this.set(sources.rulerLeaseHeld() ? 1 : 0);
      },
    }),
    rulerEvaluations: new Counter({ name: M.rulerEvaluations, help: 'Rule evaluations (one per rule per group evaluation).', registers: r }),
    rulerEvaluationFailures: new Counter({ name: M.rulerEvaluationFailures, help: 'Rule evaluations that failed.', registers: r }),
    rulerEvaluationDuration: new Histogram({
      name: M.rulerEvaluationDuration,
      help: 'Seconds one rule evaluation takes.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    alertsSent: new Counter({ name: M.alertsSent, help: 'Alerts delivered to receivers, by notifier.', labelNames: ['notifier'], registers: r }),
    notificationErrors: new Counter({ name: M.notificationErrors, help: 'Failed notification attempts (each retry counts), by notifier.', labelNames: ['notifier'], registers: r }),
    notificationsDropped: new Counter({ name: M.notificationsDropped, help: 'Alerts given up (queue full, receiver refused, attempts exhausted), by notifier.', labelNames: ['notifier'], registers: r }),
    alertsFiring: new Gauge({
      name: M.alertsFiring,
      help: 'Alerts currently firing (rules and critical log entries).',
      registers: r,
      collect() {
        if (sources.alertsFiring) this.set(sources.alertsFiring());
      },
    }),
    criticalEntries: new Counter({ name: M.criticalEntries, help: 'Committed entries at an alerting level (alerting.critical.levels), by tenant.', labelNames: ['tenant'], registers: r }),
    syslogMalformed: new Counter({
      name: M.syslogMalformed,
      help: 'Syslog messages kept as raw lines (unparsable), cut to syslog.maxMessageBytes (too_long) or stamped with the time received because ingest limits refused their timestamp (timestamp), by transport.',
      labelNames: ['transport', 'reason'],
      registers: r,
    }),
    syslogTlsRefused: new Counter({
      name: M.syslogTlsRefused,
      help: 'Syslog TLS connections refused: no_certificate (required, none sent), untrusted_certificate (not signed by syslog.tlsClientCaFile), unknown_client (no syslog.tlsClientTenants entry), handshake (other TLS failures).',
      labelNames: ['reason'],
      registers: r,
    }),
  };
  return m;
}
