/**
 * The PostgreSQL store's per-minute counts (counts.ts) on a real server: that counting queries
 * read them, that they count every stored entry exactly once whatever the write path, redelivery,
 * concurrency, merge, migration or retention did. The invariant checked throughout: entry_counts
 * summed per (stream, level, minute, metadata or not) equals the same aggregate over `entries`.
 *
 * Server: LOGSENTINEL_TEST_POSTGRES_URL (testing/test-postgres.ts); skipped with the reason when
 * it is unreachable, except in CI. Plain layout: the TimescaleDB layout runs the conformance
 * suite (with its countBuckets cases) in timescale-storage.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStorage, DAY_NS, type PostgresStorageOptions } from './postgres-storage.js';
import { SCHEMA_VERSION } from './schema.js';
import { cellSql } from './counts.js';
import { cellOf } from '../common/rollups.js';
import { postgresUnavailable, TEST_POSTGRES_URL } from './testing/test-postgres.js';
import { batch } from '../conformance.js';
import type { LogEntry } from '../../model/entry.js';

const skip = await postgresUnavailable();

const MIN = 60_000_000_000n;
const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z, a whole minute and a partition boundary
const T = 'pc';
const L = { app: 'a' };

type Entry = Partial<LogEntry> & { ts: bigint; line: string };

/** `n` entries 7 s apart from entry `from` on, some on a whole minute, some with metadata. */
const entries = (n: number, from = 0): Entry[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      ts: T0 + BigInt(i) * 7_000_000_000n + BigInt(i % 3),
      line: `l${i} ${'€'.repeat(i % 4)}`,
      level: i % 4 === 0 ? 'error' : 'info',
      ...(i % 5 === 0 ? { metadata: { k: `v${i % 2}` } } : {}),
    };
  });

