/**
 * Test helpers for the Redis Streams queue: the shared Redis of the test run (env
 * `LOGSENTINEL_TEST_REDIS_URL`, default `redis://127.0.0.1:6379`), unique key prefixes, and a
 * private `redis-server` on a free port for drills that kill and restart it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from '../../../testing/free-port.js';

export { freePort };

export const TEST_REDIS_URL = process.env.LOGSENTINEL_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * Why Redis tests cannot run here, or undefined when Redis answers. In CI (`CI=true`) an
 * unreachable Redis is a failure, so this throws instead of returning a reason to skip.
 */
export async function redisUnavailable(url = TEST_REDIS_URL): Promise<string | undefined> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
    return undefined;
  } catch (err) {
    const reason = `Redis at ${url} is unreachable (${(err as Error).message}); set LOGSENTINEL_TEST_REDIS_URL`;
    if (process.env.CI === 'true') throw new Error(`cannot run Redis tests in CI: ${reason}`, { cause: err });
    return reason;
  } finally {
    r.disconnect();
  }
}

export function uniquePrefix(name: string): string {
  return `lstest-${name}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1, protocol: 2 });
  r.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface OwnRedis {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL the server (no shutdown save) and wait for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (replaying its AOF). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A private `redis-server` with AOF fsynced on every write, on a free port. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ls-redis-'));
  let proc: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const launch = async (): Promise<void> => {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
    proc = p;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (p.exitCode !== null) throw new Error(`cannot start redis-server on port ${port}: exited with ${p.exitCode}`);
      if ((await redisUnavailableQuiet(url)) === undefined) return;
      if (Date.now() > deadline) throw new Error(`cannot start redis-server on port ${port}: not answering after 10s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url,
    port,
    dir,
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function redisUnavailableQuiet(url: string): Promise<string | undefined> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    r.disconnect();
  }
}
