/**
 * One alert instance, shared by rule alerts and the critical-log fast path, and the rule for when
 * it is (re)sent to notifiers — Prometheus' semantics (rules/alerting.go, notifier):
 * a pending alert is never sent; a firing alert is sent when it starts firing and again every
 * `resendDelay`; a resolved alert is sent once on resolution (with `endsAt` = resolution time) and
 * again at each resend while it is kept for `RESOLVED_RETENTION_MS`. Firing alerts carry
 * `endsAt` = now + 4 × max(resendDelay, interval), so a receiver resolves them by itself if
 * LogSentinel disappears.
 *
 * Times are milliseconds since the epoch so the state file is plain JSON.
 */
import { createHash } from 'node:crypto';
import type { Labels } from '../model/labels.js';

export type AlertState = 'pending' | 'firing' | 'inactive';

export interface ActiveAlert {
  labels: Labels;
  annotations: Labels;
  /** `inactive` once resolved (kept for RESOLVED_RETENTION_MS so the resolution is re-sent). */
  state: AlertState;
  value: number;
  activeAtMs: number;
  firedAtMs?: number;
  resolvedAtMs?: number;
  lastSentAtMs?: number;
  /** Set while a vanished firing alert is held by `keep_firing_for`. */
  keepFiringSinceMs?: number;
}

/** What notifiers receive: Alertmanager's postable alert plus the status. */
export interface OutgoingAlert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: 'firing' | 'resolved';
}

/** Resolved alerts are re-sent for this long (Prometheus' resolvedRetention). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** Stable identity of an alert: its sorted label set. */
export function fingerprint(labels: Labels): string {
  const h = createHash('sha256');
  for (const k of Object.keys(labels).sort()) h.update(k + '\x00' + labels[k] + '\x00');
  return h.digest('hex').slice(0, 16);
}

export function needsSending(a: ActiveAlert, nowMs: number, resendDelayMs: number): boolean {
  if (a.state === 'pending') return false;
  if (a.lastSentAtMs === undefined) return true;
  if (a.resolvedAtMs !== undefined && a.resolvedAtMs > a.lastSentAtMs) return true;
  return a.lastSentAtMs + resendDelayMs <= nowMs;
}

export function toOutgoing(a: ActiveAlert, nowMs: number, validForMs: number, generatorURL: string): OutgoingAlert {
  const resolved = a.state === 'inactive';
  return {
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.firedAtMs ?? a.activeAtMs).toISOString(),
    endsAt: new Date(resolved ? (a.resolvedAtMs ?? nowMs) : nowMs + validForMs).toISOString(),
    generatorURL,
    status: resolved ? 'resolved' : 'firing',
  };
}
