/**
 * Modules, what each needs, and which a role starts. One process runs every module (`serve`,
 * `all`); cluster roles will run subsets of them with the Redis queue and PostgreSQL store
 * swapped in by configuration.
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
import { createMetrics, type Metrics } from './telemetry/metrics.js';
import { DuckDBStorage } from './storage/duckdb/duckdb-storage.js';
import type { Storage } from './storage/storage.js';
import { GroupCommitQueue } from './queue/group-commit.js';
import type { Queue } from './queue/queue.js';
import { Semaphore } from './query/semaphore.js';
import { nowNs } from './query/time.js';
import type { IngestLimits } from './ingest/common/limits.js';
import { VERSION } from './version.js';
import { createAlerting, type Alerting } from './alerting/index.js';
import { scanCritical } from './alerting/critical-alerter.js';

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
} satisfies Record<string, ModuleName[]>;
export type Role = keyof typeof ROLES;

/** Roles of the distributed mode, which need the Redis queue and PostgreSQL store. */
export const CLUSTER_ROLES = ['ingest', 'process', 'query', 'ruler'] as const;

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
  const names = order(ROLES[role]);
  let storage: Storage | undefined;
  let queue: Queue | undefined;
  let ready = false;
  const stops: Array<() => Promise<void>> = [];
  const metricsRef: { m?: Metrics } = {};
  let alerting: Alerting | undefined;

  const metrics = createMetrics({
    queueDepth: () => queue?.depth() ?? 0,
    storageSize: async () => (storage ? storage.sizeBytes() : 0),
    alertsFiring: () => alerting?.firingCount() ?? 0,
  });
  metricsRef.m = metrics;

  const ctx: AppContext = {
    config: cfg,
    logger,
    metrics,
    limits: ingestLimits(cfg),
    querySlots: new Semaphore(cfg.query.maxConcurrent),
    ready: () => ready,
    version: VERSION,
  };
  let app: FastifyInstance | undefined;

  for (const name of names) {
    switch (name) {
      case 'store': {
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
        const al = createAlerting(cfg, metrics, logger, externalUrl);
        alerting = al;
        stops.push(() => al.stop());
        break;
      }
      case 'processor': {
        const st = storage!;
        const critical = alerting?.critical;
        const levels = alerting?.levels ?? new Set<string>();
        queue!.consume(async (batches) => {
          const end = metrics.commitDuration.startTimer();
          await st.write(batches);
          end();
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
        await al.startRuler(storage!);
        break;
      }
      case 'ingest-api':
      case 'query-api':
        break;
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
  logger.info({ role, modules: names, port, dataDir: cfg.dataDir }, 'LogSentinel started');
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
