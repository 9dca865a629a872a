/**
 * Fans alerts out to the configured notifiers. Callers (the ruler after each evaluation, the
 * critical-log alerter on ingest and on its tick) hand over their alerts; the hub picks those due
 * (`needsSending`), marks them sent and enqueues them — synchronously, without I/O, so it is safe
 * to call from the ingest path.
 */
import { needsSending, toOutgoing, type ActiveAlert, type OutgoingAlert } from './alert.js';
import type { Notifier } from './notifiers/index.js';

export class NotifierHub {
  constructor(
    private readonly notifiers: Notifier[],
    readonly resendDelayMs: number,
    readonly externalUrl: string,
  ) {}

  get size(): number {
    return this.notifiers.length;
  }

  /**
   * Sends the alerts that are due and returns how many were. `intervalMs` is how often the caller
   * looks again; firing alerts are valid for 4 × max(resendDelay, interval).
   */
  sendDue(alerts: Iterable<ActiveAlert>, nowMs: number, intervalMs: number, generatorURL: string): number {
    const all: OutgoingAlert[] = [];
    const changes: OutgoingAlert[] = [];
    const validFor = 4 * Math.max(this.resendDelayMs, intervalMs);
    for (const a of alerts) {
      if (!needsSending(a, nowMs, this.resendDelayMs)) continue;
      const change = a.lastSentAtMs === undefined || (a.resolvedAtMs !== undefined && a.resolvedAtMs > a.lastSentAtMs);
      a.lastSentAtMs = nowMs;
      const o = toOutgoing(a, nowMs, validFor, generatorURL);
      all.push(o);
      if (change) changes.push(o);
    }
    if (all.length === 0) return 0;
    for (const n of this.notifiers) {
      const list = n.resends ? all : changes;
      if (list.length > 0) n.notify(list);
    }
    return all.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.notifiers.map((n) => n.close()));
  }
}
