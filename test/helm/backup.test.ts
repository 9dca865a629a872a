/**
 * The chart's backup and restore, run as they are (deploy/helm/logsentinel/files/backup/*.sh,
 * the scripts the CronJob and the restore Job execute) with this machine's pg_dump, pg_restore
 * and psql, against the local PostgreSQL, on a private schema filled by LogSentinel's own
 * PostgreSQL store: back up (three times, keeping two), change the data, restore the newest dump,
 * and find every table as it was at the backup, readable and writable by the store again.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../e2e/harness.js';
import { findTool } from '../deploy/tools.js';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { postgresUnavailable, TEST_POSTGRES_URL } from '../../src/storage/postgres/testing/test-postgres.js';
import { batch } from '../../src/storage/conformance.js';
import type { StoredRow } from '../../src/storage/storage.js';
import { streamId, sortLabels } from '../../src/model/labels.js';

const SCRIPTS = join(ROOT, 'deploy/helm/logsentinel/files/backup');
const PG_DUMP = findTool('pg_dump', '/usr/bin/pg_dump', 'apt-get install postgresql-client');
const unavailable = (await postgresUnavailable()) ?? (PG_DUMP.skip || undefined);

const schema = 'ls_backup_' + randomBytes(5).toString('hex');
const work = mkdtempSync(join(tmpdir(), 'ls-backup-'));
const urlFile = join(work, 'postgres-url');
const dumps = join(work, 'backup');

function sh(script: string, args: string[], keep = 2): { status: number | null; out: string } {
  const r = spawnSync('sh', [join(SCRIPTS, script), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', POSTGRES_URL_FILE: urlFile, LOGSENTINEL_SCHEMA: schema, BACKUP_DIR: dumps, BACKUP_KEEP: String(keep) },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Every table of the schema (partitions included) with its row count and a checksum of its rows. */
async function fingerprint(c: pg.Client): Promise<Record<string, string>> {
  const tables = await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`, [schema]);
  const out: Record<string, string> = {};
  for (const { t } of tables.rows) {
    const r = await c.query<{ n: string; sum: string | null }>(`SELECT count(*) AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS sum FROM "${schema}"."${t}" x`);
    out[t] = `${r.rows[0].n}:${r.rows[0].sum}`;
  }
  return out;
}

const NOW = BigInt(Date.now()) * 1_000_000n;
const labels = (service: string): Record<string, string> => ({ service, env: 'prod' });

function entries(n: number, tag: string): Array<{ ts: bigint; line: string; level: 'info' | 'error'; metadata?: Record<string, string> }> {
  return Array.from({ length: n }, (_, i) => ({ ts: NOW - BigInt(n - i) * 1_000_000n, line: `${tag} request ${i} took ${i % 97} ms`, level: i % 10 === 0 ? 'error' : 'info', metadata: i % 3 === 0 ? { trace_id: `t-${tag}-${i}` } : undefined }));
}

async function readAll(store: PostgresStorage, tenant: string, service: string): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  for await (const chunk of store.select({ tenant, streamIds: [streamId(tenant, sortLabels(labels(service)))], start: NOW - 86_400_000_000_000n, end: NOW + 1n, direction: 'forward' })) rows.push(...chunk);
  return rows;
}

// The plain layout: backup.sh dumps one schema, which holds all of it. The TimescaleDB layout is refused (last test).
describe('backup.sh and restore.sh against PostgreSQL', { skip: unavailable }, () => {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  after(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await client.end().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  it('dumps the schema, keeps the newest dumps, and restores exactly what was dumped', async () => {
    await client.connect();
    writeFileSync(urlFile, TEST_POSTGRES_URL);
    spawnSync('mkdir', ['-p', dumps]);
    const store = new PostgresStorage({ url: TEST_POSTGRES_URL, schema, maxConnections: 2, streamsRefreshMs: 0, timescaledb: 'off' });
    await store.open();
    await store.write([batch('acme', labels('checkout'), entries(3000, 'a')), batch('acme', labels('search'), entries(1500, 'b')), batch('globex', labels('checkout'), entries(500, 'c'))]);
    await store.close();
    const before = await fingerprint(client);
    assert.ok(Object.keys(before).length >= 3, `tables: ${Object.keys(before).join(', ')}`);

    // Three backups a second apart (dump names carry the second); two are kept.
    for (let i = 0; i < 3; i++) {
      const b = sh('backup.sh', []);
      assert.equal(b.status, 0, b.out);
      assert.match(b.out, /backup: wrote .*logsentinel-\d{8}T\d{6}Z\.dump \(\d+ bytes\)/);
      if (i < 2) await new Promise((r) => setTimeout(r, 1100));
    }
    const kept = readdirSync(dumps).sort();
    assert.equal(kept.length, 2, kept.join(', '));
    assert.ok(kept.every((f) => /^logsentinel-\d{8}T\d{6}Z\.dump$/.test(f)), 'no partial file left behind');

    // Life goes on after the backup: more entries, a dropped table.
    const later = new PostgresStorage({ url: TEST_POSTGRES_URL, schema, maxConnections: 2, streamsRefreshMs: 0, timescaledb: 'off' });
    await later.open();
    await later.write([batch('acme', labels('checkout'), entries(200, 'late'))]);
    await later.close();
    assert.notDeepEqual(await fingerprint(client), before);

    // A damaged dump is refused before anything is dropped.
    writeFileSync(join(dumps, 'broken.dump'), 'not a dump');
    const broken = sh('restore.sh', [join(dumps, 'broken.dump')]);
    assert.notEqual(broken.status, 0);
    assert.ok(Object.keys(await fingerprint(client)).length >= 3, 'the schema is still there');

    const r = sh('restore.sh', [join(dumps, kept[kept.length - 1])]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`restore: schema ${schema} restored`));
    assert.deepEqual(await fingerprint(client), before, 'every table holds what it held at the backup');

    // LogSentinel's store opens the restored schema, reads it and writes to it again.
    const again = new PostgresStorage({ url: TEST_POSTGRES_URL, schema, maxConnections: 2, streamsRefreshMs: 0, timescaledb: 'off' });
    await again.open();
    try {
      assert.equal((await readAll(again, 'acme', 'checkout')).length, 3000);
      assert.equal((await readAll(again, 'globex', 'checkout')).length, 500);
      await again.write([batch('acme', labels('checkout'), entries(10, 'after-restore'))]);
      assert.equal((await readAll(again, 'acme', 'checkout')).length, 3010);
    } finally {
      await again.close();
    }
  });

  it('refuses to back up a schema of the TimescaleDB layout (its chunks are outside the schema), naming what to do', async () => {
    // The layout as recorded in meta; the script reads nothing else to decide.
    await client.query(`UPDATE "${schema}".meta SET value = 'timescaledb' WHERE key = 'layout'`);
    try {
      const before = readdirSync(dumps).sort();
      const b = sh('backup.sh', []);
      assert.notEqual(b.status, 0);
      assert.match(b.out, new RegExp(`backup: cannot back up schema ${schema}: it uses the TimescaleDB layout, whose chunks are outside the schema; back up the whole database as docs/operations.md describes`));
      assert.deepEqual(readdirSync(dumps).sort(), before, 'no dump written');
    } finally {
      await client.query(`UPDATE "${schema}".meta SET value = 'partitioned' WHERE key = 'layout'`);
    }
  });
});
