/**
 * The ruler: evaluates every tenant's rule groups on their interval, drives the alert state
 * machines, records recording-rule results, and hands due alerts to the notifiers.
 *
 * Invariants
 * - Groups run independently, each on its own timer; rules of a group run in order, one at a time,
 *   and an evaluation never overlaps the previous one of the same group (a slow one skips ticks).
 * - `reload()` swaps the rule set without losing the state of unchanged rules (same key).
 * - A failing rule marks itself `health: "err"` with `lastError`; it never stops the others.
 */
import type { Logger } from '../telemetry/logger.js';
import { AlertingRuleState } from './alert-rule-state.js';
import { fingerprint as fingerprintOf, type ActiveAlert } from './alert.js';
import type { Evaluator, InstantResult } from './engine-adapter.js';
import type { NotifierHub } from './notifier-hub.js';
import type { RecordedSeries } from './recorded-series.js';
import type { Rule, RuleGroup } from './rule-file.js';
import type { RuleStore } from './rule-store.js';
import { sortLabels, type Labels } from '../model/labels.js';

export interface RulerHooks {
  onEvaluation?(seconds: number, failed: boolean): void;
}

export interface RulerOptions {
  store: RuleStore;
  evaluate: Evaluator;
  hub?: NotifierHub;
  recorded?: RecordedSeries;
  defaultIntervalMs: number;
  queryTimeoutMs: number;
  externalUrl: string;
  logger?: Logger;
  hooks?: RulerHooks;
  now?: () => number;
  /** Called after an evaluation changed alert state (to persist it). */
  onChange?: () => void;
  /** Don't start timers (tests drive `evaluateGroup`). */
  manual?: boolean;
  /**
   * Whether this ruler may evaluate the tenant's rules and notify now — in cluster mode, whether
   * it holds the ruler lease (lease.ts). Absent: always. A ruler that may not keeps its rules and
   * their last state but neither evaluates nor sends anything.
   */
  active?: (tenant: string) => boolean;
}

export interface RuleRuntime {
  key: string;
  rule: Rule;
  alerts?: AlertingRuleState;
  health: 'unknown' | 'ok' | 'err';
  lastError: string;
  lastEvaluationMs?: number;
  evaluationTimeS: number;
}

export interface GroupRuntime {
  tenant: string;
  namespace: string;
  file: string;
  name: string;
  intervalMs: number;
  limit: number;
  rules: RuleRuntime[];
  lastEvaluationMs?: number;
  evaluationTimeS: number;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

export function ruleKey(tenant: string, namespace: string, group: string, rule: Rule): string {
  return `${tenant}/${namespace}/${group}/${rule.kind}:${rule.name}/${rule.expr}`;
}

function toSamples(r: InstantResult): Array<{ labels: Labels; value: number }> {
  return r.type === 'scalar' ? [{ labels: {}, value: r.value }] : r.samples;
}

export class Ruler {
  private groups: GroupRuntime[] = [];
  private readonly now: () => number;
  private stopped = false;
  private restored: Record<string, ActiveAlert[]> = {};

