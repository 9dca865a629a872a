/**
 * Secrets never printed, against the real server: PostgreSQL and Redis URLs with passwords (given
 * through `_FILE` variables, as Kubernetes mounts Secrets) appear in no log line, no startup error
 * and not in /metrics or --help; a webhook URL with `user:password@` is delivered with basic auth
 * to a receiver that requires it, and its failures are logged without the password.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeDir, ROOT, startServer, type ServerHandle } from './harness.js';
import { clusterUnavailable, useCluster } from './cluster-fixture.js';
import { TEST_POSTGRES_URL } from '../../src/storage/postgres/testing/test-postgres.js';
import { TEST_REDIS_URL } from '../../src/queue/redis-streams/testing/test-redis.js';

const run = promisify(execFile);
const PG_PASSWORD = 'pg-Sup3r-S3cret';
const REDIS_PASSWORD = 'redis-Sup3r-S3cret';
const HOOK_PASSWORD = 'hook-Sup3r-S3cret';

function withPassword(url: string, password: string, user?: string): string {
  const u = new URL(url);
  if (user !== undefined) u.username = user;
  u.password = password;
  return u.toString();
}

const noSecret = (text: string, what: string): void => {
  for (const p of [PG_PASSWORD, REDIS_PASSWORD, HOOK_PASSWORD]) assert.ok(!text.includes(p), `${what} contains a password:\n${text}`);
};

describe('secrets are never printed', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ls-secrets-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('cluster URLs with passwords, from _FILE variables', async () => {
    const why = await clusterUnavailable();
    const cluster = useCluster('secrets');
    it('run the whole cluster path without printing them', { skip: why }, async () => {
      const pgFile = join(dir, 'pg-url');
      const redisFile = join(dir, 'redis-url');
      // PostgreSQL here trusts local connections and Redis has no password: both ignore them.
      writeFileSync(pgFile, withPassword(TEST_POSTGRES_URL, PG_PASSWORD) + '\n');
      writeFileSync(redisFile, withPassword(TEST_REDIS_URL, REDIS_PASSWORD, 'default') + '\n');
      const { LOGSENTINEL_STORAGE_POSTGRES_URL: _pg, LOGSENTINEL_QUEUE_REDIS_URL: _r, ...env } = cluster.env();
      const s = await cluster.start('all', { ...env, LOGSENTINEL_STORAGE_POSTGRES_URL_FILE: pgFile, LOGSENTINEL_QUEUE_REDIS_URL_FILE: redisFile, LOGSENTINEL_SERVER_LOG_LEVEL: 'debug' });
      const push = await fetch(s.url + '/loki/api/v1/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream: { app: 'secrets' }, values: [[`${Date.now()}000000`, 'hello']] }] }),
      });
      assert.equal(push.status, 204);
      const metrics = await (await fetch(s.url + '/metrics')).text();
      assert.match(metrics, /dependency_up\{dependency="postgres"\} 1/);
      noSecret(metrics, '/metrics');
      assert.match(s.output(), /"redis":"redis:\/\/default:\*\*\*@/);
      noSecret(s.output(), 'the logs');
    });
  });

  it('startup errors name the database without its password', async () => {
    const unreachable = withPassword('postgres://ls@127.0.0.1:1/logs', PG_PASSWORD);
    await assert.rejects(startServer({ command: 'query', env: { LOGSENTINEL_STORAGE_POSTGRES_URL: unreachable } }), (err: Error) => {
      assert.match(err.message, /cannot start/);
      noSecret(err.message, 'the startup error');
      return true;
    });
    const malformed = `postgres://ls:${PG_PASSWORD}@db:notaport/logs`;
    await assert.rejects(startServer({ command: 'query', env: { LOGSENTINEL_STORAGE_POSTGRES_URL: malformed } }), (err: Error) => {
      assert.match(err.message, /cannot start/);
      noSecret(err.message, 'the startup error');
      return true;
    });
  });

  it('--help documents the _FILE variables and shows no configured value', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'serve', '--help'], {
      cwd: ROOT,
      env: { ...process.env, LOGSENTINEL_STORAGE_POSTGRES_URL: withPassword('postgres://ls@db/logs', PG_PASSWORD), LOGSENTINEL_ALERTING_WEBHOOK_URLS: withPassword('https://u@hooks.example/x', HOOK_PASSWORD) },
    });
    assert.match(stdout, /LOGSENTINEL_STORAGE_POSTGRES_URL_FILE/);
    assert.match(stdout, /LOGSENTINEL_X_FILE/);
    noSecret(stdout, '--help');
  });

  describe('a webhook URL with credentials', () => {
    let receiver: Server;
    let port = 0;
    const got: Array<{ authorization?: string; body: string }> = [];
    let s: ServerHandle;
    before(async () => {
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          got.push({ authorization: req.headers.authorization, body });
          const ok = req.headers.authorization === 'Basic ' + Buffer.from(`alerts:${HOOK_PASSWORD}`).toString('base64');
          res.writeHead(ok ? 200 : 401).end(ok ? 'ok' : 'unauthorized');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      port = (receiver.address() as AddressInfo).port;
      s = await startServer({
        env: {
          LOGSENTINEL_ALERTING_WEBHOOK_URLS: [`http://alerts:${HOOK_PASSWORD}@127.0.0.1:${port}/good`, `http://alerts:wrong-${HOOK_PASSWORD}@127.0.0.1:${port}/bad`].join(','),
          LOGSENTINEL_ALERTING_MIN_BACKOFF: '50ms',
          LOGSENTINEL_ALERTING_MAX_ATTEMPTS: '2',
          LOGSENTINEL_SERVER_LOG_LEVEL: 'info',
        },
      });
    });
    after(async () => {
      await s?.stop();
      if (s) removeDir(s.dataDir);
      receiver.closeAllConnections();
      receiver.close();
    });

    it('is delivered with basic auth, and a refusal is logged without the password', async () => {
      const push = await fetch(s.url + '/loki/api/v1/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream: { service: 'payments' }, values: [[`${Date.now()}000000`, 'level=critical msg="vault unreachable"']] }] }),
      });
      assert.equal(push.status, 204);
      for (let i = 0; i < 100 && !s.output().includes('notification dropped'); i++) await new Promise((r) => setTimeout(r, 100));
      const good = got.filter((g) => g.authorization === 'Basic ' + Buffer.from(`alerts:${HOOK_PASSWORD}`).toString('base64'));
      assert.equal(good.length, 1, JSON.stringify(got));
      assert.equal((JSON.parse(good[0].body) as { alerts: Array<{ labels: { alertname: string } }> }).alerts[0].labels.alertname, 'CriticalLogEntry');
      assert.match(s.output(), new RegExp(`cannot send 1 alerts to http://alerts:\\*\\*\\*@127\\.0\\.0\\.1:${port}/bad: HTTP 401 unauthorized`));
      noSecret(s.output(), 'the logs');
      noSecret(await (await fetch(s.url + '/metrics')).text(), '/metrics');
    });
  });
});
