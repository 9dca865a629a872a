/**
 * The critical-log step: right after a commit, entries at an alerting level fire the critical-log
 * alert at once (src/alerting/critical-alerter.ts) instead of at the next ruler interval.
 */
import type { WriteBatch } from '../model/entry.js';
import type { Logger } from '../telemetry/logger.js';
import { scanCritical, type CriticalHit } from '../alerting/critical-alerter.js';

export interface CriticalDeps {
  alerter: { observe(hits: CriticalHit[]): void };
  /** Levels that alert (`alerting.critical.levels`). */
  levels: ReadonlySet<string>;
  /** Counts the committed entries at an alerting level (`critical_log_entries_total`). */
  count: (tenant: string, n: number) => void;
  logger: Pick<Logger, 'error'>;
}

/** Scans committed batches and alerts; never throws (an alerter failure is logged). */
export function alertCritical(batches: readonly WriteBatch[], deps: CriticalDeps): void {
  const hits = scanCritical(batches, deps.levels);
  if (!hits) return;
  try {
    deps.alerter.observe(hits);
  } catch (err) {
    deps.logger.error({ err }, 'critical log alerting failed');
  }
  for (const h of hits) deps.count(h.tenant, h.count);
}
