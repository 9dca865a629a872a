/**
 * Modules, what each needs, and which a role starts. One process runs every module (`serve`,
 * `all`); the cluster roles (`ingest`, `process`, `query`, `ruler`) run subsets of them. The
 * backends follow the role: `serve` is always embedded (DuckDB, in-process group commit); cluster
 * roles use the Redis Streams queue (`queue.redis.url`) and PostgreSQL (`storage.postgres.url`);
 * `all` is embedded unless both URLs are set, and then runs the cluster path in one process.
 * In cluster mode with `queue.redis.url` set, `query-api` adds the Redis query results cache
 * (src/query/cache) and `ruler` evaluates only while it holds the Redis ruler lease
 * (src/alerting/lease.ts); the embedded mode has neither. A cluster-mode ruler keeps rules and
 * alert state in PostgreSQL, shared by all rulers (src/alerting/ruler-sync.ts).
 *
 * Live tail (src/query/tail): `query-api` owns a TailHub. Embedded, the processor publishes
 * committed batches into it directly; in cluster mode with `queue.redis.url` set, processors
 * publish to Redis pub/sub and `query-api` feeds its hub from there (also within `all`, so one
 * path is exercised). Publishing happens after the commit and is never awaited.
 *
 * Each module has one small `init<Module>` function (the `INIT` table below, as Loki's
 * modules.go): it opens what the module needs, publishes it on the shared `Modules` record for the
 * modules that depend on it, and returns its stop function. `start` only orders and calls them.
 * The HTTP server starts first, so liveness answers and readiness says "not ready" while the
 * store opens; the other modules start in `DEPENDS` order. Stopping closes the server first (no
 * new requests), then the rest in reverse order: the queue drains before the store closes.
 * Readiness has one home, src/health/readiness.ts; modules register their conditions there.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load.js';
import type { AppContext } from './api/context.js';
import { buildServer } from './api/server.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { moduleMetrics } from './telemetry/module-metrics.js';
import { DuckDBStorage } from './storage/duckdb/duckdb-storage.js';
import { PostgresStorage } from './storage/postgres/postgres-storage.js';
import type { Storage } from './storage/storage.js';
import { GroupCommitQueue } from './queue/group-commit.js';
import { RedisStreamsQueue } from './queue/redis-streams/redis-streams-queue.js';
import { redactUrl } from './config/redact.js';
import { httpsPair, reloadCertificates } from './config/certificates.js';
import type { Server as TlsServer } from 'node:tls';
import { MIB, TenantLimiter, type TenantLimits } from './limits/index.js';
import { cachedDependencyChecks, postgresCheck, type DependencyCheck } from './api/dependency-checks.js';
import type { Queue } from './queue/queue.js';
import { queryResources } from './query/admission.js';
import { nowNs } from './query/time.js';
import type { IngestLimits } from './ingest/common/limits.js';
import { VERSION } from './version.js';
import { createAlerting, type Alerting } from './alerting/index.js';
import { RedisLease, rulerLeaseKey } from './alerting/lease.js';
import { QueryCache } from './query/cache/index.js';
import { RedisTailFeed, RedisTailPublisher, TailHub } from './query/tail/index.js';
import { startSyslogListener } from './ingest/syslog/listener.js';
import { createBatchHandler, type ProcessorDeps } from './processor/index.js';
import { Readiness } from './health/readiness.js';
import { DiskSpace } from './health/disk-space.js';
import { StoreHealth } from './health/store-health.js';
import { probeSpace } from './health/space-probe.js';
import { withAdmission } from './queue/admission.js';
import { formatBytes } from './storage/common/format-bytes.js';
import { BackupJobs } from './backup/index.js';
import type { Metrics } from './telemetry/metrics.js';
import { createAuth, openAuth, type AuthBackends } from './auth/init.js';
import { createPatternMiner } from './patterns/index.js';
import { openSavedQueries } from './saved-queries/init.js';

export type ModuleName = 'store' | 'queue' | 'alerting' | 'processor' | 'retention' | 'ingest-api' | 'query-api' | 'ruler' | 'server';

export const DEPENDS: Record<ModuleName, ModuleName[]> = {
  store: [],
  queue: [],
  // Notifiers and the critical-log alerter; the processor hands it committed critical entries.
  alerting: [],
  processor: ['queue', 'store', 'alerting'],
  ruler: ['store', 'alerting'],
  retention: ['store'],
  'ingest-api': ['queue'],
  'query-api': ['store'],
  server: [],
};

export const ROLES = {
  serve: ['server', 'store', 'queue', 'alerting', 'processor', 'retention', 'ingest-api', 'query-api', 'ruler'],
  all: ['server', 'store', 'queue', 'alerting', 'processor', 'retention', 'ingest-api', 'query-api', 'ruler'],
  // Pushes into the Redis queue; answers 2xx once XADD succeeded.
  ingest: ['server', 'queue', 'ingest-api'],
  // Redis consumer → PostgreSQL writes, critical-log alerts; retention (idempotent, any pod may run it).
  process: ['server', 'store', 'queue', 'alerting', 'processor', 'retention'],
  query: ['server', 'store', 'query-api'],
  // Any number of replicas when queue.redis.url is set: only the holder of the Redis lease evaluates.
  ruler: ['server', 'store', 'alerting', 'ruler'],
} satisfies Record<string, ModuleName[]>;
export type Role = keyof typeof ROLES;

/** Roles of the distributed mode, which need the Redis queue and/or PostgreSQL store. */
export const CLUSTER_ROLES = ['ingest', 'process', 'query', 'ruler'] as const;