describe('postgres storage: per-minute counts', { skip }, () => {
  const schemas = new Set<string>();
  const stores: PostgresStorage[] = [];
  const db = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  let connected = false;

  const sql = async <R extends object>(text: string, values?: unknown[]): Promise<R[]> => {
    if (!connected) {
      await db.connect();
      connected = true;
    }
    return (await db.query<R>(text, values)).rows;
  };
  const open = async (schema: string, over: Partial<PostgresStorageOptions> = {}): Promise<PostgresStorage> => {
    schemas.add(schema);
    const s = new PostgresStorage({ url: TEST_POSTGRES_URL, schema, maxConnections: 4, streamsRefreshMs: 0, timescaledb: 'off', mergeCountsEveryMs: 0, ...over });
    stores.push(s);
    await s.open();
    return s;
  };
  const fresh = (): string => 'ls_test_' + randomBytes(6).toString('hex');

  after(async () => {
    for (const s of stores) await s.close();
    for (const s of schemas) await sql(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    if (connected) await db.end();
  });

  /** Keys whose counts differ from the entries' (empty: exact). */
  const mismatches = async (schema: string): Promise<string[]> => {
    const rows = await sql<{ k: string }>(
      `WITH c AS (SELECT skey, level, cell, meta, sum(n)::bigint AS n, sum(bytes)::bigint AS bytes FROM ${schema}.entry_counts GROUP BY 1, 2, 3, 4),
            e AS (SELECT skey, level, ${cellSql('ts')} AS cell, metadata IS NOT NULL AS meta, count(*)::bigint AS n, sum(octet_length(line))::bigint AS bytes FROM ${schema}.entries GROUP BY 1, 2, 3, 4)
       SELECT concat_ws(' ', coalesce(c.skey, e.skey), coalesce(c.level, e.level), coalesce(c.cell, e.cell), coalesce(c.meta, e.meta), 'counts', c.n, c.bytes, 'entries', e.n, e.bytes) AS k
         FROM c FULL JOIN e USING (skey, level, cell, meta) WHERE c.n IS DISTINCT FROM e.n OR c.bytes IS DISTINCT FROM e.bytes`,
    );
    return rows.map((r) => r.k);
  };
  const rowCount = async (schema: string): Promise<{ rows: number; keys: number; unmerged: number }> => {
    const [r] = await sql<{ rows: number; keys: number; unmerged: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT (skey, level, cell, meta))::int AS keys, (count(*) FILTER (WHERE NOT merged))::int AS unmerged FROM ${schema}.entry_counts`,
    );
    return r;
  };
  /** countBuckets over the first hour, as one sorted string. */
  const totals = async (s: PostgresStorage, width: bigint, origin = T0, metadataKeys: string[] | undefined = []): Promise<string> => {
    const ids = (await s.streams(T, 0n, 2n ** 62n)).map((x) => x.id);
    const rows = await s.countBuckets({ tenant: T, streamIds: ids, start: origin + 1n, end: T0 + 60n * MIN, origin, width, metadataKeys });
    return rows
      .map((r) => `${r.level}${r.metadata ? JSON.stringify(r.metadata) : ''} b${r.bucket} n${r.count} ${r.bytes}B`)
      .sort()
      .join('\n');
  };

  it('computes cells in SQL as rollups.ts does, also before the epoch', async () => {
    const f = async (ts: bigint): Promise<void> => {
      const [r] = await sql<{ c: string }>(`SELECT ${cellSql('$1::bigint')}::text AS c`, [ts]);
      assert.equal(BigInt(r.c), cellOf(ts), String(ts));
    };
    for (const ts of [T0, T0 + 1n, T0 + MIN, T0 + MIN + 1n, 1n, 0n, -1n, -MIN, -MIN + 1n, -MIN - 1n, 2n ** 62n]) await f(ts);
  });

  it('counts whole-minute buckets from entry_counts, others from the entries', async () => {
    const schema = fresh();
    const s = await open(schema);
    const plain = await open(schema, { rollups: false });
    await s.write([batch(T, L, entries(300))]);
    const want = async (width: bigint, origin = T0, keys?: string[]): Promise<string> => {
      const got = await totals(plain, width, origin, keys);
      assert.equal(await totals(s, width, origin, keys), got, `width ${width} origin +${origin - T0}`);
      return got;
    };
    const minute = await want(MIN);
    const allMeta = await want(2n * MIN, T0, undefined);
    const odd = await want(10_000_000_000n);
    const shifted = await want(MIN, T0 + 1n);
    // Inflate every stored count: only answers read from entry_counts change.
    await sql(`UPDATE ${schema}.entry_counts SET n = n + 1000`);
    assert.notEqual(await totals(s, MIN), minute);
    assert.notEqual(await totals(s, 2n * MIN, T0, undefined), allMeta);
    assert.equal(await totals(plain, MIN), minute);
    assert.equal(await totals(s, 10_000_000_000n), odd);
    assert.equal(await totals(s, MIN, T0 + 1n), shifted); // every minute cut by a bucket boundary
    await sql(`UPDATE ${schema}.entry_counts SET n = n - 1000`);
    assert.equal(await totals(s, MIN), minute);
    assert.deepEqual(await mismatches(schema), []);
  });

  it('counts a redelivered batch once, on the COPY path and on the ON CONFLICT path', async () => {
    const schema = fresh();
    const s = await open(schema);
    const first = entries(120);
    first.push({ ts: T0 + 5n, line: 'nul \u0000 stored as U+FFFD', level: 'info' });
    await s.write([batch(T, L, first)]); // COPY
    const counted = await sql<{ n: string }>(`SELECT sum(n) AS n FROM ${schema}.entry_counts`);
    await s.write([batch(T, L, first)]); // all stored already: ON CONFLICT, nothing inserted
    assert.deepEqual(await sql(`SELECT sum(n) AS n FROM ${schema}.entry_counts`), counted);
    await s.write([batch(T, L, [...first.slice(60), ...entries(60, 120)])]); // half new
    const onConflict = await open(schema, { alwaysOnConflict: true });
    await onConflict.write([batch(T, L, [...entries(100, 150), { ts: T0 + 6n, line: 'nul \u0000 again', metadata: { k: 'x' } }])]);
    await onConflict.write([batch(T, L, entries(200, 100))]);
    const [c] = await sql<{ n: string; e: string }>(`SELECT (SELECT sum(n) FROM ${schema}.entry_counts) AS n, (SELECT count(*) FROM ${schema}.entries) AS e`);
    assert.equal(c.n, c.e);
    assert.equal(Number(c.e), 302);
    assert.deepEqual(await mismatches(schema), []);
  });

  it('merges the rows of past minutes into one per key, leaving the current minutes, counting the same', async () => {
    const schema = fresh();
    const a = await open(schema);
    const b = await open(schema);
    for (let i = 0; i < 10; i++) await (i % 2 ? a : b).write([batch(T, L, entries(30, i * 30))]);
    const now = BigInt(Date.now()) * 1_000_000n;
    await a.write([batch(T, L, [{ ts: now, line: 'now' }])]);
    await a.write([batch(T, L, [{ ts: now, line: 'now again' }])]);
    const before = await totals(a, MIN);
    const r0 = await rowCount(schema);
    assert.ok(r0.rows > r0.keys, `${r0.rows} rows for ${r0.keys} keys`);
    // Two pods at once: one merges, the other finds the lock taken; together they merge it all.
    const fewer = (await Promise.all([a.mergeCounts(), b.mergeCounts()])).reduce((x, y) => x + y, 0);
    const r1 = await rowCount(schema);
    assert.equal(fewer, r0.rows - r1.rows);
    // Only the current minute's two rows are left unmerged (and unmerged with each other).
    assert.equal(r1.unmerged, 2);
    assert.equal(r1.rows, r1.keys + 1);
    assert.equal(await totals(a, MIN), before);
    assert.equal(await a.mergeCounts(), 0);
    assert.deepEqual(await mismatches(schema), []);
    // A late entry into a merged minute adds a row, merged again by the next pass.
    await b.write([batch(T, L, [{ ts: T0 + 3n, line: 'late' }])]);
    assert.equal(await b.mergeCounts(), 1);
    assert.deepEqual(await mismatches(schema), []);
  });

  it('builds the counts of a schema created before them (version 3)', async () => {
    const schema = fresh();
    let s = await open(schema);
    await s.write([batch(T, L, entries(200))]);
    await s.write([batch(T, { app: 'b' }, entries(50, 30))]);
    const want = await totals(s, MIN);
    const wantAll = await totals(s, 5n * MIN, T0, undefined);
    await s.close();
    await sql(`DROP TABLE ${schema}.entry_counts`);
    await sql(`UPDATE ${schema}.schema_version SET version = 3`);
    s = await open(schema);
    assert.deepEqual(await sql(`SELECT version FROM ${schema}.schema_version`), [{ version: SCHEMA_VERSION }]);
    const r = await rowCount(schema);
    assert.deepEqual([r.rows, r.unmerged], [r.keys, 0]);
    assert.equal(await totals(s, MIN), want);
    assert.equal(await totals(s, 5n * MIN, T0, undefined), wantAll);
    assert.deepEqual(await mismatches(schema), []);
  });

  it('counts each entry once when two stores write overlapping batches concurrently while merges run', async () => {
    const schema = fresh();
    const a = await open(schema);
    const b = await open(schema, { streamsRefreshMs: 60_000 });
    const rows = entries(2000);
    let merging = true;
    const merges = (async () => {
      let n = 0;
      while (merging) {
        await (n++ % 2 ? a : b).mergeCounts();
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      await Promise.all([
        a.write([batch(T, L, rows)]),
        b.write([batch(T, L, rows.slice(500))]),
        a.write([batch(T, L, rows.slice(0, 1000))]),
        b.write([batch(T, { app: 'b' }, rows.slice(100, 900))]),
        a.write([batch(T, { app: 'b' }, rows.slice(300, 1200))]),
      ]);
      await Promise.all([b.write([batch(T, L, rows)]), a.write([batch(T, L, rows.slice(1500))])]);
    } finally {
      merging = false;
      await merges;
    }
    const [c] = await sql<{ n: string; e: string }>(`SELECT (SELECT sum(n) FROM ${schema}.entry_counts) AS n, (SELECT count(*) FROM ${schema}.entries) AS e`);
    assert.deepEqual([Number(c.n), Number(c.e)], [3100, 3100]);
    assert.deepEqual(await mismatches(schema), []);
    await a.mergeCounts();
    const r = await rowCount(schema);
    assert.deepEqual([r.rows, r.unmerged], [r.keys, 0]);
    assert.deepEqual(await mismatches(schema), []);
  });

  it('retention deletes the counts of dropped partitions and counts the minute holding the cutoff again', async () => {
    const schema = fresh();
    const s = await open(schema, { precreatePartitions: 0 });
    const plain = await open(schema, { rollups: false });
    const at = (day: bigint, sec: bigint): bigint => T0 + day * DAY_NS + sec * 1_000_000_000n;
    const days: Entry[] = [];
    for (let d = 0n; d < 3n; d++) for (let sec = 0n; sec < 7200n; sec += 29n) days.push({ ts: at(d, sec), line: `d${d} ${sec}`, metadata: sec % 2n ? { k: 'v' } : undefined });
    await s.write([batch(T, L, days)]);
    await s.mergeCounts();
    const cutoff = at(1n, 1830n); // between the entries at 1827 s and 1856 s of day 1: day 0 goes, day 1 is trimmed
    const deleted = await s.applyRetention(cutoff);
    assert.equal(deleted, days.filter((e) => e.ts < cutoff).length);
    assert.deepEqual(await mismatches(schema), []);
    const [old] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.entry_counts WHERE cell < $1`, [(cutoff - 1n) / MIN]);
    assert.equal(old.n, 0);
    const ids = (await s.streams(T, 0n, 2n ** 62n)).map((x) => x.id);
    for (const width of [MIN, 5n * MIN, 90_000_000_000n]) {
      for (const metadataKeys of [[], undefined]) {
        const plan = { tenant: T, streamIds: ids, start: T0 + 1n, end: at(3n, 0n), origin: T0, width, metadataKeys };
        const key = (r: { level: string; bucket: number; count: number; bytes: number; metadata?: object }): string => `${r.level}${JSON.stringify(r.metadata ?? null)} b${r.bucket} n${r.count} ${r.bytes}B`;
        assert.deepEqual((await s.countBuckets(plan)).map(key).sort(), (await plain.countBuckets(plan)).map(key).sort(), `width ${width}`);
      }
    }
  });
});
