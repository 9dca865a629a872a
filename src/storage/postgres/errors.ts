/**
 * How PostgreSQL failures become LogSentinel errors. A lost or refused connection, a server
 * restarting or shutting down, too many connections, a lock or statement timeout, a deadlock or
 * a serialisation failure, a full disk may all succeed when retried: `STORAGE_UNAVAILABLE` (or
 * `STORAGE_FULL`), retryable. Anything
 * else (a bug in SQL, a constraint we did not expect) is `INTERNAL` and not retryable.
 */
import { LogSentinelError } from '../../errors.js';
import { DISK_FULL_RETRY_AFTER_S, isDiskFull } from '../disk-full.js';

/** SQLSTATE classes and codes worth retrying (https://www.postgresql.org/docs/15/errcodes-appendix.html). */
const RETRYABLE_CLASSES = ['08', '53', '57', '58'];
const RETRYABLE_CODES = new Set(['40001', '40P01', '55P03', '57014']);
const RETRYABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function isRetryable(err: unknown): boolean {
  if (err instanceof LogSentinelError) return err.retryable;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (RETRYABLE_NODE_CODES.has(code) || RETRYABLE_CODES.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code)) return RETRYABLE_CLASSES.includes(code.slice(0, 2));
  const msg = typeof e?.message === 'string' ? e.message : '';
  // node-postgres reports a dropped socket or an exhausted pool without a SQLSTATE.
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|not queryable/i.test(msg);
}

/**
 * Wraps `err` as `cannot <what>: <cause>`, retryable when the database may recover; a full disk
 * (SQLSTATE 53100 disk_full) is `STORAGE_FULL`, so readiness and the answer name it.
 */
export function storageError(what: string, err: unknown): LogSentinelError {
  if (err instanceof LogSentinelError) return err;
  const cause = err instanceof Error ? err.message : String(err);
  if (isDiskFull(err)) {
    return new LogSentinelError('STORAGE_FULL', `cannot ${what}: the PostgreSQL server's disk is full (${cause})`, { retryable: true, retryAfter: DISK_FULL_RETRY_AFTER_S, cause: err });
  }
  const retryable = isRetryable(err);
  return new LogSentinelError(retryable ? 'STORAGE_UNAVAILABLE' : 'INTERNAL', `cannot ${what}: ${cause}`, { retryable, cause: err });
}
