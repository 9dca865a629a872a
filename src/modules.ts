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
 * The HTTP server starts first, so liveness answers and readiness says "not ready" while the
 * store opens; the other modules start in `DEPENDS` order. Stopping closes the server first (no
 * new requests), then the rest in reverse order: the queue drains before the store closes.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load.js';
import type { AppContext } from './api/context.js';
import { buildServer } from './api/server.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { createMetrics } from './telemetry/metrics.js';
import { DuckDBStorage } from './storage/duckdb/duckdb-storage.js';
import { PostgresStorage } from './storage/postgres/postgres-storage.js';
import type { Storage } from './storage/storage.js';
import { GroupCommitQueue } from './queue/group-commit.js';
import { RedisStreamsQueue, redactUrl } from './queue/redis-streams/redis-streams-queue.js';
import { cachedDependencyChecks, type DependencyCheck } from './api/dependency-checks.js';
import pg from 'pg';
import { statfs } from 'node:fs/promises';
import type { Queue } from './queue/queue.js';
import { Semaphore } from './query/semaphore.js';
import { nowNs } from './query/time.js';
import type { IngestLimits } from './ingest/common/limits.js';
import { VERSION } from './version.js';
import { createAlerting, type Alerting } from './alerting/index.js';
import { scanCritical } from './alerting/critical-alerter.js';
import { RedisLease, rulerLeaseKey } from './alerting/lease.js';
import { QueryCache } from './query/cache/index.js';
import { RedisTailFeed, RedisTailPublisher, TailHub } from './query/tail/index.js';
import { startSyslogListener } from './ingest/syslog/listener.js';

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

