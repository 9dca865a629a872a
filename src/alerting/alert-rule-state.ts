/**
 * The state machine of one alerting rule, as Prometheus runs it (rules/alerting.go):
 *
 *   inactive ──(expr returns the series)──► pending ──(held for `for`)──► firing
 *       ▲                                      │                            │
 *       └────────(series gone: dropped)────────┘      (series gone, after keep_firing_for)
 *                                                                            ▼
 *                                                              resolved (state `inactive`)
 *
 * One alert per distinct label set the expression returns (its labels plus the rule's labels and
 * `alertname`). A resolved alert is kept for RESOLVED_RETENTION_MS so its resolution is re-sent,
 * and a series that comes back during that time starts a new pending alert. Not thread-safe
 * by design: one evaluation of a rule runs at a time.
 */
import type { Labels } from '../model/labels.js';
import { sortLabels } from '../model/labels.js';
import { fingerprint, RESOLVED_RETENTION_MS, type ActiveAlert, type AlertState } from './alert.js';
import type { AlertingRule } from './rule-file.js';
import { renderTemplates } from './template.js';

export interface Sample {
  labels: Labels;
  value: number;
}

export class AlertingRuleState {
  readonly rule: AlertingRule;
  /** By fingerprint of the alert's labels. */
  readonly active = new Map<string, ActiveAlert>();

  constructor(rule: AlertingRule) {
    this.rule = rule;
  }

  /** Applies one evaluation's result at `nowMs`. `limit` > 0 caps the alerts (Prometheus' group limit). */
  update(samples: Sample[], nowMs: number, limit = 0): void {
    const seen = new Set<string>();
    for (const s of samples) {
      const base: Labels = { ...s.labels };
      delete base.__name__;
      const data = { labels: base, value: s.value };
      const labels = sortLabels({ ...base, ...renderTemplates(this.rule.labels, data), alertname: this.rule.name });
      const annotations = renderTemplates(this.rule.annotations, data);
      const fp = fingerprint(labels);
      if (seen.has(fp)) throw new Error(`cannot evaluate alert ${this.rule.name}: vector contains metrics with the same labelset after applying alert labels`);
      seen.add(fp);
      const cur = this.active.get(fp);
      if (cur && cur.state !== 'inactive') {
        cur.value = s.value;
        cur.annotations = annotations;
        cur.keepFiringSinceMs = undefined;
        continue;
      }
      this.active.set(fp, { labels, annotations, state: 'pending', value: s.value, activeAtMs: nowMs });
    }
    if (limit > 0 && seen.size > limit) {
      for (const fp of seen) if (this.active.get(fp)?.state === 'pending' && this.active.get(fp)!.activeAtMs === nowMs) this.active.delete(fp);
      throw new Error(`cannot evaluate alert ${this.rule.name}: exceeded limit of ${limit} with ${seen.size} alerts`);
    }
    for (const [fp, a] of this.active) {
      if (!seen.has(fp)) {
        if (a.state === 'firing' && this.rule.keepFiringForMs > 0) {
          a.keepFiringSinceMs ??= nowMs;
          if (nowMs - a.keepFiringSinceMs < this.rule.keepFiringForMs) continue;
        }
        if (a.state === 'pending' || (a.resolvedAtMs !== undefined && nowMs - a.resolvedAtMs > RESOLVED_RETENTION_MS)) {
          this.active.delete(fp);
          continue;
        }
        if (a.state !== 'inactive') {
          a.state = 'inactive';
          a.resolvedAtMs = nowMs;
          a.keepFiringSinceMs = undefined;
        }
        continue;
      }
      if (a.state === 'pending' && nowMs - a.activeAtMs >= this.rule.forMs) {
        a.state = 'firing';
        a.firedAtMs = nowMs;
      }
    }
  }

  /** The rule's state: the most severe of its alerts (`inactive` when none is pending or firing). */
  state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }

  /** Alerts that are pending or firing (the API's view; resolved ones are only kept for re-sending). */
  current(): ActiveAlert[] {
    return [...this.active.values()].filter((a) => a.state !== 'inactive');
  }

  firingCount(): number {
    let n = 0;
    for (const a of this.active.values()) if (a.state === 'firing') n++;
    return n;
  }
}
