/**
 * A full disk under the PostgreSQL store (cluster mode): a private PostgreSQL whose data
 * directory is a small tmpfs (its WAL elsewhere, so it refuses table writes with 53100 instead of
 * restarting), filled to the brim while clients push to an `all` process (Redis queue). Ingest
 * keeps acknowledging into Redis; the processor's writes are refused as a full disk and its
 * readiness says so; once the ballast is deleted the backlog drains by itself, and every
 * acknowledged entry is in PostgreSQL exactly once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, getJson } from './harness.js';
import { clusterUnavailable, eventually, useCluster } from './cluster-fixture.js';
import { ownPostgresSkip, startOwnPostgres } from './own-postgres.js';
import { tmpfsUnavailable, withTmpfs, writeBallast } from './tmpfs.js';
import { Pushers, linesOf } from './pushers.js';

const skip = (await clusterUnavailable()) ?? tmpfsUnavailable() ?? ownPostgresSkip;

async function storedLines(url: string, schema: string): Promise<{ total: number; distinct: number; lines: Set<string> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows = (await c.query<{ line: string }>(`SELECT line FROM "${schema}".entries`)).rows.map((r) => r.line);
    return { total: rows.length, distinct: new Set(rows).size, lines: new Set(rows) };
  } finally {
    await c.end();
  }
}

describe('a full disk under the PostgreSQL store', { skip }, () => {
  const cluster = useCluster('pgfull');

  it('ingest keeps acknowledging into Redis, readiness names the full disk, and the backlog drains by itself once space is freed', async (t) => {
    await withTmpfs(96, async (mnt) => {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      chownSync(mnt, uid, gid);
      const own = await startOwnPostgres(await freePort(), { dataParent: mnt, walElsewhere: true });
      try {
        const s = await cluster.start('all', { ...cluster.env(), LOGSENTINEL_STORAGE_POSTGRES_URL: own.url });
        const pushers = new Pushers(() => s.url, 2, { service: 'pgfull', perBatch: 200, pad: 200 });
        try {
          await pushers.waitAcked(10);
          writeBallast(join(mnt, 'ballast'));

          await eventually(async () => {
            const r = await getJson(s, '/health/readiness');
            return r.status === 503 && /^store: cannot write entries to .*: the PostgreSQL server's disk is full \(.*No space left on device\)$/.test(r.body.reason) ? true : undefined;
          }, 'readiness names the full disk', 60_000);
          // Pushes are still acknowledged: they are durable in Redis, waiting for PostgreSQL.
          const ackedWhileFull = pushers.acked.length;
          await pushers.waitAcked(ackedWhileFull + 10);
          const q = await getJson(s, '/loki/api/v1/query', { query: 'sum(count_over_time({service="pgfull"}[1h]))', time: String(Date.now() * 1e6) });
          assert.equal(q.status, 200, 'queries of what is committed keep working');

          rmSync(join(mnt, 'ballast'));
          await eventually(async () => ((await getJson(s, '/health/readiness')).status === 200 ? true : undefined), 'readiness is 200 again', 60_000);
          await pushers.waitAcked(pushers.acked.length + 10);
          await pushers.stop();
          const want = linesOf(pushers.acked);
          await eventually(async () => ((await storedLines(own.url, cluster.schema)).total >= want.length ? true : undefined), 'the backlog drained into PostgreSQL', 60_000);
          const stored = await storedLines(own.url, cluster.schema);
          t.diagnostic(`acknowledged ${want.length} entries, stored ${stored.total} (${stored.distinct} distinct)`);
          assert.deepEqual(want.filter((l) => !stored.lines.has(l)).slice(0, 3), [], 'every acknowledged entry is stored');
          assert.equal(stored.total, stored.distinct, 'none twice');
          assert.equal(stored.total, want.length, 'nothing else');
          assert.deepEqual([...new Set(pushers.refusals.map((r) => r.status))].filter((c) => c !== 429), [], 'ingest refused nothing but overload');
        } finally {
          await pushers.abandon();
          await s.stop();
        }
      } finally {
        own.stop();
      }
    });
  });
});