/** SELECT 1 over one short-lived pooled connection: readiness of the roles that use PostgreSQL. */
function postgresCheck(url: string): { check: DependencyCheck; close: () => Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 1000 });
  pool.on('error', () => {
    // An idle connection that broke is dropped by the pool; the next check reports the outage.
  });
  return {
    check: { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
    close: () => pool.end(),
  };
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

/** Starts the modules of a role and the HTTP server; resolves once it listens and is ready. */
export async function start(cfg: Config, role: Role, opts: { logger?: Logger } = {}): Promise<Running> {
  const logger = opts.logger ?? createLogger(cfg.server.logLevel);
  const backends = backendsFor(cfg, role);
  const names = order(ROLES[role]);
  const checks: DependencyCheck[] = [];
  let redisQueue: RedisStreamsQueue | undefined;
  let storage: Storage | undefined;
  let queue: Queue | undefined;
  let ready = false;
  const stops: Array<() => Promise<void>> = [];
  let alerting: Alerting | undefined;
  let rulerLease: RedisLease | undefined;

  let consumerStats: { at: number; value: Promise<{ lagEntries: number; pendingEntries: number; activeProcessors: number }> } | undefined;
  let lastStats = { lagEntries: 0, pendingEntries: 0, activeProcessors: 0 };
  let lastSize = 0;
  const dependencyState = new Map<string, boolean>();
  let dependencies: (() => Promise<string | undefined>) | undefined;
  const metrics = createMetrics({
    queueDepth: () => queue?.depth() ?? 0,
    queueConsumers: () => {
      // One Redis round per scrape for the three gauges; a Redis outage keeps the last figures.
      const q = redisQueue;
      if (!q) return Promise.resolve({ lagEntries: 0, pendingEntries: 0, activeProcessors: names.includes('processor') ? 1 : 0 });
      if (!consumerStats || Date.now() - consumerStats.at > 500) {
        consumerStats = {
          at: Date.now(),
          value: q.stats().then(
            (v) => (lastStats = v),
            () => lastStats,
          ),
        };
      }
      return consumerStats.value;
    },
    // A database outage must not turn /metrics into a 500 (the outage is what operators chart).
    storageSize: async () => (storage ? (lastSize = await storage.sizeBytes().catch(() => lastSize)) : 0),
    storageFilesystem: async () => {
      if (backends !== 'embedded' || !storage) return undefined;
      const fs = await statfs(cfg.dataDir).catch(() => undefined);
      return fs && { freeBytes: fs.bavail * fs.bsize, sizeBytes: fs.blocks * fs.bsize };
    },
    dependencies: async () => {
      if (dependencies) await dependencies();
      return dependencyState;
    },
    alertsFiring: () => alerting?.firingCount() ?? 0,
    rulerLeaseHeld: () => rulerLease?.held() ?? false,
  });

  const ctx: AppContext = {
    config: cfg,
    logger,
    metrics,
    limits: ingestLimits(cfg),
    querySlots: new Semaphore(cfg.query.maxConcurrent),
    ready: () => ready,
    dependencies: (dependencies = backends === 'cluster' ? cachedDependencyChecks(checks, { onResult: (name, up) => dependencyState.set(name, up) }) : undefined),
    version: VERSION,
  };
  let app: FastifyInstance | undefined;
  // Created up front: the processor (embedded) publishes into the hub of this process's query API.
  const tailHub = names.includes('query-api') ? new TailHub() : undefined;
  ctx.tailHub = tailHub;

  for (const name of names) {
    switch (name) {
      case 'store': {
        if (backends === 'cluster') {
          const pgc = cfg.storage.postgres;
          // PostgreSQL enforces idempotency itself (unique index), so it needs no dedup window.
          const s = new PostgresStorage({
            url: pgc.url,
            schema: pgc.schema,
            onBackgroundError: (what, err) => logger.error({ err }, `storage ${what} failed`),
          });
          await s.open();
          storage = s;
          ctx.storage = s;
          stops.push(() => s.close());
          const health = postgresCheck(pgc.url);
          checks.push(health.check);
          stops.push(health.close);
          break;
        }
        const s = new DuckDBStorage({
          dataDir: cfg.dataDir,
          memoryLimit: cfg.storage.duckdb.memoryLimit,
          threads: cfg.storage.duckdb.threads,
          checkpointIntervalMs: cfg.storage.duckdb.checkpointIntervalMs,
          checkpointWalBytes: cfg.storage.duckdb.checkpointWalBytes,
          dedupWindowEntries: cfg.ingest.dedupWindowEntries,
          onCheckpoint: (ms) => metrics.checkpointDuration.observe(ms / 1000),
          onBackgroundError: (what, err) => logger.error({ err }, `storage ${what} failed`),
        });
        await s.open();
        storage = s;
        ctx.storage = s;
        stops.push(() => s.close());
        break;
      }
      case 'queue': {
        if (backends === 'cluster') {
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
          queue = q;
          redisQueue = q;
          ctx.queue = q;
          checks.push({ name: 'redis', check: () => q.ping() });
          stops.push(() => q.close());
          logger.info({ redis: redactUrl(r.url), prefix: r.prefix, partitions: r.partitions, consumer: q.consumerName }, 'redis streams queue opened');
          break;
        }
        const q = new GroupCommitQueue({
          maxBatchEntries: cfg.ingest.maxBatchEntries,
          maxBatchDelayMs: cfg.ingest.maxBatchDelayMs,
          maxQueuedEntries: cfg.ingest.maxQueuedEntries,
        });
        queue = q;
        ctx.queue = q;
        stops.push(() => q.close());
        break;
      }
      case 'alerting': {
        const host = cfg.server.host === '0.0.0.0' || cfg.server.host === '::' ? '127.0.0.1' : cfg.server.host;
        const externalUrl = cfg.alerting.externalUrl || `http://${host}:${cfg.server.port}`;
        // A cluster-mode ruler keeps rules and alert state in PostgreSQL, shared by every ruler.
        const runsRuler = (ROLES[role] as readonly ModuleName[]).includes('ruler');
        const cluster = backends === 'cluster' && runsRuler ? { url: cfg.storage.postgres.url, schema: cfg.storage.postgres.schema } : undefined;
        const al = createAlerting(cfg, metrics, logger, externalUrl, cluster);
        alerting = al;
        stops.push(() => al.stop());
        break;
      }
      case 'processor': {
        const st = storage!;
        const critical = alerting?.critical;
        const levels = alerting?.levels ?? new Set<string>();
        let tailPublisher: RedisTailPublisher | undefined;
        if (backends === 'cluster') {
          const tp = new RedisTailPublisher({ url: cfg.queue.redis.url, prefix: cfg.queue.redis.prefix, onError: (err) => logger.warn({ err }, 'cannot publish committed entries for live tail') });
          tailPublisher = tp;
          stops.push(() => tp.close());
        }
        queue!.consume(async (batches) => {
          const end = metrics.commitDuration.startTimer();
          await st.write(batches);
          end();
          // Committed: live tails see it now (fire and forget, never awaited here).
          if (tailPublisher) tailPublisher.publish(batches);
          else tailHub?.publish(batches);
          if (critical) {
            // Committed: critical entries alert now, not at the next ruler interval.
            const hits = scanCritical(batches, levels);
            if (hits) {
              try {
                critical.observe(hits);
              } catch (err) {
                logger.error({ err }, 'critical log alerting failed');
              }
              for (const h of hits) metrics.criticalEntries.inc({ tenant: h.tenant }, h.count);
            }
          }
          const perTenant = new Map<string, number>();
          for (const b of batches) {
            let n = 0;
            for (const s of b.streams) n += s.entries.length;
            perTenant.set(b.tenant, (perTenant.get(b.tenant) ?? 0) + n);
          }
          for (const [tenant, n] of perTenant) metrics.logsProcessed.inc({ tenant }, n);
        });
        break;
      }
      case 'retention': {
        const period = cfg.retention.periodMs;
        if (period <= 0) break;
        const st = storage!;
        const run = async (): Promise<void> => {
          const cutoff = nowNs() - BigInt(period) * 1_000_000n;
          const deleted = await st.applyRetention(cutoff);
          metrics.retentionDeleted.inc(deleted);
          if (deleted > 0) logger.info({ deleted, cutoff: cutoff.toString() }, 'retention deleted old entries');
        };
        const timer = setInterval(() => void run().catch((err) => logger.error({ err }, 'retention failed')), cfg.retention.intervalMs);
        timer.unref();
        stops.push(async () => clearInterval(timer));
        break;
      }
      case 'ruler': {
        const al = alerting!;
        // Cluster mode with Redis: rulers share one lease, only its holder evaluates (lease.ts).
        if (backends === 'cluster' && cfg.queue.redis.url !== '' && cfg.ruler.enabled) {
          rulerLease = new RedisLease({ url: cfg.queue.redis.url, key: rulerLeaseKey(cfg.queue.redis.prefix), ttlMs: cfg.ruler.leaseTtlMs, logger, onChange: (held) => al.leaseChanged(held) });
        }
        await al.startRuler(storage!, undefined, rulerLease);
        break;
      }
      case 'query-api': {
        // Cluster mode with Redis: cache-aside for query_range results of metric queries.
        const qc = cfg.query.cache;
        if (backends === 'cluster' && cfg.queue.redis.url !== '' && qc.enabled) {
          const cache = new QueryCache({
            url: cfg.queue.redis.url,
            ttlMs: qc.ttlMs,
            logger,
            counters: { hit: () => metrics.cacheHits.inc(), miss: () => metrics.cacheMisses.inc(), error: () => metrics.cacheErrors.inc() },
          });
          await cache.waitReady(2000);
          ctx.queryCache = { cache, prefix: cfg.queue.redis.prefix, maxFreshnessNs: BigInt(qc.maxFreshnessMs) * 1_000_000n };
          stops.push(() => cache.close());
        }
        if (backends === 'cluster' && cfg.queue.redis.url !== '' && tailHub) {
          const feed = new RedisTailFeed(tailHub, { url: cfg.queue.redis.url, prefix: cfg.queue.redis.prefix, onError: (what, err) => logger.warn({ err }, `cannot ${what}`) });
          stops.push(() => feed.close());
        }
        break;
      }
      case 'ingest-api': {
        const sc = cfg.syslog;
        if (sc.port > 0 || sc.tlsPort > 0) {
          const sl = await startSyslogListener({ ...sc, queue: queue!, limits: ctx.limits, metrics, logger });
          stops.push(() => sl.stop());
          logger.info({ tcpPort: sl.tcpPort, udpPort: sl.udpPort, tlsPort: sl.tlsPort, host: sc.host, tenant: sc.tenant }, 'syslog listener started');
        }
        break;
      }
      case 'server': {
        const roleModules = ROLES[role] as readonly ModuleName[];
        app = await buildServer(ctx, {
          ingest: roleModules.includes('ingest-api'),
          query: roleModules.includes('query-api'),
          rules: roleModules.includes('ruler') ? () => alerting : undefined,
        });
        await app.listen({ host: cfg.server.host, port: cfg.server.port });
        break;
      }
    }
  }
  ready = true;
  const addr = app!.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.server.port;
  const host = cfg.server.host === '0.0.0.0' || cfg.server.host === '::' ? '127.0.0.1' : cfg.server.host;
  logger.info({ role, backends, modules: names, port, dataDir: cfg.dataDir }, 'LogSentinel started');
  let stopping: Promise<void> | undefined;
  return {
    app: app!,
    ctx,
    url: `http://${host}:${port}`,
    storage,
    stop: () =>
      (stopping ??= (async () => {
        ready = false;
        await app!.close().catch((err: unknown) => logger.error({ err }, 'error while stopping the HTTP server'));
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
