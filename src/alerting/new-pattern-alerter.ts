/**
 * The new-pattern alert (`patterns.alert.*`): fires `NewLogPattern` when a stream shows a log
 * pattern it never showed before, in a line at `minLevel` or above. The pattern miner
 * (src/patterns) reports every pattern it starts; this alerter keeps those that qualify:
 *
 * - the level is at or above `minLevel`;
 * - the stream has been watched for `learnForMs` (since this process first saw it), so a restart
 *   or a brand-new stream learns its patterns without an alert for each;
 * - at most `maxFiring` alerts fire at once (a stream spraying unique error lines cannot flood
 *   the receivers; what is left out is counted in `suppressed`).
 *
 * Each qualifying pattern fires exactly once: the miner reports a pattern only when it starts it,
 * and the alert (labels: the stream's labels, tenant, level and a `pattern_id` of stream, level
 * and first line) resolves by itself `resolveAfterMs` later. A pattern the miner forgot
 * (evicted by its bounds) and meets again is new again.
 *
 * Notifications go through the shared NotifierHub, as the critical-log alerts do; `observe` and
 * `tick` never await anything.
 */
import { createHash } from 'node:crypto';
import type { Labels } from '../model/labels.js';
import { sortLabels } from '../model/labels.js';
import { LEVEL_CODE, type Level } from '../model/level.js';
import { fingerprint, RESOLVED_RETENTION_MS, type ActiveAlert } from './alert.js';
import { summaryOf } from './critical-alerter.js';
import type { NotifierHub } from './notifier-hub.js';

export const NEW_PATTERN_ALERT_NAME = 'NewLogPattern';

export interface NewPatternEvent {
  tenant: string;
  labels: Labels;
  level: Level;
  line: string;
  /** When this process first saw the stream (ms since the epoch). */
  streamSinceMs: number;
}

export interface NewPatternAlert extends ActiveAlert {
  tenant: string;
}

export interface NewPatternAlerterOptions {
  minLevel: Level;
  learnForMs: number;
  resolveAfterMs: number;
  maxFiring?: number;
  hub?: NotifierHub;
  generatorURL?: string;
  now?: () => number;
}

export class NewPatternAlerter {
  private readonly byKey = new Map<string, NewPatternAlert>();
  private readonly now: () => number;
  private readonly minCode: number;
  /** Qualifying patterns left out because `maxFiring` alerts were firing. */
  suppressed = 0;

  constructor(private readonly opts: NewPatternAlerterOptions) {
    this.now = opts.now ?? Date.now;
    this.minCode = LEVEL_CODE[opts.minLevel];
  }

  get tickMs(): number {
    return Math.max(100, Math.min(5000, Math.floor(this.opts.resolveAfterMs / 5)));
  }

  /** Called by the miner for each pattern it starts. */
  observe(p: NewPatternEvent): void {
    if (LEVEL_CODE[p.level] < this.minCode) return;
    const now = this.now();
    if (now - p.streamSinceMs < this.opts.learnForMs) return;
    if (this.firing().length >= (this.opts.maxFiring ?? 1000)) {
      this.suppressed++;
      return;
    }
    const id = createHash('sha256').update(JSON.stringify([p.tenant, p.labels, p.level, p.line])).digest('hex').slice(0, 16);
    const labels = sortLabels({ ...p.labels, alertname: NEW_PATTERN_ALERT_NAME, severity: 'warning', tenant: p.tenant, level: p.level, pattern_id: id });
    const key = fingerprint(labels);
    if (this.byKey.has(key)) return;
    const summary = summaryOf(p.line);
    this.byKey.set(key, {
      tenant: p.tenant,
      labels,
      annotations: { summary: `new ${p.level} log pattern: ${summary}`, line: summary },
      state: 'firing',
      value: 1,
      activeAtMs: now,
      firedAtMs: now,
    });
    this.flush(now);
  }

  /** Resolves alerts older than `resolveAfterMs`, forgets old resolved ones, sends what is due. */
  tick(): void {
    const now = this.now();
    for (const [k, a] of this.byKey) {
      if (a.state === 'firing' && now - (a.firedAtMs ?? a.activeAtMs) >= this.opts.resolveAfterMs) {
        a.state = 'inactive';
        a.resolvedAtMs = now;
      } else if (a.state === 'inactive' && a.resolvedAtMs !== undefined && now - a.resolvedAtMs > RESOLVED_RETENTION_MS) {
        this.byKey.delete(k);
      }
    }
    this.flush(now);
  }

  private flush(now: number): void {
    this.opts.hub?.sendDue(this.byKey.values(), now, this.tickMs, this.opts.generatorURL ?? '');
  }

  /** Firing alerts (the API's view), optionally only for some tenants. */
  firing(tenants?: readonly string[]): NewPatternAlert[] {
    return [...this.byKey.values()].filter((a) => a.state === 'firing' && (!tenants || tenants.includes(a.tenant)));
  }
}
