/**
 * How long new work would wait behind the work in flight: `units in flight / service rate`, and
 * at least how long the work in flight has been stalled — the time since anything completed (or
 * since the oldest work began, if nothing completed since): a store that hangs makes every new
 * push wait at least that long. Units are whatever the caller counts (bytes of push bodies).
 *
 * The service rate is measured only over sample intervals in which work was in flight the whole
 * time, so a lightly loaded server's low throughput is not mistaken for a slow one; until it has
 * been busy for a whole sample once, only the oldest-age floor applies. Work begun with `stalls`
 * false (a body still uploading, paced by its client) counts in the units ahead only: not in the
 * stall floor and not as being busy.
 */

/** Weight of a new busy sample in the service-rate average. */
const ALPHA = 0.3;

export interface WaitTicket {
  /** Marks the work done; `completed` false when it failed (not counted in the rate). */
  done(completed?: boolean): void;
}

export class WaitEstimator {
  private inflight = 0;
  private readonly started = new Map<object, number>();
  /** Units per ms while busy (EWMA); undefined until a fully busy interval was seen. */
  private rate?: number;
  private doneInSample = 0;
  private idleInSample = true;
  private sampleStart: number;
  private readonly timer?: NodeJS.Timeout;
  private lastDone = -Infinity;

  constructor(private readonly opts: { sampleMs?: number; now?: () => number; timer?: boolean } = {}) {
    this.sampleStart = this.now();
    if (opts.timer !== false) {
      this.timer = setInterval(() => this.sample(), opts.sampleMs ?? 250);
      this.timer.unref();
    }
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : performance.now();
  }

  /** Ends a rate sample: counts it when work was in flight throughout. */
  sample(): void {
    const t = this.now();
    const dt = t - this.sampleStart;
    if (!this.idleInSample && dt > 0 && this.doneInSample > 0) {
      const r = this.doneInSample / dt;
      this.rate = this.rate === undefined ? r : this.rate + ALPHA * (r - this.rate);
    }
    this.sampleStart = t;
    this.doneInSample = 0;
    this.idleInSample = this.started.size === 0;
  }

  /** Milliseconds new work is estimated to wait. */
  estimateMs(): number {
    let stalled = 0;
    for (const t0 of this.started.values()) {
      stalled = this.now() - Math.max(t0, this.lastDone);
      break;
    }
    const byRate = this.rate !== undefined && this.rate > 0 ? this.inflight / this.rate : 0;
    return Math.max(stalled, byRate);
  }

  /** Units in flight now. */
  inFlight(): number {
    return this.inflight;
  }

  /**
   * Work of `units` begins. `stalls` false: it counts in the units ahead but not in the stall
   * floor, for work whose pace is the client's (a body still uploading), so one slow client
   * cannot make every push look stalled.
   */
  begin(units: number, stalls = true): WaitTicket {
    const token = {};
    if (stalls) this.started.set(token, this.now());
    this.inflight += units;
    let ended = false;
    return {
      done: (completed = true) => {
        if (ended) return;
        ended = true;
        this.started.delete(token);
        this.inflight -= units;
        if (completed) {
          this.doneInSample += units;
          this.lastDone = this.now();
        }
        if (this.started.size === 0) this.idleInSample = true;
      },
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
