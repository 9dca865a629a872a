/**
 * How DuckDB failures become LogSentinel errors.
 *
 * - A **fatal** error (a checkpoint that failed half-way, typically because the disk filled up)
 *   invalidates the database instance: every later call on it fails with "database has been
 *   invalidated" until it is closed and opened again. The store then reopens itself (replaying
 *   the WAL, which holds every acknowledged commit) — see DuckDBStorage.reopen.
 * - A **full disk** (a WAL write that found no space) is not fatal: that commit is rolled back and
 *   the instance stays usable; commits succeed again once space is freed.
 * Both are retryable and answered 503 with Retry-After; the message names the cause.
 */
import { LogSentinelError } from '../../errors.js';
import { DISK_FULL_RETRY_AFTER_S, isDiskFull } from '../disk-full.js';

export function isFatal(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /^FATAL Error|database has been invalidated/.test(message);
}

/** The first line of an error's message, without DuckDB's repeated "Original error" tail. */
export function causeOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

/** `cannot <what>: the disk holding <dir> is full (...)`, 503 STORAGE_FULL with Retry-After. */
export function diskFullError(what: string, dataDir: string, err: unknown): LogSentinelError {
  return new LogSentinelError('STORAGE_FULL', `cannot ${what}: the filesystem of the data directory ${dataDir} is full (No space left on device); free space and LogSentinel resumes by itself`, {
    retryable: true,
    retryAfter: DISK_FULL_RETRY_AFTER_S,
    cause: err,
  });
}

/** `cannot <what>: the store is reopening after a fatal error (...)`, 503 with Retry-After. */
export function reopeningError(what: string, cause: string, err?: unknown): LogSentinelError {
  return new LogSentinelError('STORAGE_UNAVAILABLE', `cannot ${what}: the store is reopening after a fatal error (${cause})`, {
    retryable: true,
    retryAfter: 1,
    cause: err,
  });
}

export { isDiskFull };
