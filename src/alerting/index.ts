/**
 * Alerting: the ruler (rule files, evaluation, alert state), the critical-log fast path, and the
 * notifiers they share. `createAlerting` builds the pieces from configuration; `modules.ts` wires
 * the critical alerter into the processor and starts the ruler in roles that run it.
 *
 * Invariants
 * - Nothing here is awaited on the ingest or query path: notifications go through bounded queues.
 * - Alert state (rule alerts and critical alerts) is written to `<dataDir>/alerts-state.json`
 *   atomically, at most once a second while it changes, and on stop; it is restored at start.
 * - Cluster mode (`cluster` given: a ruler with PostgreSQL): rules live in PostgreSQL (plus the
 *   read-only files of `ruler.rulesDir`), every ruler follows changes, and the rule alerts' state
 *   is saved to PostgreSQL by the lease holder and loaded by the next one (ruler-sync.ts); the
 *   state file then keeps this process's critical-log alerts only.
 */
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../config/load.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { Storage } from '../storage/storage.js';
import { createNotifiers } from './notifiers/index.js';
import type { NotifierName } from './notifiers/notifier.js';
import { NotifierHub } from './notifier-hub.js';
import { CriticalLogAlerter } from './critical-alerter.js';
import { NewPatternAlerter } from './new-pattern-alerter.js';
import type { Level } from '../model/level.js';
import type { RuleStore } from './rule-store.js';
import { FileRuleStore } from './file-rule-store.js';
import { PostgresRuleStore } from './postgres-rule-store.js';
import { PostgresAlertState } from './postgres-alert-state.js';
import { RulerSync } from './ruler-sync.js';
import { RecordedSeries } from './recorded-series.js';
import { Ruler } from './ruler.js';
import { engineEvaluator, type Evaluator } from './engine-adapter.js';
import { readAlertState, writeAlertState, type AlertStateSnapshot } from './state-file.js';
import type { RedisLease } from './lease.js';

export const STATE_FILE = 'alerts-state.json';

export interface Alerting {
  store: RuleStore;
  hub: NotifierHub;
  critical?: CriticalLogAlerter;
  /** The new-pattern alert (`patterns.alert.enabled`); the pattern miner feeds it. */
  newPattern?: NewPatternAlerter;
  ruler?: Ruler;
  recorded: RecordedSeries;
  levels: ReadonlySet<string>;
  /**
   * Starts the ruler (needs the store) — a no-op when the ruler is disabled. With a lease
   * (cluster mode) the ruler evaluates and notifies only while it holds it; the lease is
   * started here and released by `stop` after the ruler stopped.
   */
  startRuler(storage: Storage, evaluate?: Evaluator, lease?: RedisLease): Promise<void>;
  /** The lease's onChange (cluster mode): a new holder loads the saved alert state first. */
  leaseChanged(held: boolean): void;
  firingCount(): number;
  stop(): Promise<void>;
}

/** Where a cluster-mode ruler keeps rules and alert state: LogSentinel's PostgreSQL schema. */
export interface ClusterRulerStore {
  url: string;
  schema: string;
}

