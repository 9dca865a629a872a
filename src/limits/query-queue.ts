/**
 * Per-tenant query concurrency (Loki's `max_query_parallelism`): at most `limit` queries of one
 * tenant (or tenant set `a|b`) execute at once; the others wait in line, first come first served,
 * and past `maxOutstanding` waiting ones a query is refused with Loki's 429 `too many outstanding
 * requests` (its query scheduler's `max_outstanding_requests_per_tenant`). A limit of 0 disables
 * querying for the tenant, as in Loki. The global `query.maxConcurrent` applies on top, after a
 * query got its tenant's slot, so one tenant's waiting queries never hold global slots.
 */
import { LogSentinelError } from '../errors.js';

export const TOO_MANY_OUTSTANDING_MSG = 'too many outstanding requests';
export const QUERYING_DISABLED_MSG = 'querying is disabled, please contact your Loki operator';

interface Line {
  running: number;
  readonly waiting: Array<() => void>;
}

export class TenantQueryQueue {
  private readonly lines = new Map<string, Line>();

  constructor(private readonly maxOutstanding: number) {}

  async run<T>(key: string, limit: number, fn: () => Promise<T>): Promise<T> {
    if (limit <= 0) throw new LogSentinelError('QUERY_LIMIT', QUERYING_DISABLED_MSG);
    let line = this.lines.get(key);
    if (line === undefined) {
      line = { running: 0, waiting: [] };
      this.lines.set(key, line);
    }
    if (line.running >= limit) {
      if (line.waiting.length >= this.maxOutstanding) throw new LogSentinelError('RATE_LIMITED', TOO_MANY_OUTSTANDING_MSG, { retryAfter: 1 });
      // Woken by a finishing query, which hands its slot over (`running` already counts this one),
      // so a query arriving meanwhile cannot take it first.
      const l = line;
      await new Promise<void>((r) => l.waiting.push(r));
    } else {
      line.running++;
    }
    try {
      return await fn();
    } finally {
      const next = line.waiting.shift();
      if (next !== undefined) next();
      else if (--line.running === 0) this.lines.delete(key);
    }
  }

  /** Queries of `key` executing and waiting (tests, metrics). */
  state(key: string): { running: number; waiting: number } {
    const l = this.lines.get(key);
    return { running: l?.running ?? 0, waiting: l?.waiting.length ?? 0 };
  }
}
