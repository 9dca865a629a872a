/**
 * The fast path for critical logs: right after a batch is committed, the processor scans it for
 * entries at the configured levels (`scanCritical`, a tight loop that allocates nothing for other
 * entries) and hands the hits to the `CriticalLogAlerter`, which fires `CriticalLogEntry` at once —
 * no waiting for a ruler interval — and enqueues it to the notifiers.
 *
 * One alert per (tenant, level, grouping labels of the stream): further hits only update its count
 * while it fires; it resolves after a quiet `window` with no hit, and a hit after that starts a new
 * alert. `observe` and `tick` never await anything.
 */
import type { WriteBatch } from '../model/entry.js';
import type { Labels } from '../model/labels.js';
import { sortLabels } from '../model/labels.js';
import { fingerprint, RESOLVED_RETENTION_MS, type ActiveAlert } from './alert.js';
import type { NotifierHub } from './notifier-hub.js';

export const CRITICAL_ALERT_NAME = 'CriticalLogEntry';
const SUMMARY_MAX = 200;

export interface CriticalHit {
  tenant: string;
  labels: Labels;
  level: string;
  count: number;
  /** Line of the first matching entry in the batch. */
  line: string;
}

/** Finds entries at `levels` in committed batches; undefined when there are none (the usual case). */
export function scanCritical(batches: readonly WriteBatch[], levels: ReadonlySet<string>): CriticalHit[] | undefined {
  let hits: CriticalHit[] | undefined;
  for (const b of batches) {
    for (const s of b.streams) {
      const entries = s.entries;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (!levels.has(e.level)) continue;
        hits ??= [];
        const prev = hits.find((h) => h.tenant === b.tenant && h.labels === s.labels && h.level === e.level);
        if (prev) prev.count++;
        else hits.push({ tenant: b.tenant, labels: s.labels, level: e.level, count: 1, line: e.line });
      }
    }
  }
  return hits;
}

export function summaryOf(line: string): string {
  const nl = line.indexOf('\n');
  const first = (nl >= 0 ? line.slice(0, nl) : line).trimEnd();
  return first.length > SUMMARY_MAX ? first.slice(0, SUMMARY_MAX - 1) + '…' : first;
}

export interface CriticalAlert extends ActiveAlert {
  tenant: string;
  lastSeenMs: number;
  count: number;
}

export interface CriticalAlerterOptions {
  windowMs: number;
  /** Stream labels that identify an alert; empty = all of the stream's labels. */
  groupBy: string[];
  hub?: NotifierHub;
  generatorURL?: string;
  now?: () => number;
  /** Called when alerts changed (to persist them). */
  onChange?: () => void;
}

export class CriticalLogAlerter {
  private readonly byKey = new Map<string, CriticalAlert>();
  private readonly now: () => number;

  constructor(private readonly opts: CriticalAlerterOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** How often `tick` should run: often enough to resolve close to the end of the window. */
  get tickMs(): number {
    return Math.max(100, Math.min(1000, Math.floor(this.opts.windowMs / 5)));
  }

  alertLabels(h: Pick<CriticalHit, 'tenant' | 'labels' | 'level'>): Labels {
    let group: Labels = {};
    if (this.opts.groupBy.length === 0) group = { ...h.labels };
    else for (const k of this.opts.groupBy) if (h.labels[k] !== undefined) group[k] = h.labels[k];
    // A stream without any of the grouping labels is identified by all of its labels.
    if (Object.keys(group).length === 0) group = { ...h.labels };
    return sortLabels({ ...group, alertname: CRITICAL_ALERT_NAME, severity: 'critical', tenant: h.tenant, level: h.level });
  }

  observe(hits: readonly CriticalHit[]): void {
    const now = this.now();
    for (const h of hits) {
      const labels = this.alertLabels(h);
      const key = fingerprint(labels);
      const cur = this.byKey.get(key);
      if (cur && cur.state === 'firing') {
        cur.count += h.count;
        cur.value = cur.count;
        cur.lastSeenMs = now;
        cur.annotations = { ...cur.annotations, count: String(cur.count) };
        continue;
      }
      this.byKey.set(key, {
        tenant: h.tenant,
        labels,
        annotations: { summary: summaryOf(h.line), count: String(h.count) },
        state: 'firing',
        value: h.count,
        activeAtMs: now,
        firedAtMs: now,
        lastSeenMs: now,
        count: h.count,
      });
    }
    this.flush(now);
    this.opts.onChange?.();
  }

  /** Resolves alerts quiet for a whole window, forgets old resolved ones, sends what is due. */
  tick(): void {
    const now = this.now();
    let changed = false;
    for (const [k, a] of this.byKey) {
      if (a.state === 'firing' && now - a.lastSeenMs >= this.opts.windowMs) {
        a.state = 'inactive';
        a.resolvedAtMs = now;
        changed = true;
      } else if (a.state === 'inactive' && a.resolvedAtMs !== undefined && now - a.resolvedAtMs > RESOLVED_RETENTION_MS) {
        this.byKey.delete(k);
        changed = true;
      }
    }
    this.flush(now);
    if (changed) this.opts.onChange?.();
  }

  private flush(now: number): void {
    this.opts.hub?.sendDue(this.byKey.values(), now, this.tickMs, this.opts.generatorURL ?? '');
  }

  /** Firing alerts (the API's view), optionally only for some tenants. */
  firing(tenants?: readonly string[]): CriticalAlert[] {
    return [...this.byKey.values()].filter((a) => a.state === 'firing' && (!tenants || tenants.includes(a.tenant)));
  }

  snapshot(): CriticalAlert[] {
    return [...this.byKey.values()].map((a) => ({ ...a }));
  }

  restore(alerts: CriticalAlert[]): void {
    for (const a of alerts) this.byKey.set(fingerprint(a.labels), { ...a });
  }
}