export type Backends = 'embedded' | 'cluster';

/**
 * Which backends a role runs with, or throws a message naming the missing option: the cluster
 * roles need `queue.redis.url` when they run the queue and `storage.postgres.url` when they run
 * the store; `all` runs the cluster path only when both are set.
 */
export function backendsFor(cfg: Config, role: Role): Backends {
  if (role === 'serve') return 'embedded';
  const mods = ROLES[role] as readonly ModuleName[];
  const redis = cfg.queue.redis.url !== '';
  const postgres = cfg.storage.postgres.url !== '';
  if (role === 'all' && !redis && !postgres) return 'embedded';
  const missing: string[] = [];
  if (mods.includes('queue') && !redis) missing.push('queue.redis.url (env LOGSENTINEL_QUEUE_REDIS_URL)');
  if (mods.includes('store') && !postgres) missing.push('storage.postgres.url (env LOGSENTINEL_STORAGE_POSTGRES_URL)');
  if (missing.length > 0) {
    const why = role === 'all' ? 'runs the cluster path when either URL is set, and then needs both' : `needs the ${mods.includes('queue') && mods.includes('store') ? 'Redis queue and the PostgreSQL store' : mods.includes('queue') ? 'Redis queue' : 'PostgreSQL store'}`;
    throw new Error(`cannot start role ${role}: it ${why}; set ${missing.join(' and ')}`);
  }
  return 'cluster';
}

export interface Running {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  storage?: Storage;
  stop(): Promise<void>;
}

