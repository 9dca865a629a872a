/**
 * The health probe of every scenario: a normal client that asks `/ready` every `intervalMs` over a
 * fresh connection (as a kubelet or load balancer does), recording each answer's latency and every
 * failure (refused, reset, timed out, non-200). Its worst latency is the longest time the server
 * looked dead to an orchestrator.
 */
import http from 'node:http';
import { summarize, type Summary } from './stats.js';

export interface ProbeResult extends Summary {
  failures: number;
  /** Longest run of consecutive failures, in ms. */
  longestOutageMs: number;
}

export class ReadyProbe {
  private latencies: number[] = [];
  private failures = 0;
  private outageStart?: number;
  private longestOutage = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly opts: { intervalMs?: number; timeoutMs?: number; localAddress?: string; path?: string } = {},
  ) {}

  start(): this {
    const tick = (): void => {
      if (this.stopped) return;
      const t0 = performance.now();
      this.once().then(
        (ok) => {
          const dt = performance.now() - t0;
          this.latencies.push(dt);
          this.mark(ok);
        },
        () => this.mark(false),
      );
      this.timer = setTimeout(tick, this.opts.intervalMs ?? 100);
    };
    tick();
    return this;
  }

  private mark(ok: boolean): void {
    const now = performance.now();
    if (ok) {
      if (this.outageStart !== undefined) this.longestOutage = Math.max(this.longestOutage, now - this.outageStart);
      this.outageStart = undefined;
    } else {
      this.failures++;
      this.outageStart ??= now;
    }
  }

  private once(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get(this.url + (this.opts.path ?? '/ready'), { agent: false, timeout: this.opts.timeoutMs ?? 5000, localAddress: this.opts.localAddress }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
    });
  }

  stop(): ProbeResult {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.outageStart !== undefined) this.longestOutage = Math.max(this.longestOutage, performance.now() - this.outageStart);
    return { ...summarize(this.latencies), failures: this.failures, longestOutageMs: this.longestOutage };
  }
}
