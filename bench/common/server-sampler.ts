/**
 * Samples the server every second while a phase runs: resident memory and open files from /proc,
 * and from /metrics the event loop's longest delay since the previous scrape (prom-client's
 * `nodejs_eventloop_lag_max_seconds`, reset on each collection) and the JS heap. The longest
 * event-loop delay is the figure "the event loop was blocked for at most X".
 */
import { fdsOf, rssOf } from './stats.js';

export interface ServerSample {
  peakRss: number;
  peakFds: number;
  /** Longest event-loop delay seen in the phase, ms (NaN when /metrics never answered). */
  maxLoopDelayMs: number;
  peakHeap: number;
  /** Scrapes of /metrics that took over 5 s or failed. */
  missedScrapes: number;
}

export class ServerSampler {
  private s: ServerSample = { peakRss: 0, peakFds: 0, maxLoopDelayMs: NaN, peakHeap: 0, missedScrapes: 0 };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly pid: number,
  ) {}

  start(): this {
    // One scrape first: the delay gauge holds what accumulated before the phase.
    void this.scrape(true);
    this.timer = setInterval(() => {
      this.s.peakRss = Math.max(this.s.peakRss, rssOf(this.pid).rss);
      this.s.peakFds = Math.max(this.s.peakFds, fdsOf(this.pid));
      void this.scrape(false);
    }, 1000);
    return this;
  }

  private async scrape(discard: boolean): Promise<void> {
    const text = await fetch(this.url + '/metrics', { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.text(),
      () => undefined,
    );
    if (discard) return;
    if (text === undefined) {
      this.s.missedScrapes++;
      return;
    }
    const num = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const lag = num('nodejs_eventloop_lag_max_seconds') * 1000;
    if (Number.isFinite(lag)) this.s.maxLoopDelayMs = Number.isNaN(this.s.maxLoopDelayMs) ? lag : Math.max(this.s.maxLoopDelayMs, lag);
    const heap = num('nodejs_heap_size_used_bytes');
    if (Number.isFinite(heap)) this.s.peakHeap = Math.max(this.s.peakHeap, heap);
  }

  stop(): ServerSample {
    clearInterval(this.timer);
    return this.s;
  }
}
