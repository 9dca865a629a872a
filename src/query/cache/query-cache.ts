/**
 * The query results cache: cache-aside in Redis for `query_range` results of metric queries
 * (cluster mode). The route asks `get` before running a cacheable query and `set`s the response
 * body after; which requests are cacheable and their keys are decided in key.ts.
 *
 * Contract
 * - Never fails a query: every Redis error (down, slow past `commandTimeoutMs`, full) is logged
 *   (at most once per `logEveryMs`), counted in `cache_errors_total`, and treated as a miss
 *   (`get`) or ignored (`set`).
 * - `get` counts `cache_hits_total` or `cache_misses_total`, once per call.
 * - Values are the JSON response body, stored with `SET key value PX ttl`; bodies larger than
 *   `maxItemBytes` are not stored (one huge matrix must not evict many small ones).
 * - Calls may overlap; two misses of one key both run the query and both store it (same value).
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../telemetry/logger.js';

export interface QueryCacheCounters {
  hit(): void;
  miss(): void;
  error(): void;
}

export interface QueryCacheOptions {
  url: string;
  ttlMs: number;
  /** A Redis command taking longer fails (and the query runs uncached). Default 500 ms. */
  commandTimeoutMs?: number;
  /** Largest body stored, in bytes of JSON. Default 8 MiB. */
  maxItemBytes?: number;
  counters: QueryCacheCounters;
  logger?: Logger;
  /** Minimum time between two logged errors. Default 10 s. */
  logEveryMs?: number;
}

export class QueryCache {
  private readonly redis: Redis;
  private readonly maxItemBytes: number;
  private readonly logEveryMs: number;
  private lastLogged = 0;

  constructor(private readonly opts: QueryCacheOptions) {
    this.maxItemBytes = opts.maxItemBytes ?? 8 * 1024 * 1024;
    this.logEveryMs = opts.logEveryMs ?? 10_000;
    this.redis = new Redis(opts.url, {
      // RESP2, like the queue: replies keep the shapes of the Redis command docs.
      protocol: 2,
      // While disconnected, fail at once (a miss) instead of queueing commands behind the outage.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 500,
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
    });
    this.redis.on('error', () => {
      // Connection errors surface on the commands that fail; ioredis reconnects by itself.
    });
  }

  /**
   * Resolves once connected, or after `timeoutMs` (never rejects): commands fail at once while
   * disconnected, so a process starting waits briefly for the first connection.
   */
  async waitReady(timeoutMs: number): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.redis.off('ready', done);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      this.redis.once('ready', done);
    });
  }

  /** The cached body under `key`, or undefined on a miss or error. */
  async get(key: string): Promise<unknown> {
    let raw: string | null;
    try {
      raw = await this.redis.get(key);
    } catch (err) {
      this.failed('get', err);
      this.opts.counters.miss();
      return undefined;
    }
    if (raw === null) {
      this.opts.counters.miss();
      return undefined;
    }
    try {
      const body: unknown = JSON.parse(raw);
      this.opts.counters.hit();
      return body;
    } catch (err) {
      // A value this version cannot read (written by hand, or truncated): recompute and overwrite.
      this.failed('decode', err);
      this.opts.counters.miss();
      return undefined;
    }
  }

  /** Stores `body` under `key` for the TTL; resolves (never rejects) once Redis answered or failed. */
  async set(key: string, body: unknown): Promise<void> {
    const raw = JSON.stringify(body);
    if (Buffer.byteLength(raw) > this.maxItemBytes) return;
    try {
      await this.redis.set(key, raw, 'PX', this.opts.ttlMs);
    } catch (err) {
      this.failed('set', err);
    }
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private failed(what: string, err: unknown): void {
    this.opts.counters.error();
    const now = Date.now();
    if (now - this.lastLogged < this.logEveryMs) return;
    this.lastLogged = now;
    this.opts.logger?.warn({ err: (err as Error).message }, `cannot ${what} query cache entry; the query runs uncached`);
  }
}
