/**
 * Authentication across the pods of a cluster (real Redis and PostgreSQL): a token revoked
 * through one query pod is refused by another within 5 s; several pods starting at once on an
 * empty deployment create (and print) exactly one first admin; a role without PostgreSQL refuses
 * to start with authentication on, naming the option.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterUnavailable, useCluster } from './cluster-fixture.js';
import { startServer } from './harness.js';
import { adminCredentials, makeToken } from './auth-helpers.js';
import { BANNER_BEGIN, CREDENTIALS_FILE, readCredentialsFile } from '../../src/auth/bootstrap.js';
import { registerSecret } from '../../src/testing/secrets.js';
import { TEST_REDIS_URL } from '../../src/queue/redis-streams/testing/test-redis.js';

const skip = await clusterUnavailable();

describe('auth in a cluster', { skip }, () => {
  describe('revocation', () => {
    const admin = adminCredentials();
    const cluster = useCluster('authrev', admin.env);
    it('a token revoked through one query pod is refused by another within 5 s', { timeout: 60_000 }, async () => {
      const [a, b] = await Promise.all([cluster.start('query', undefined, { auth: true }), cluster.start('query', undefined, { auth: true })]);
      const t = await makeToken(a.url, admin.token, { name: 'revoke-me', scopes: ['logs:read'], tenants: ['r'] });
      const labels = async (): Promise<number> => (await fetch(b.url + '/loki/api/v1/labels', { headers: { Authorization: `Bearer ${t.token}` } })).status;
      assert.equal(await labels(), 200, 'pod B accepts the token (and caches it)');
      assert.equal(await labels(), 200);
      const revoke = await fetch(`${a.url}/api/v1/auth/tokens/${t.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${admin.token}` } });
      assert.equal(revoke.status, 204);
      const t0 = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - t0 < 10_000) {
        status = await labels();
        if (status === 200) await new Promise((r) => setTimeout(r, 50));
      }
      const ms = Date.now() - t0;
      assert.equal(status, 401);
      assert.ok(ms <= 5000, `refused by pod B ${ms} ms after the revocation`);
      console.log(`# pod B refused the revoked token ${ms} ms after it was revoked through pod A`);
    });
  });

  describe('first admin', () => {
    const cluster = useCluster('authboot');
    it('three pods starting together on an empty deployment create one admin, printed and saved by one pod', { timeout: 60_000 }, async () => {
      const pods = await Promise.all(['query', 'query', 'ingest'].map((role) => cluster.start(role, undefined, { auth: true })));
      const printers = pods.filter((p) => p.output().includes(BANNER_BEGIN));
      assert.equal(printers.length, 1, 'exactly one pod printed the credentials');
      const files = pods.filter((p) => existsSync(join(p.dataDir, CREDENTIALS_FILE)));
      assert.deepEqual(files, printers, 'and only that pod wrote the file');
      const creds = readCredentialsFile(join(files[0].dataDir, CREDENTIALS_FILE));
      registerSecret(creds.password!, creds.token!);
      assert.ok(readFileSync(join(files[0].dataDir, CREDENTIALS_FILE), 'utf8').includes(creds.token!));
      for (const p of pods) {
        const r = await fetch(p.url + '/api/v1/auth/me', { headers: { Authorization: `Bearer ${creds.token}` } });
        assert.equal(r.status, 200, 'every pod accepts the one admin token');
      }
      const users = (await (await fetch(pods[0].url + '/api/v1/auth/users', { headers: { Authorization: `Bearer ${creds.token}` } })).json()) as { users: Array<{ name: string }> };
      assert.deepEqual(users.users.map((u) => u.name), ['admin']);
    });
  });

  it('an ingest pod without storage.postgres.url refuses to start with authentication on', async () => {
    await assert.rejects(
      startServer({ command: 'ingest', auth: true, env: { LOGSENTINEL_QUEUE_REDIS_URL: TEST_REDIS_URL, LOGSENTINEL_QUEUE_REDIS_PREFIX: 'ls-auth-noop' } }),
      /cannot start role ingest: authentication keeps users and tokens in PostgreSQL; set storage.postgres.url/,
    );
  });
});
