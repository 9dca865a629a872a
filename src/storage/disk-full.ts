/**
 * Recognising a full disk in any backend's error: Node's `ENOSPC`, PostgreSQL's SQLSTATE 53100
 * (disk_full), or the OS message DuckDB passes through ("No space left on device"), anywhere in
 * the error's cause chain. A full disk is retryable: writes succeed again once space is freed.
 */

/** Seconds a client is asked to wait before retrying a push refused for lack of disk space. */
export const DISK_FULL_RETRY_AFTER_S = 5;

const DISK_FULL_MESSAGE = /no space left on device|ENOSPC|disk quota exceeded|could not extend file/i;

export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === '53100') return true;
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
    if (DISK_FULL_MESSAGE.test(message)) return true;
  }
  return false;
}
