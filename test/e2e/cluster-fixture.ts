/**
 * What the cluster end-to-end tests share: whether real Redis and PostgreSQL are reachable (a
 * failure in CI, a stated skip elsewhere), a private key prefix and schema per suite with the
 * environment that points roles at them, role processes started through the harness, and the
 * clean-up of all of it after the suite.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { removeDir, startServer, type ServerHandle } from './harness.js';
import { deletePrefix, redisUnavailable, TEST_REDIS_URL, uniquePrefix } from '../../src/queue/redis-streams/testing/test-redis.js';
import { postgresUnavailable, TEST_POSTGRES_URL } from '../../src/storage/postgres/testing/test-postgres.js';

/** Why the cluster tests cannot run here, or undefined (throws in CI instead of skipping). */
export async function clusterUnavailable(): Promise<string | undefined> {
  return (await redisUnavailable()) ?? (await postgresUnavailable());
}

/** Polls `f` every 100 ms until it returns something other than undefined. */
export async function eventually<T>(f: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs}ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Cluster {
  prefix: string;
  schema: string;
  /** Environment for a role: the suite's Redis prefix and PostgreSQL schema (+ `extra`). */
  env(redisUrl?: string): Record<string, string>;
  /** Starts `logsentinel <command>` (authentication off unless `opts.auth`); it is stopped after the suite. */
  start(command: string, env?: Record<string, string>, opts?: { auth?: boolean }): Promise<ServerHandle>;
}

/** Call inside a `describe`: registers the clean-up of processes, keys and schema with `after`. */
export function useCluster(name: string, extra: Record<string, string> = {}): Cluster {
  const prefix = uniquePrefix(name);
  const schema = prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase();
  const servers: ServerHandle[] = [];
  const env = (redisUrl = TEST_REDIS_URL): Record<string, string> => ({
    LOGSENTINEL_QUEUE_REDIS_URL: redisUrl,
    LOGSENTINEL_QUEUE_REDIS_PREFIX: prefix,
    LOGSENTINEL_QUEUE_REDIS_BLOCK: '200ms',
    LOGSENTINEL_STORAGE_POSTGRES_URL: TEST_POSTGRES_URL,
    LOGSENTINEL_STORAGE_POSTGRES_SCHEMA: schema,
    ...extra,
  });
  after(async () => {
    for (const s of servers) {
      await s.stop();
      removeDir(s.dataDir);
    }
    await deletePrefix(TEST_REDIS_URL, prefix);
    const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });
  return {
    prefix,
    schema,
    env,
    async start(command, e = env(), opts = {}) {
      const s = await startServer({ command, env: e, auth: opts.auth });
      servers.push(s);
      return s;
    },
  };
}
