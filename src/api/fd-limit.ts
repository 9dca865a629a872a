/**
 * The process's soft limit on open file descriptors (`ulimit -n`), read from /proc on Linux, and
 * the connection cap derived from it when `server.maxConnections` is 0 (auto).
 */
import { readFileSync } from 'node:fs';

/** Descriptors kept back from HTTP connections: the store's files, Redis, PostgreSQL, syslog, notifications. */
export const FD_HEADROOM = 1024;

/** The soft limit on open files, or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return undefined;
    return m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch {
    return undefined;
  }
}

/**
 * `configured` when set; else the descriptor limit minus `FD_HEADROOM` (at least 64), and at
 * most 65,536 — past that, connections cost more memory than descriptors.
 */
export function connectionCap(configured: number, limit: number | undefined): number {
  if (configured > 0) return configured;
  if (limit === undefined) return 10_000;
  return Math.max(64, Math.min(65_536, limit - FD_HEADROOM));
}
