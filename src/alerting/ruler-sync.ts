/**
 * Keeps a cluster-mode ruler in step with the others through PostgreSQL: rules and alert state.
 *
 * - Rules: every `pollMs` each ruler (holder or not) reads `rule_changes.generation` — one row by
 *   primary key — and reloads when it moved, so a rule written through any pod's API is evaluated
 *   by the holder and listed by every pod within one poll. Polling rather than LISTEN/NOTIFY: a
 *   notification sent while a pod's listening connection is down is lost, so a poll would be
 *   needed anyway to catch up; polling alone is one code path and one cheap query every 2 s.
 * - Alert state: the lease holder saves the snapshot (via `save`, called by the owner at most
 *   once a second while the state changes, and on stop). A ruler that acquires the lease loads the
 *   saved snapshot before it evaluates anything: `active()` stays false for a lease term until its
 *   snapshot was loaded (retried every poll while PostgreSQL does not answer). A ruler standing
 *   by loads the snapshot whenever `saved_at` moved, so its alerts API shows the holder's alerts.
 * - `save` writes only while `active()`: a ruler that lost the lease never overwrites the new
 *   holder's state (short of the lease's own margin, see lease.ts).
 */
import type { Logger } from '../telemetry/logger.js';
import type { PostgresAlertState } from './postgres-alert-state.js';
import type { PostgresRuleStore } from './postgres-rule-store.js';
import type { Ruler } from './ruler.js';
import type { AlertStateSnapshot } from './state-file.js';
import type { ActiveAlert } from './alert.js';

export const SYNC_INTERVAL_MS = 2000;

export interface RulerSyncOptions {
  rules: PostgresRuleStore;
  state: PostgresAlertState;
  /** The lease (cluster mode with Redis); absent: this ruler is the only one and always holds it. */
  lease?: { held(): boolean };
  pollMs?: number;
  logger?: Logger;
  /**
   * Rule alert state to start from when PostgreSQL has none yet: this pod's state file from
   * before the upgrade to shared state, so the first holder does not restart firing alerts.
   */
  initial?: Record<string, ActiveAlert[]>;
}

export class RulerSync {
  private ruler?: Ruler;
  private generation?: string;
  private standbySavedAt?: number;
  /** Incremented on every gain or loss of the lease; `loadedTerm === term` once its state is in. */
  private term = 0;
  private loadedTerm = -1;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: RulerSyncOptions) {}

  private holds(): boolean {
    return this.opts.lease?.held() ?? true;
  }

  /** Whether the ruler may evaluate and notify: it holds the lease and has loaded the state. */
  active(): boolean {
    return this.holds() && this.loadedTerm === this.term;
  }

  /** Tell it the lease was gained or lost (the lease's onChange). */
  leaseChanged(held: boolean): void {
    this.term++;
    if (held) void this.tick();
  }

  /** Loads rules and state once (throws when PostgreSQL does not answer), then polls. */
  async start(ruler: Ruler): Promise<void> {
    this.ruler = ruler;
    await this.poll();
    this.timer = setInterval(() => void this.tick(), this.opts.pollMs ?? SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  /** One poll now (or right after the running one); failures are logged, the next poll retries. */
  tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.poll().catch((err: unknown) => this.opts.logger?.warn({ err: (err as Error).message }, 'cannot sync the ruler with PostgreSQL'));
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async poll(): Promise<void> {
    const ruler = this.ruler;
    if (!ruler || this.stopped) return;
    const gen = await this.opts.rules.generation();
    if (gen !== this.generation) {
      await ruler.reload();
      this.generation = gen;
    }
    if (this.holds()) {
      if (this.loadedTerm === this.term) return;
      const term = this.term;
      const snap = await this.opts.state.load();
      if (term !== this.term || !this.holds()) return;
      ruler.replaceState(snap?.rules ?? this.opts.initial ?? {});
      this.loadedTerm = term;
      this.standbySavedAt = undefined;
      this.opts.logger?.info({ alerts: Object.keys(snap?.rules ?? {}).length, savedAt: snap?.savedAt }, 'ruler alert state loaded');
      return;
    }
    const at = await this.opts.state.savedAt();
    if (at === undefined || at === this.standbySavedAt) return;
    const snap = await this.opts.state.load();
    if (this.holds()) return; // acquired meanwhile: the next poll loads it for the new term
    ruler.replaceState(snap?.rules ?? {});
    this.standbySavedAt = at;
  }

  /** Saves the holder's snapshot; a no-op unless `active()`. */
  async save(snapshot: AlertStateSnapshot): Promise<void> {
    if (!this.active()) return;
    await this.opts.state.save(snapshot);
  }

  /** Stops polling (after the running poll); `save` still works until the lease is released. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.again = false;
    await this.running;
  }
}
