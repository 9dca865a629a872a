/**
 * The documented backup procedure of the PostgreSQL store (docs/operations.md), tested as an
 * operator runs it: `pg_dump` of LogSentinel's schema while a cluster keeps ingesting, `pg_restore`
 * into a new database, and LogSentinel opening the copy. Everything committed to PostgreSQL before
 * the dump began is in the copy, once; nothing is in it that was not sent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { TEST_POSTGRES_URL } from '../../src/storage/postgres/testing/test-postgres.js';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { clusterUnavailable, eventually, useCluster } from './cluster-fixture.js';
import { Pushers, linesOf } from './pushers.js';

const skip = await clusterUnavailable();

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** The same server, another database. */
function databaseUrl(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = '/' + db;
  return u.toString();
}

async function lines(url: string, schema: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ line: string }>(`SELECT line FROM "${schema}".entries`)).rows.map((r) => r.line);
  } finally {
    await c.end();
  }
}

describe('PostgreSQL store: pg_dump and pg_restore of the schema', { skip }, () => {
  // pg_dump of one schema is the plain layout's backup; TimescaleDB's chunks live outside it (docs/operations.md).
  const cluster = useCluster('pgdump', { LOGSENTINEL_STORAGE_POSTGRES_TIMESCALEDB: 'off' });

  it('a dump taken under load restores into a new database with everything committed before it, once', async (t) => {
    const s = await cluster.start('all');
    const work = mkdtempSync(join(tmpdir(), 'ls-pgdump-'));
    const restoreDb = `ls_restore_${cluster.schema}`.slice(0, 63);
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    const before = new Pushers(() => s.url, 2, { service: 'pgdump-before', perBatch: 500 });
    let during: Pushers | undefined;
    try {
      await before.waitAcked(200);
      await before.stop();
      const committed = linesOf(before.acked);
      // Acknowledged by ingest means in Redis; wait until the processors committed it all.
      await eventually(async () => ((await lines(TEST_POSTGRES_URL, cluster.schema)).length === committed.length ? true : undefined), 'every acknowledged entry is in PostgreSQL', 60_000);

      during = new Pushers(() => s.url, 2, { service: 'pgdump-during', perBatch: 500 });
      await during.waitAcked(5);
      const dump = join(work, 'logsentinel.dump');
      const t0 = Date.now();
      run('pg_dump', ['--format=custom', `--schema=${cluster.schema}`, '--no-owner', '--no-privileges', `--file=${dump}`, TEST_POSTGRES_URL]);
      const dumpMs = Date.now() - t0;
      const ackedBy = during.acked.length;
      await during.waitAcked(ackedBy + 5);
      await during.stop();
      t.diagnostic(`pg_dump took ${dumpMs} ms; ${ackedBy} batches acknowledged while it ran or before`);

      await admin.query(`DROP DATABASE IF EXISTS "${restoreDb}"`);
      await admin.query(`CREATE DATABASE "${restoreDb}"`);
      const restoreUrl = databaseUrl(TEST_POSTGRES_URL, restoreDb);
      run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${restoreUrl}`, dump]);

      const restored = await lines(restoreUrl, cluster.schema);
      const set = new Set(restored);
      t.diagnostic(`committed before the dump ${committed.length}, restored ${restored.length}`);
      assert.equal(set.size, restored.length, `${restored.length - set.size} entries restored twice`);
      const missing = committed.filter((l) => !set.has(l));
      assert.deepEqual(missing.slice(0, 3), [], `${missing.length} entries committed before the dump are missing`);
      const sent = new Set([...committed, ...linesOf(during.acked)]);
      assert.deepEqual(restored.filter((l) => !sent.has(l)).slice(0, 3), [], 'nothing restored that was not sent');

      // LogSentinel opens the copy (schema version, partitions, streams) and reads it.
      const store = new PostgresStorage({ url: restoreUrl, schema: cluster.schema, timescaledb: 'off' });
      await store.open();
      try {
        const streams = await store.streams('default', 0n, 2n ** 62n);
        const stats = await store.stats('default', streams.map((x) => x.id), 0n, 2n ** 62n);
        assert.equal(stats.entries, restored.length);
        assert.ok(streams.some((x) => x.labels.service === 'pgdump-before'));
      } finally {
        await store.close();
      }
    } finally {
      await before.abandon();
      await during?.abandon();
      await admin.query(`DROP DATABASE IF EXISTS "${restoreDb}" WITH (FORCE)`);
      await admin.end();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
