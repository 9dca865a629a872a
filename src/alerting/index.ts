/**
 * Alerting: the ruler (rule files, evaluation, alert state), the critical-log fast path, and the
 * notifiers they share. `createAlerting` builds the pieces from configuration; `modules.ts` wires
 * the critical alerter into the processor and starts the ruler in roles that run it.
 *
 * Invariants
 * - Nothing here is awaited on the ingest or query path: notifications go through bounded queues.
 * - Alert state (rule alerts and critical alerts) is written to `<dataDir>/alerts-state.json`
 *   atomically, at most once a second while it changes, and on stop; it is restored at start.
 */
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { Storage } from '../storage/storage.js';
import { createNotifiers } from './notifiers/index.js';
import type { NotifierName } from './notifiers/notifier.js';
import { NotifierHub } from './notifier-hub.js';
import { CriticalLogAlerter } from './critical-alerter.js';
import { RuleStore } from './rule-store.js';
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
  ruler?: Ruler;
  recorded: RecordedSeries;
  levels: ReadonlySet<string>;
  /**
   * Starts the ruler (needs the store) — a no-op when the ruler is disabled. With a lease
   * (cluster mode) the ruler evaluates and notifies only while it holds it; the lease is
   * started here and released by `stop` after the ruler stopped.
   */
  startRuler(storage: Storage, evaluate?: Evaluator, lease?: RedisLease): Promise<void>;
  firingCount(): number;
  stop(): Promise<void>;
}

export function createAlerting(cfg: Config, metrics: Metrics, logger: Logger, externalUrl: string): Alerting {
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
  const store = new RuleStore(cfg.ruler.rulesDir);

  let ruler: Ruler | undefined;
  let lease: RedisLease | undefined;
  let dirty = false;
  let saving: Promise<void> | undefined;
  let saveTimer: NodeJS.Timeout | undefined;
  const save = async (): Promise<void> => {
    dirty = false;
    const snap: AlertStateSnapshot = { version: 1, savedAt: Date.now(), rules: ruler?.snapshot() ?? restored?.rules ?? {}, critical: critical?.snapshot() ?? [] };
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

  return {
    store,
    hub,
    critical,
    get ruler() {
      return ruler;
    },
    recorded,
    levels: new Set(a.critical.levels),
    async startRuler(storage, evaluate, rulerLease) {
      if (!cfg.ruler.enabled) return;
      if (rulerLease) {
        lease = rulerLease;
        await rulerLease.start();
      }
      ruler = new Ruler({
        store,
        evaluate: evaluate ?? engineEvaluator(storage),
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
        active: rulerLease ? () => rulerLease.held() : undefined,
      });
      if (restored) ruler.restore(restored.rules);
      await ruler.start();
    },
    firingCount: () => (ruler?.firingCount() ?? 0) + (critical?.firing().length ?? 0),
    async stop() {
      stopped = true;
      if (tick) clearInterval(tick);
      if (saveTimer) clearTimeout(saveTimer);
      await ruler?.stop();
      await lease?.stop();
      await saving;
      await save();
      await hub.close();
    },
  };
}
