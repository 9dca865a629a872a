/**
 * When a new credential expires: `expiresAt` (RFC 3339, in the future) or `ttl` (a duration such as
 * `30d`, `12h`, `2w`), not both; neither means it does not expire. `null` for `expiresAt` (in a
 * user update) clears the expiry.
 */
import { LogSentinelError } from '../errors.js';
import { parseDuration } from '../logql/duration.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, `null` (clear), or undefined (not given). */
export function parseExpiry(expiresAt: unknown, ttl: unknown, now: number, what: string): number | null | undefined {
  const bad = (why: string): never => {
    throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: ${why}`);
  };
  if (expiresAt !== undefined && ttl !== undefined) bad('give expiresAt or ttl, not both');
  if (ttl !== undefined) {
    if (typeof ttl !== 'string') return bad('ttl must be a duration such as "30d" or "12h"');
    let ms: number;
    try {
      ms = parseDuration(ttl);
    } catch {
      return bad(`ttl ${JSON.stringify(ttl)} is not a duration such as "30d" or "12h"`);
    }
    if (!(ms > 0)) bad(`ttl ${JSON.stringify(ttl)} must be longer than 0`);
    return now + ms;
  }
  if (expiresAt === undefined) return undefined;
  if (expiresAt === null) return null;
  if (typeof expiresAt !== 'string' || !RFC3339.test(expiresAt) || Number.isNaN(Date.parse(expiresAt))) {
    return bad(`expiresAt ${JSON.stringify(expiresAt)} is not an RFC 3339 time such as "2026-12-31T00:00:00Z"`);
  }
  const at = Date.parse(expiresAt);
  if (at <= now) bad(`expiresAt ${expiresAt} is not in the future`);
  return at;
}
