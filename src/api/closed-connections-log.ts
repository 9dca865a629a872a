/**
 * Logs refused, evicted and timed-out connections at a bounded rate: counts are summed per reason
 * and written as one line per interval, so a flood of 20,000 connections is one log line, not
 * 20,000 (the counts per reason are also the metric http_connections_closed_total).
 */
import type { Logger } from '../telemetry/logger.js';

export class ClosedConnectionsLog {
  private counts: Record<string, number> = {};
  private pending = 0;
  private timer?: NodeJS.Timeout;
  private lastLog = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  record(reason: string): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    this.pending++;
    if (this.timer) return;
    // The first of a burst is logged at once, the rest at most once per interval.
    const wait = Math.max(0, this.lastLog + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  flush(): void {
    this.timer = undefined;
    if (this.pending === 0) return;
    this.lastLog = Date.now();
    this.logger.warn({ closed: this.counts, total: this.pending }, 'HTTP connections refused, evicted or timed out (server.maxConnections, server.maxConnectionsPerClient, server.headersTimeout, server.requestTimeout, server.minBodyRate)');
    this.counts = {};
    this.pending = 0;
  }
}