  constructor(private readonly opts: RulerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Alert state read from the state file, applied to rules as they are loaded. */
  restore(rules: Record<string, ActiveAlert[]>): void {
    this.restored = rules;
  }

  /**
   * Replaces the alert state of every loaded alerting rule by `rules` (a snapshot another ruler
   * saved: cluster mode, on acquiring the lease or while standing by); rules loaded later get
   * theirs as they load. Resolutions and re-sends continue from the snapshot's times.
   */
  replaceState(rules: Record<string, ActiveAlert[]>): void {
    const rest = { ...rules };
    for (const g of this.groups) {
      for (const r of g.rules) {
        if (!r.alerts) continue;
        r.alerts.active.clear();
        for (const a of rules[r.key] ?? []) r.alerts.active.set(fingerprintOf(a.labels), { ...a });
        delete rest[r.key];
      }
    }
    this.restored = rest;
  }

  async start(): Promise<void> {
    await this.reload();
  }

  /** Re-reads the rules directory; unchanged rules keep their state. */
  async reload(): Promise<void> {
    const { namespaces, errors } = await this.opts.store.load();
    for (const e of errors) this.opts.logger?.error({ err: e.message }, 'rule file rejected');
    const old = new Map<string, RuleRuntime>();
    const tenantOf = new Map<string, string>();
    for (const g of this.groups) {
      for (const r of g.rules) {
        old.set(r.key, r);
        tenantOf.set(r.key, g.tenant);
      }
    }
    const next: GroupRuntime[] = [];
    for (const ns of namespaces) {
      for (const g of ns.groups) next.push(this.buildGroup(ns.tenant, ns.namespace, ns.file, g, old));
    }
    for (const g of this.groups) if (g.timer) clearInterval(g.timer);
    const kept = new Set(next.flatMap((g) => g.rules.map((r) => r.key)));
    const now = this.now();
    for (const [k, r] of old) {
      if (kept.has(k)) continue;
      this.opts.recorded?.drop(k);
      // A removed (or changed) rule's alerts are resolved, so receivers do not wait for endsAt.
      if (r.alerts && this.opts.hub && this.mayRun(tenantOf.get(k) ?? '')) {
        const firing = [...r.alerts.active.values()].filter((a) => a.state === 'firing');
        for (const a of firing) {
          a.state = 'inactive';
          a.resolvedAtMs = now;
        }
        this.opts.hub.sendDue(firing, now, this.opts.defaultIntervalMs, `${this.opts.externalUrl}/prometheus/api/v1/rules`);
      }
    }
    this.groups = next;
    this.restored = {};
    if (!this.opts.manual && !this.stopped) for (const g of next) this.schedule(g);
    this.opts.onChange?.();
  }

  private buildGroup(tenant: string, namespace: string, file: string, g: RuleGroup, old: Map<string, RuleRuntime>): GroupRuntime {
    const rules: RuleRuntime[] = [];
    const seen = new Set<string>();
    g.rules.forEach((rule, i) => {
      let key = ruleKey(tenant, namespace, g.name, rule);
      if (seen.has(key)) key += `#${i}`;
      seen.add(key);
      const prev = old.get(key);
      if (prev) {
        rules.push(prev);
        return;
      }
      const rt: RuleRuntime = { key, rule, health: 'unknown', lastError: '', evaluationTimeS: 0 };
      if (rule.kind === 'alert') {
        rt.alerts = new AlertingRuleState(rule);
        for (const a of this.restored[key] ?? []) rt.alerts.active.set(fingerprintOf(a.labels), { ...a });
      }
      rules.push(rt);
    });
    return { tenant, namespace, file, name: g.name, intervalMs: g.intervalMs ?? this.opts.defaultIntervalMs, limit: g.limit, rules, evaluationTimeS: 0 };
  }

  private schedule(g: GroupRuntime): void {
    const run = (): void => {
      if (g.running || this.stopped) return;
      g.running = this.evaluateGroup(g).finally(() => (g.running = undefined));
    };
    g.timer = setInterval(run, g.intervalMs);
    g.timer.unref();
    // First evaluation soon, spread a little so many groups do not start at once.
    setTimeout(run, Math.min(g.intervalMs, 50 + Math.floor(Math.random() * 200))).unref();
  }

  private mayRun(tenant: string): boolean {
    return this.opts.active?.(tenant) ?? true;
  }

  /** Evaluates one group now — unless this ruler may not run the tenant's rules (see `active`). */
  async evaluateGroup(g: GroupRuntime): Promise<void> {
    if (!this.mayRun(g.tenant)) return;
    const started = this.now();
    const t0 = performance.now();
    let changed = false;
    for (const rt of g.rules) {
      // Lost the lease mid-group: stop here; the new holder evaluates from now on.
      if (this.stopped || !this.mayRun(g.tenant)) return;
      const r0 = performance.now();
      const evalMs = this.now();
      try {
        const signal = AbortSignal.timeout(this.opts.queryTimeoutMs);
        const res = await this.opts.evaluate(rt.rule.expr, BigInt(evalMs) * 1_000_000n, [g.tenant], signal);
        const samples = toSamples(res);
        if (rt.rule.kind === 'alert') {
          const before = rt.alerts!.state();
          const beforeN = rt.alerts!.active.size;
          rt.alerts!.update(samples, evalMs, g.limit);
          changed ||= before !== rt.alerts!.state() || beforeN !== rt.alerts!.active.size || rt.alerts!.state() !== 'inactive';
        } else {
          if (g.limit > 0 && samples.length > g.limit) throw new Error(`cannot record ${rt.rule.name}: exceeded limit of ${g.limit} with ${samples.length} series`);
          const series = samples.map((s) => {
            const l: Labels = { ...s.labels };
            delete l.__name__;
            return { labels: sortLabels({ ...l, ...rt.rule.labels, tenant: l.tenant ?? g.tenant }), value: s.value };
          });
          this.opts.recorded?.set(rt.rule.name, rt.key, series);
        }
        rt.health = 'ok';
        rt.lastError = '';
        this.opts.hooks?.onEvaluation?.((performance.now() - r0) / 1000, false);
      } catch (err) {
        rt.health = 'err';
        rt.lastError = (err as Error).message;
        this.opts.hooks?.onEvaluation?.((performance.now() - r0) / 1000, true);
        this.opts.logger?.warn({ tenant: g.tenant, namespace: g.namespace, group: g.name, rule: rt.rule.name, err: rt.lastError }, 'rule evaluation failed');
      }
      rt.lastEvaluationMs = evalMs;
      rt.evaluationTimeS = (performance.now() - r0) / 1000;
      if (rt.alerts && this.opts.hub) {
        const url = `${this.opts.externalUrl}/prometheus/api/v1/rules`;
        this.opts.hub.sendDue(rt.alerts.active.values(), this.now(), g.intervalMs, url);
      }
    }
    g.lastEvaluationMs = started;
    g.evaluationTimeS = (performance.now() - t0) / 1000;
    if (changed) this.opts.onChange?.();
  }

  /** Groups of the given tenants, ordered by namespace then group name. */
  list(tenants?: readonly string[]): GroupRuntime[] {
    return this.groups
      .filter((g) => !tenants || tenants.includes(g.tenant))
      .sort((a, b) => (a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)));
  }

  firingCount(): number {
    let n = 0;
    for (const g of this.groups) for (const r of g.rules) n += r.alerts?.firingCount() ?? 0;
    return n;
  }

  snapshot(): Record<string, ActiveAlert[]> {
    const out: Record<string, ActiveAlert[]> = { ...this.restored };
    for (const g of this.groups) for (const r of g.rules) if (r.alerts && r.alerts.active.size > 0) out[r.key] = [...r.alerts.active.values()].map((a) => ({ ...a }));
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const g of this.groups) if (g.timer) clearInterval(g.timer);
    await Promise.all(this.groups.map((g) => g.running));
  }
}

