/**
 * The audit trail: logins, failed logins, logouts and every admin action become log entries in
 * the reserved tenant `_audit` (readable with scope `admin` only), stream
 * `{component="audit", service="logsentinel"}`, one JSON object per line:
 * `{"action","actor","target","ip","outcome",...}`. Entries go through the ingest queue when the
 * role has one, else straight to storage, so they are stored, retained and queried like any log.
 *
 * An event is built from named fields only — never from a request body — so no password, token,
 * cookie or CSRF token can reach it. Writing never fails the action it records: a failure to
 * write is logged (without the event's details) and counted as an error of this module.
 */
import type { Logger } from '../telemetry/logger.js';
import type { WriteBatch } from '../model/entry.js';
import { labelsToString, streamId } from '../model/labels.js';
import { AUDIT_TENANT } from './tenant-set.js';

export type AuditAction =
  | 'login'
  | 'logout'
  | 'bootstrap'
  | 'user.create'
  | 'user.update'
  | 'user.delete'
  | 'token.create'
  | 'token.revoke';

export type AuditValue = string | number | boolean | null | readonly string[];

export interface AuditEvent {
  action: AuditAction;
  /** Who acted: a user or token name, or the user name a failed login tried. */
  actor: string;
  /** What was acted on: a user name or a token id. */
  target?: string;
  ip?: string;
  outcome: 'success' | 'failure';
  /** Why it failed, in words that name no secret. */
  reason?: string;
  /** Further non-secret facts: scopes, tenants, which fields changed, how the login came. */
  details?: Record<string, AuditValue>;
}

/** Where audit batches go: the queue's append, or storage's write. */
export type AuditSink = (batch: WriteBatch) => Promise<void>;

export const AUDIT_LABELS = { component: 'audit', service: 'logsentinel' } as const;
const KEY = labelsToString(AUDIT_LABELS);
const ID = streamId(AUDIT_TENANT, AUDIT_LABELS);

export function auditLine(ev: AuditEvent, at: Date): string {
  return JSON.stringify({
    time: at.toISOString(),
    action: ev.action,
    actor: ev.actor,
    target: ev.target ?? null,
    ip: ev.ip ?? null,
    outcome: ev.outcome,
    ...(ev.reason !== undefined ? { reason: ev.reason } : {}),
    ...ev.details,
  });
}

/** The last timestamp given out: entries of one process never share one (a retried write of one entry still does). */
let lastTs = 0n;

export function auditBatch(ev: AuditEvent, atMs: number): WriteBatch {
  const at = new Date(atMs);
  let ts = BigInt(atMs) * 1_000_000n;
  if (ts <= lastTs) ts = lastTs + 1n;
  lastTs = ts;
  return {
    tenant: AUDIT_TENANT,
    streams: [
      {
        labels: { ...AUDIT_LABELS },
        key: KEY,
        id: ID,
        entries: [{ ts, line: auditLine(ev, at), level: ev.outcome === 'success' ? 'info' : 'warn' }],
      },
    ],
  };
}

export class AuditTrail {
  /** `sink` answers undefined while the role's queue or store is not open yet. */
  constructor(
    private readonly sink: () => AuditSink | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async record(ev: AuditEvent): Promise<void> {
    const sink = this.sink();
    if (!sink) {
      this.logger.error({ action: ev.action, outcome: ev.outcome }, 'cannot write audit entry: no queue or store is open');
      return;
    }
    try {
      await sink(auditBatch(ev, this.now()));
    } catch (err) {
      this.logger.error({ err, action: ev.action, outcome: ev.outcome }, 'cannot write audit entry');
    }
  }
}
