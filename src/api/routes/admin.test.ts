import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer } from '../server.js';
import type { AppContext } from '../context.js';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../telemetry/logger.js';
import { createMetrics } from '../../telemetry/metrics.js';
import { Semaphore } from '../../query/semaphore.js';
import { ingestLimits } from '../../modules.js';
import { BackupJobs } from '../../backup/index.js';

const root = mkdtempSync(join(tmpdir(), 'ls-admin-'));

/** A store whose copy waits until `finish` is called (or fails with `fail`). */
function slowSource(): { source: ConstructorParameters<typeof BackupJobs>[0]['source']; finish: () => void; fail: (err: Error) => void } {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    finish = res;
    fail = rej;
  });
  // Awaited only once the copy starts; a failure before that is not an unhandled rejection.
  done.catch(() => undefined);
  return {
    finish: () => finish(),
    fail: (err) => fail(err),
    source: {
      sizeBytes: async () => 1000,
      backupTo: async (file) => {
        await done;
        writeFileSync(file, 'copy');
        return { entries: 7, streams: 2, schemaVersion: 1 };
      },
    },
  };
}

function ctxWith(backups: BackupJobs | undefined, ready = true): AppContext {
  const config = loadConfig({ env: {} });
  return { config, logger: createLogger('silent'), metrics: createMetrics(), limits: ingestLimits(config), querySlots: new Semaphore(1), ready: () => ready, backups, version: 'test' };
}

async function until(cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('admin backup API', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('starts a backup (202), answers its state, refuses a second one (409), then reports it done', async () => {
    const slow = slowSource();
    const app = await buildServer(ctxWith(new BackupJobs({ source: slow.source, version: 'test', reserveBytes: 0, logger: createLogger('silent') })), { ingest: true, query: true });
    try {
      assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/admin/backup' })).json(), { state: 'idle' });
      const to = join(root, 'b1');
      const r = await app.inject({ method: 'POST', url: '/api/v1/admin/backup', payload: { to } });
      assert.equal(r.statusCode, 202, r.body);
      assert.equal(r.json().state, 'running');
      assert.equal(r.json().to, to);
      const again = await app.inject({ method: 'POST', url: '/api/v1/admin/backup', payload: { to: join(root, 'b2') } });
      assert.equal(again.statusCode, 409);
      assert.match(again.json().error, /^cannot start backup to .*b2: a backup to .*b1 is running/);
      slow.finish();
      await until(async () => (await app.inject({ method: 'GET', url: '/api/v1/admin/backup' })).json().state === 'done');
      const done = (await app.inject({ method: 'GET', url: '/api/v1/admin/backup' })).json();
      assert.equal(done.entries, 7);
      assert.equal(done.streams, 2);
      assert.equal(done.to, to);
    } finally {
      await app.close();
    }
  });

  it('reports a failed backup with its error', async () => {
    const slow = slowSource();
    const app = await buildServer(ctxWith(new BackupJobs({ source: slow.source, version: 'test', reserveBytes: 0, logger: createLogger('silent') })), { ingest: true, query: true });
    try {
      assert.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/backup', payload: { to: join(root, 'f1') } })).statusCode, 202);
      slow.fail(new Error('cannot back up store: disk on fire'));
      await until(async () => (await app.inject({ method: 'GET', url: '/api/v1/admin/backup' })).json().state === 'failed');
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/admin/backup' })).json().error, 'cannot back up store: disk on fire');
    } finally {
      await app.close();
    }
  });

  it('answers bad requests and roles without an embedded store plainly', async () => {
    const jobs = new BackupJobs({ source: slowSource().source, version: 'test', reserveBytes: 0, logger: createLogger('silent') });
    writeFileSync(join(root, 'occupied'), 'x');
    const f = async (ctx: AppContext, payload: unknown, status: number, error: RegExp): Promise<void> => {
      const app = await buildServer(ctx, { ingest: true, query: true });
      try {
        const r = await app.inject({ method: 'POST', url: '/api/v1/admin/backup', payload: payload as Record<string, unknown> });
        assert.equal(r.statusCode, status, r.body);
        assert.match(r.json().error, error);
      } finally {
        await app.close();
      }
    };
    await f(ctxWith(jobs), {}, 400, /^cannot start backup: the body must be \{"to": /);
    await f(ctxWith(jobs), { to: 'rel' }, 400, /the path must be absolute/);
    await f(ctxWith(jobs), { to: root }, 400, /the directory is not empty/);
    await f(ctxWith(undefined), { to: '/x' }, 404, /this role has no embedded store \(back up PostgreSQL with pg_dump/);
    await f(ctxWith(undefined, false), { to: '/x' }, 503, /the store is still opening/);
  });
});