export function createAlerting(cfg: Config, metrics: Metrics, logger: Logger, externalUrl: string, cluster?: ClusterRulerStore): Alerting {
  const a = cfg.alerting;
  const hooks = (name: NotifierName): import('./notifiers/delivery-queue.js').DeliveryHooks => ({
    onSent: (n) => metrics.alertsSent.inc({ notifier: name }, n),
    onError: (err, attempt) => {
      metrics.notificationErrors.inc({ notifier: name });
      logger.warn({ notifier: name, attempt, err: err.message }, 'notification failed');
    },
    onDrop: (n, why) => {
      metrics.notificationsDropped.inc({ notifier: name }, n);
      logger.error({ notifier: name, alerts: n, why }, 'notification dropped');
    },
  });
  const notifiers = createNotifiers(a, {
    delivery: { capacity: a.queueCapacity, timeoutMs: a.timeoutMs, minBackoffMs: a.minBackoffMs, maxBackoffMs: a.maxBackoffMs, maxAttempts: a.maxAttempts },
    hooks,
    externalUrl,
  });
  const hub = new NotifierHub(notifiers, a.resendDelayMs, externalUrl);
  const statePath = join(cfg.dataDir, STATE_FILE);
  const recorded = new RecordedSeries(metrics.registry);
  let pool: pg.Pool | undefined;
  let store: RuleStore;
  let pgStore: PostgresRuleStore | undefined;
  if (cluster) {
    // Schema name checked by the store module, which opened (and migrated) it before the ruler.
    pool = new pg.Pool({ connectionString: cluster.url, max: 3, connectionTimeoutMillis: 5000, options: `-c search_path=${cluster.schema}` });
    pool.on('error', (err) => logger.warn({ err: err.message }, 'ruler lost an idle PostgreSQL connection'));
    store = pgStore = new PostgresRuleStore(pool, new FileRuleStore(cfg.ruler.rulesDir));
  } else {
    store = new FileRuleStore(cfg.ruler.rulesDir);
  }

  let ruler: Ruler | undefined;
  let sync: RulerSync | undefined;
  let lease: RedisLease | undefined;
  let dirty = false;
  let saving: Promise<void> | undefined;
  let saveTimer: NodeJS.Timeout | undefined;
  const save = async (): Promise<void> => {
    dirty = false;
    const savedAt = Date.now();
    const rules = ruler?.snapshot() ?? (cluster ? {} : restored?.rules) ?? {};
    if (sync) await sync.save({ version: 1, savedAt, rules, critical: [] }).catch((err: unknown) => logger.error({ err }, 'cannot write alert state to PostgreSQL'));
    const snap: AlertStateSnapshot = { version: 1, savedAt, rules: cluster ? {} : rules, critical: critical?.snapshot() ?? [] };
    await writeAlertState(statePath, snap).catch((err: unknown) => logger.error({ err }, 'cannot write alert state'));
  };
  const markDirty = (): void => {
    dirty = true;
    if (saveTimer || stopped) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      if (dirty) saving = save();
    }, 1000);
    saveTimer.unref();
  };
  let stopped = false;

  let restored: AlertStateSnapshot | undefined;
  try {
    restored = readAlertState(statePath);
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'alert state ignored');
  }

  const critical = a.critical.enabled
    ? new CriticalLogAlerter({ windowMs: a.critical.windowMs, groupBy: a.critical.groupBy, hub, generatorURL: `${externalUrl}/prometheus/api/v1/alerts`, onChange: markDirty })
    : undefined;
  if (critical && restored) critical.restore(restored.critical);
  let tick: NodeJS.Timeout | undefined;
  if (critical) {
    tick = setInterval(() => critical.tick(), critical.tickMs);
    tick.unref();
  }

  const pa = cfg.patterns.alert;
  const newPattern =
    cfg.patterns.enabled && pa.enabled
      ? new NewPatternAlerter({ minLevel: pa.minLevel as Level, learnForMs: pa.learnForMs, resolveAfterMs: pa.resolveAfterMs, hub, generatorURL: `${externalUrl}/prometheus/api/v1/alerts` })
      : undefined;
  let patternTick: NodeJS.Timeout | undefined;
  if (newPattern) {
    patternTick = setInterval(() => newPattern.tick(), newPattern.tickMs);
    patternTick.unref();
  }

  return {
    store,
    hub,
    critical,
    newPattern,
    get ruler() {
      return ruler;
    },
    recorded,
    levels: new Set(a.critical.levels),
    async startRuler(storage, evaluate, rulerLease) {
      if (!cfg.ruler.enabled) return;
      const rulerSync = pgStore && pool ? new RulerSync({ rules: pgStore, state: new PostgresAlertState(pool), lease: rulerLease, logger, initial: restored?.rules }) : undefined;
      // Without sync the lease starts first; with it, after the ruler exists (see below).
      if (rulerLease && !rulerSync) {
        lease = rulerLease;
        await rulerLease.start();
      }
      const r = new Ruler({
        store,
        evaluate: evaluate ?? engineEvaluator(storage, cfg.query),
        hub,
        recorded,
        defaultIntervalMs: cfg.ruler.evaluationIntervalMs,
        queryTimeoutMs: cfg.ruler.queryTimeoutMs,
        externalUrl,
        logger,
        hooks: {
          onEvaluation: (s, failed) => {
            metrics.rulerEvaluations.inc();
            if (failed) metrics.rulerEvaluationFailures.inc();
            metrics.rulerEvaluationDuration.observe(s);
          },
        },
        onChange: markDirty,
        active: rulerSync ? () => rulerSync.active() : rulerLease ? () => rulerLease.held() : undefined,
      });
      ruler = r;
      if (rulerSync) {
        sync = rulerSync;
        // Rules (and, without a lease, the saved state) from PostgreSQL; then the lease, whose
        // acquisition loads the saved state before the first evaluation.
        await rulerSync.start(r);
        if (rulerLease) {
          lease = rulerLease;
          await rulerLease.start();
        }
        return;
      }
      if (restored) r.restore(restored.rules);
      await r.start();
    },
    leaseChanged(held) {
      sync?.leaseChanged(held);
    },
    firingCount: () => (ruler?.firingCount() ?? 0) + (critical?.firing().length ?? 0) + (newPattern?.firing().length ?? 0),
    async stop() {
      stopped = true;
      if (tick) clearInterval(tick);
      if (patternTick) clearInterval(patternTick);
      if (saveTimer) clearTimeout(saveTimer);
      await sync?.stop();
      await ruler?.stop();
      await saving;
      // Before the lease is released: only the holder writes the shared state.
      await save();
      await lease?.stop();
      await pool?.end().catch(() => undefined);
      await hub.close();
    },
  };
}