function order(names: ModuleName[]): ModuleName[] {
  const out: ModuleName[] = [];
  const visit = (n: ModuleName): void => {
    if (out.includes(n)) return;
    for (const d of DEPENDS[n]) visit(d);
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}

export function ingestLimits(cfg: Config): IngestLimits {
  const l = cfg.limits;
  return {
    maxLineSize: l.maxLineSize,
    maxLineSizeTruncate: l.maxLineSizeTruncate,
    maxLabelNamesPerSeries: l.maxLabelNamesPerSeries,
    maxLabelNameLength: l.maxLabelNameLength,
    maxLabelValueLength: l.maxLabelValueLength,
    creationGracePeriodNs: BigInt(l.creationGracePeriodMs) * 1_000_000n,
    rejectOlderThanNs: l.rejectOlderThanMs > 0 ? BigInt(l.rejectOlderThanMs) * 1_000_000n : null,
    maxStructuredMetadataEntries: l.maxStructuredMetadataEntries,
    maxStructuredMetadataSize: l.maxStructuredMetadataSize,
    maxDecompressedBodySize: cfg.server.maxRequestBytes,
  };
}

/**
 * What the modules of one process share: the configuration, the logger, metrics, the HTTP
 * context, readiness, and what each started module publishes for the modules that depend on it
 * (set by its init function, read only by modules after it in `DEPENDS` order).
 */
export interface Modules {
  readonly cfg: Config;
  readonly role: Role;
  readonly backends: Backends;
  /** The modules this process runs, in start order. */
  readonly names: readonly ModuleName[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly ctx: AppContext;
  readonly readiness: Readiness;
  /** Readiness checks of external dependencies (cluster mode), filled by `store` and `queue`. */
  readonly checks: DependencyCheck[];
  /** The live-tail hub of this process's query API; the embedded processor publishes into it. */
  readonly tailHub?: TailHub;
  storage?: Storage;
  /** Store errors and whether pushes may be taken (src/health/store-health.ts). */
  storeHealth?: StoreHealth;
  /** The free-space watermark of the data directory (embedded store). */
  diskSpace?: DiskSpace;
  queue?: Queue;
  redisQueue?: RedisStreamsQueue;
  alerting?: Alerting;
  rulerLease?: RedisLease;
  app?: FastifyInstance;
}

type Stop = () => Promise<void>;

/** Runs stop functions in reverse order (the last opened closes first); every one runs, the first error is thrown. */
function stopAll(stops: Stop[]): Stop {
  return async () => {
    let first: unknown;
    for (const s of [...stops].reverse()) await s().catch((err: unknown) => (first ??= err));
    if (first !== undefined) throw first;
  };
}

/**
 * The store: PostgreSQL in cluster mode (with its readiness check), else the DuckDB file with the
 * free-space watermark of its data directory. Both report store errors to readiness.
 */
async function initStore(m: Modules): Promise<Stop> {
  const { cfg, logger, metrics } = m;
  const storeHealth = (storage: Storage, probe?: () => Promise<void>): StoreHealth => {
    const h = new StoreHealth({
      storage,
      probe,
      onChange: (full) => (full !== undefined ? logger.error({ reason: full }, 'store is full: pushes are refused until space is freed') : logger.info('store takes writes again')),
    });
    m.storeHealth = h;
    m.readiness.addCondition('store', () => h.condition());
    return h;
  };
  if (m.backends === 'cluster') {
    const pgc = cfg.storage.postgres;
    // PostgreSQL enforces idempotency itself (unique index), so it needs no dedup window.
    const s = new PostgresStorage({
      url: pgc.url,
      schema: pgc.schema,
      timescaledb: pgc.timescaledb,
      partitionNs: BigInt(pgc.chunkIntervalMs) * 1_000_000n,
      compressAfterNs: BigInt(pgc.compressAfterMs) * 1_000_000n,
      // The TimescaleDB layout turns retention.period into a retention policy (dropping whole chunks).
      retentionNs: BigInt(Math.max(0, cfg.retention.periodMs)) * 1_000_000n,
      onNotice: (level, message) => (level === 'warn' ? logger.warn(message) : logger.info(message)),
      onBackgroundError: (what, err) => logger.error({ err }, `storage ${what} failed`),
    });
    await s.open();
    m.storage = s;
    m.ctx.storage = s;
    const sh = storeHealth(s);
    const health = postgresCheck(pgc.url);
    m.checks.push(health.check);
    return stopAll([() => s.close(), health.close, async () => sh.stop()]);
  }
  const s = new DuckDBStorage({
    dataDir: cfg.dataDir,
    memoryLimit: cfg.storage.duckdb.memoryLimit,
    threads: cfg.storage.duckdb.threads,
    checkpointIntervalMs: cfg.storage.duckdb.checkpointIntervalMs,
    checkpointWalBytes: cfg.storage.duckdb.checkpointWalBytes,
    dedupWindowEntries: cfg.ingest.dedupWindowEntries,
    onCheckpoint: (ms) => metrics.checkpointDuration.observe(ms / 1000),
    onBlockFilter: (read, skipped) => {
      metrics.lineBlocks.inc({ result: 'read' }, read);
      metrics.lineBlocks.inc({ result: 'skipped' }, skipped);
    },
    onBackgroundError: (what, err) => logger.error({ err }, `storage ${what} failed`),
    onReopen: ({ cause, ms }) => logger.warn({ cause, ms: Math.round(ms) }, 'store reopened after a fatal error; the WAL was replayed'),
  });
  await s.open();
  m.storage = s;
  m.ctx.storage = s;
  const disk = new DiskSpace({
    dir: cfg.dataDir,
    minFreeBytes: cfg.storage.minFreeBytes,
    onChange: (below, space) =>
      below
        ? logger.error({ freeBytes: space.freeBytes, minFreeBytes: cfg.storage.minFreeBytes }, `free space of the data directory is below storage.minFreeBytes (${formatBytes(cfg.storage.minFreeBytes)}): pushes are refused until space is freed`)
        : logger.info({ freeBytes: space.freeBytes }, 'free space of the data directory is back above storage.minFreeBytes'),
  });
  await disk.start();
  m.diskSpace = disk;
  m.readiness.addCondition('disk', () => disk.condition());
  const sh = storeHealth(s, () => probeSpace(cfg.dataDir));
  await sh.check();
  // A backup must not take the space the watermark keeps (it may go to the store's filesystem).
  const backups = new BackupJobs({ source: s, version: VERSION, reserveBytes: Math.max(cfg.storage.minFreeBytes, 16 * 1024 * 1024), logger });
  m.ctx.backups = backups;
  return stopAll([() => s.close(), async () => disk.stop(), async () => sh.stop(), () => backups.stop()]);
}

/**
 * The queue: Redis Streams in cluster mode, else in-process group commit, which asks the store
 * (started before it in `serve` and embedded `all`) before every append.
 */
async function initQueue(m: Modules): Promise<Stop> {
  const { cfg, logger, metrics } = m;
  if (m.backends === 'cluster') {
    const r = cfg.queue.redis;
    const q = new RedisStreamsQueue({
      url: r.url,
      prefix: r.prefix,
      partitions: r.partitions,
      maxBacklog: r.maxBacklog,
      claimIdleMs: r.claimIdleMs,
      readCount: r.readCount,
      blockMs: r.blockMs,
      consumer: r.consumerName || undefined,
      onError: (what, err) => logger.warn({ err }, `cannot ${what}`),
      onDeadLetter: (lines) => metrics.queueDeadLettered.inc(lines),
    });
    await q.open();
    m.queue = q;
    m.redisQueue = q;
    m.ctx.queue = q;
    m.checks.push({ name: 'redis', check: () => q.ping() });
    logger.info({ redis: redactUrl(r.url), prefix: r.prefix, partitions: r.partitions, consumer: q.consumerName }, 'redis streams queue opened');
    return () => q.close();
  }
  const q = new GroupCommitQueue({
    maxBatchEntries: cfg.ingest.maxBatchEntries,
    maxBatchDelayMs: cfg.ingest.maxBatchDelayMs,
    maxQueuedEntries: cfg.ingest.maxQueuedEntries,
  });
  const disk = m.diskSpace;
  const health = m.storeHealth;
  const queue =
    disk && health
      ? withAdmission(q, (what) => {
          disk.admit(what);
          health.admit(what);
        })
      : q;
  m.queue = queue;
  m.ctx.queue = queue;
  return () => q.close();
}

/** Notifiers and the critical-log alerter (the processor hands it committed critical entries). */
async function initAlerting(m: Modules): Promise<Stop> {
  const { cfg } = m;
  const host = cfg.server.host === '0.0.0.0' || cfg.server.host === '::' ? '127.0.0.1' : cfg.server.host;
  const scheme = cfg.server.tls.certFile === '' ? 'http' : 'https';
  const externalUrl = cfg.alerting.externalUrl || `${scheme}://${host}:${cfg.server.port}`;
  // A cluster-mode ruler keeps rules and alert state in PostgreSQL, shared by every ruler.
  const runsRuler = (ROLES[m.role] as readonly ModuleName[]).includes('ruler');
  const cluster = m.backends === 'cluster' && runsRuler ? { url: cfg.storage.postgres.url, schema: cfg.storage.postgres.schema } : undefined;
  const al = createAlerting(cfg, m.metrics, m.logger, externalUrl, cluster);
  m.alerting = al;
  return () => al.stop();
}

/** The processor (src/processor/): consumes the queue into the store, then tail, alerts, metrics. */
async function initProcessor(m: Modules): Promise<Stop | undefined> {
  const { cfg, logger, metrics } = m;
  let publish: ProcessorDeps['publish'];
  let stop: Stop | undefined;
  if (m.backends === 'cluster') {
    const tp = new RedisTailPublisher({ url: cfg.queue.redis.url, prefix: cfg.queue.redis.prefix, onError: (err) => logger.warn({ err }, 'cannot publish committed entries for live tail') });
    publish = (batches) => tp.publish(batches);
    stop = () => tp.close();
  } else if (m.tailHub) {
    const hub = m.tailHub;
    publish = (batches) => hub.publish(batches);
  }
  const critical = m.alerting?.critical;
  // Log patterns (src/patterns): mined from committed batches in this process, embedded mode only.
  let observe: ProcessorDeps['observe'];
  if (m.backends === 'embedded' && cfg.patterns.enabled) {
    const alert = m.alerting?.newPattern;
    const miner = createPatternMiner(cfg.patterns, metrics, alert && ((p) => alert.observe(p)), logger);
    m.ctx.patterns = miner;
    observe = (batches) => miner.observe(batches);
    const prev = stop;
    stop = async () => {
      miner.close();
      await prev?.();
    };
  }
  m.queue!.consume(
    createBatchHandler({
      storage: m.storage!,
      publish,
      critical: critical && {
        alerter: critical,
        levels: m.alerting?.levels ?? new Set<string>(),
        count: (tenant, n) => metrics.criticalEntries.inc({ tenant }, n),
        logger,
      },
      timeCommit: () => metrics.commitDuration.startTimer(),
      processed: (tenant, n) => metrics.logsProcessed.inc({ tenant }, n),
      onWrite: (err) => m.storeHealth?.observe(err),
      observe,
    }),
  );
  return stop;
}

/** Retention: every `retention.interval`, deletes entries older than `retention.period`. */
async function initRetention(m: Modules): Promise<Stop | undefined> {
  const { cfg, logger, metrics } = m;
  const period = cfg.retention.periodMs;
  if (period <= 0) return undefined;
  const st = m.storage!;
  const run = async (): Promise<void> => {
    const cutoff = nowNs() - BigInt(period) * 1_000_000n;
    const deleted = await st.applyRetention(cutoff);
    metrics.retentionDeleted.inc(deleted);
    if (deleted > 0) logger.info({ deleted, cutoff: cutoff.toString() }, 'retention deleted old entries');
  };
  const timer = setInterval(() => void run().catch((err) => logger.error({ err }, 'retention failed')), cfg.retention.intervalMs);
  timer.unref();
  return async () => clearInterval(timer);
}

/** The ruler; in cluster mode with Redis, rulers share one lease and only its holder evaluates. */
async function initRuler(m: Modules): Promise<undefined> {
  const { cfg, logger } = m;
  const al = m.alerting!;
  if (m.backends === 'cluster' && cfg.queue.redis.url !== '' && cfg.ruler.enabled) {
    m.rulerLease = new RedisLease({ url: cfg.queue.redis.url, key: rulerLeaseKey(cfg.queue.redis.prefix), ttlMs: cfg.ruler.leaseTtlMs, logger, onChange: (held) => al.leaseChanged(held) });
  }
  await al.startRuler(m.storage!, undefined, m.rulerLease);
  return undefined;
}

/** Query API extras of cluster mode with Redis: the query_range results cache and the tail feed. */
async function initQueryApi(m: Modules): Promise<Stop | undefined> {
  const { cfg, logger, metrics } = m;
  if (m.backends !== 'cluster' || cfg.queue.redis.url === '') return undefined;
  const stops: Stop[] = [];
  const qc = cfg.query.cache;
  if (qc.enabled) {
    const cache = new QueryCache({
      url: cfg.queue.redis.url,
      ttlMs: qc.ttlMs,
      logger,
      counters: { hit: () => metrics.cacheHits.inc(), miss: () => metrics.cacheMisses.inc(), error: () => metrics.cacheErrors.inc() },
    });
    await cache.waitReady(2000);
    m.ctx.queryCache = { cache, prefix: cfg.queue.redis.prefix, maxFreshnessNs: BigInt(qc.maxFreshnessMs) * 1_000_000n };
    stops.push(() => cache.close());
  }
  if (m.tailHub) {
    const feed = new RedisTailFeed(m.tailHub, { url: cfg.queue.redis.url, prefix: cfg.queue.redis.prefix, onError: (what, err) => logger.warn({ err }, `cannot ${what}`) });
    stops.push(() => feed.close());
  }
  return stopAll(stops);
}

/** Ingest beyond HTTP (whose routes the server registers): the syslog listener when configured. */
async function initIngestApi(m: Modules): Promise<Stop | undefined> {
  const { logger, metrics } = m;
  const sc = m.cfg.syslog;
  if (sc.port <= 0 && sc.tlsPort <= 0) return undefined;
  const sl = await startSyslogListener({ ...sc, queue: m.queue!, limits: m.ctx.limits, tenantLimits: m.ctx.tenantLimits, tlsReloadIntervalMs: m.cfg.server.tls.reloadIntervalMs, metrics, logger });
  logger.info({ tcpPort: sl.tcpPort, udpPort: sl.udpPort, tlsPort: sl.tlsPort, host: sc.host, tenant: sc.tenant, tlsClientCerts: sc.tlsClientCaFile === '' ? 'off' : sc.tlsRequireClientCert ? 'required' : 'optional' }, 'syslog listener started');
  return () => sl.stop();
}

/** The HTTP server with the route groups of the role's modules; it listens before the rest opens. */
async function initServer(m: Modules): Promise<Stop | undefined> {
  const { cfg } = m;
  const roleModules = ROLES[m.role] as readonly ModuleName[];
  const https = httpsPair(cfg);
  const app = await buildServer(m.ctx, {
    ingest: roleModules.includes('ingest-api'),
    query: roleModules.includes('query-api'),
    rules: roleModules.includes('ruler') ? () => m.alerting : undefined,
    https,
  });
  m.app = app;
  await app.listen({ host: cfg.server.host, port: cfg.server.port });
  // The server itself is closed by `stop`, first, so no request arrives while the other modules
  // stop; what is left here is the certificate reload under HTTPS.
  if (!https) return undefined;
  const t = cfg.server.tls;
  const stopReload = reloadCertificates(app.server as unknown as TlsServer, https, { certFile: t.certFile, keyFile: t.keyFile, intervalMs: t.reloadIntervalMs, what: 'HTTPS certificate', logger: m.logger });
  return async () => stopReload();
}

/** Every tenant's limits before overrides: `limits.*`. */
export function defaultTenantLimits(cfg: Config): TenantLimits {
  const l = cfg.limits;
  return {
    ingest: ingestLimits(cfg),
    ingestionRateBytes: l.ingestionRateMb * MIB,
    ingestionBurstBytes: l.ingestionBurstSizeMb * MIB,
    maxGlobalStreams: l.maxGlobalStreamsPerUser,
    maxQueryParallelism: l.maxQueryParallelism,
  };
}

const INIT: Record<ModuleName, (m: Modules) => Promise<Stop | undefined>> = {
  store: initStore,
  queue: initQueue,
  alerting: initAlerting,
  processor: initProcessor,
  retention: initRetention,
  ruler: initRuler,
  'query-api': initQueryApi,
  'ingest-api': initIngestApi,
  server: initServer,
};

/** Starts the modules of a role and the HTTP server; resolves once it listens and is ready. */
export async function start(cfg: Config, role: Role, opts: { logger?: Logger } = {}): Promise<Running> {
  const logger = opts.logger ?? createLogger(cfg.server.logLevel);
  const backends = backendsFor(cfg, role);
  const names = order(ROLES[role]);
  const readiness = new Readiness();
  const checks: DependencyCheck[] = [];
  // Each external dependency's last known state (the `dependency_up` gauge).
  const dependencyState = new Map<string, boolean>();
  const metrics = moduleMetrics(() => m, dependencyState);
  const ctx: AppContext = {
    config: cfg,
    logger,
    metrics,
    limits: ingestLimits(cfg),
    ...queryResources(cfg.query),
    ready: () => readiness.isStarted(),
    dependencies: backends === 'cluster' ? cachedDependencyChecks(checks, { onResult: (name, up) => dependencyState.set(name, up) }) : undefined,
    readiness,
    version: VERSION,
  };
  if (ctx.dependencies) readiness.setDependencies(ctx.dependencies);
  // Per-tenant limits (src/limits): `limits.*` as defaults, overrides re-read from limits.overridesFile.
  const tenantLimits = new TenantLimiter({
    defaults: defaultTenantLimits(cfg),
    streamIdleMs: cfg.limits.streamIdleTimeoutMs,
    maxOutstandingPerTenant: cfg.query.maxOutstandingPerTenant,
    metrics,
  });
  ctx.tenantLimits = tenantLimits;
  if (cfg.limits.overridesFile !== '') tenantLimits.watchOverrides(cfg.limits.overridesFile, cfg.limits.overridesPeriodMs, logger);
  // Authentication (src/auth): in place before the server listens, so nothing is served without
  // credentials while the credentials store opens (503 until then); opened after the modules.
  const authBackends: AuthBackends = { backends, queue: () => m.queue, storage: () => m.storage };
  const auth = createAuth(cfg, role, authBackends, logger);
  ctx.auth = auth;
  // Created up front: the processor (embedded) publishes into the hub of this process's query API.
  const tailHub = names.includes('query-api') ? new TailHub() : undefined;
  ctx.tailHub = tailHub;
  const m: Modules = { cfg, role, backends, names, logger, metrics, ctx, readiness, checks, tailHub };

  const stops: Stop[] = [async () => tenantLimits.close()];
  for (const name of names) {
    const stop = await INIT[name](m);
    if (stop) stops.push(stop);
  }
  const app = m.app!;
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.server.port;
  const host = cfg.server.host === '0.0.0.0' || cfg.server.host === '::' ? '127.0.0.1' : cfg.server.host;
  if (auth) stops.push(await openAuth(auth, cfg, authBackends, { url: `http://${host}:${port}`, logger }));
  // Saved queries (src/saved-queries) live beside the credentials, in the store of the query API.
  if (names.includes('query-api')) stops.push(await openSavedQueries(ctx, cfg, { backends, storage: m.storage }));
  readiness.markStarted();
  logger.info({ role, backends, modules: names, port, dataDir: cfg.dataDir }, 'LogSentinel started');
  let stopping: Promise<void> | undefined;
  return {
    app,
    ctx,
    url: `${cfg.server.tls.certFile === '' ? 'http' : 'https'}://${host}:${port}`,
    storage: m.storage,
    stop: () =>
      (stopping ??= (async () => {
        readiness.markStopping();
        await app.close().catch((err: unknown) => logger.error({ err }, 'error while stopping the HTTP server'));
        for (const s of stops.reverse()) {
          try {
            await s();
          } catch (err) {
            logger.error({ err }, 'error while stopping');
          }
        }
      })()),
  };
}
