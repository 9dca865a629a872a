/**
 * The shared storage conformance suite on PostgreSQL, plus what only PostgreSQL has: concurrent
 * migration under the advisory lock, time partitions and retention, idempotency and stream
 * visibility across several storage instances (as several pods would run them).
 *
 * Server: LOGSENTINEL_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test). Each
 * store lives in its own schema `ls_test_<random>`, dropped at the end. When the server is not
 * reachable the tests are skipped with the reason, except in CI (CI=true), where they fail.
 *
 * These run the plain PostgreSQL layout (`timescaledb: 'off'`), whatever the server offers; the
 * same suite on the TimescaleDB layout is in timescale-storage.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStorage, DAY_NS, type PostgresStorageOptions } from './postgres-storage.js';
import { listPartitions } from './partitions.js';
import { SCHEMA_VERSION } from './schema.js';
import { runStorageConformance, batch, type StorageFactory } from '../conformance.js';
import { runQueryConformance } from '../../query/testing/query-conformance.js';
import type { SelectPlan, Storage, StoredRow } from '../storage.js';
import { streamId, sortLabels } from '../../model/labels.js';

const URL_ = process.env.LOGSENTINEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BASE = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z, a partition boundary

async function reachable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: URL_, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await c.end().catch(() => undefined);
  }
}

const newSchema = (): string => 'ls_test_' + randomBytes(6).toString('hex');
const schemas = new Set<string>();

async function dropSchemas(): Promise<void> {
  if (schemas.size === 0) return;
  const c = new pg.Client({ connectionString: URL_ });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    schemas.clear();
  } finally {
    await c.end();
  }
}

function make(schema: string, over: Partial<PostgresStorageOptions> = {}): PostgresStorage {
  schemas.add(schema);
  return new PostgresStorage({ url: URL_, schema, maxConnections: 4, streamsRefreshMs: 0, timescaledb: 'off', ...over });
}

async function collect(s: Storage, plan: SelectPlan): Promise<StoredRow[]> {
  const out: StoredRow[] = [];
  for await (const chunk of s.select(plan)) out.push(...chunk);
  return out;
}

const unreachable = await reachable();

if (unreachable !== undefined) {
  const shown = URL_.replace(/\/\/[^@/]*@/, '//');
  const msg = `PostgreSQL not reachable at ${shown}: ${unreachable}`;
  describe('storage conformance: postgres', () => {
    it('needs a PostgreSQL server', (t) => {
      if (process.env.CI === 'true') assert.fail(msg);
      t.skip(msg);
    });
  });
} else {
  after(dropSchemas);

  const factory: StorageFactory = {
    async create() {
      const s = make(newSchema());
      await s.open();
      return s;
    },
    async reopen(s) {
      const schema = (s as PostgresStorage).schema;
      await s.close();
      const n = make(schema);
      await n.open();
      return n;
    },
    async destroy(s) {
      await s.close();
      const c = new pg.Client({ connectionString: URL_ });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${(s as PostgresStorage).schema} CASCADE`).finally(() => c.end());
      schemas.delete((s as PostgresStorage).schema);
    },
  };
  runStorageConformance('postgres', factory);
  runQueryConformance('postgres', factory);


  describe('postgres storage specifics', () => {
    const T = 'pg';
    const L = sortLabels({ app: 'a' });
    const id = streamId(T, L);
    const all = (over: Partial<SelectPlan> = {}): SelectPlan => ({ tenant: T, streamIds: [id], start: 0n, end: 2n ** 62n, direction: 'forward', ...over });

    it('applies migrations once when several instances open a fresh schema at once', async () => {
      const schema = newSchema();
      const stores = Array.from({ length: 6 }, () => make(schema));
      try {
        await Promise.all(stores.map((s) => s.open()));
        const c = new pg.Client({ connectionString: URL_ });
        await c.connect();
        try {
          const v = await c.query(`SELECT version FROM ${schema}.schema_version`);
          assert.deepEqual(v.rows, [{ version: SCHEMA_VERSION }]);
        } finally {
          await c.end();
        }
        await stores[0].write([batch(T, L, [{ ts: BASE + 1n, line: 'hello' }])]);
        assert.deepEqual((await collect(stores[5], all())).map((r) => r.line), ['hello']);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('migrates a version 2 schema so that structured metadata is part of an entry\'s identity', async () => {
      const schema = newSchema();
      const c = new pg.Client({ connectionString: URL_ });
      await c.connect();
      try {
        // A schema as version 2 left it: the identity index without metadata, rows stored by then.
        const old = make(schema);
        await old.open();
        await old.write([batch(T, L, [{ ts: BASE + 1n, line: 'kept', metadata: { user: 'a' } }, { ts: BASE + 2n, line: 'plain' }])]);
        await old.close();
        await c.query(`DROP INDEX ${schema}.entries_identity`);
        await c.query(`CREATE UNIQUE INDEX entries_identity ON ${schema}.entries (skey, ts, line_hash)`);
        await c.query(`UPDATE ${schema}.schema_version SET version = 2`);

        const s = make(schema);
        await s.open();
        try {
          assert.deepEqual((await c.query(`SELECT version FROM ${schema}.schema_version`)).rows, [{ version: SCHEMA_VERSION }]);
          const { rows } = await c.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'entries_identity'`, [schema]);
          assert.match(rows[0].indexdef, /\(skey, ts, line_hash, hashtextextended\(COALESCE\(metadata, ''::text\), \(0\)::bigint\)\)/);
          // Rows stored before the migration are still there, and still deduplicate a retry.
          await s.write([batch(T, L, [{ ts: BASE + 1n, line: 'kept', metadata: { user: 'a' } }, { ts: BASE + 2n, line: 'plain' }])]);
          // Entries that differ only in metadata are now all kept, each once.
          const more: Array<{ ts: bigint; line: string; metadata: Record<string, string> }> = [{ ts: BASE + 1n, line: 'kept', metadata: { user: 'b' } }, { ts: BASE + 2n, line: 'plain', metadata: { user: 'a', k: 'v' } }];
          await s.write([batch(T, L, more)]);
          await s.write([batch(T, L, [{ ts: BASE + 2n, line: 'plain', metadata: { k: 'v', user: 'a' } }, ...more])]);
          const got = (await collect(s, all())).map((r) => `${r.line} ${JSON.stringify(r.metadata ?? null)}`).sort();
          assert.deepEqual(got, ['kept {"user":"a"}', 'kept {"user":"b"}', 'plain null', 'plain {"k":"v","user":"a"}']);
          // Stored canonically: keys sorted whatever order they were sent in.
          const text = await c.query(`SELECT metadata FROM ${schema}.entries WHERE metadata LIKE '%"k"%'`);
          assert.deepEqual(text.rows, [{ metadata: '{"k":"v","user":"a"}' }]);
        } finally {
          await s.close();
        }
      } finally {
        await c.end();
      }
    });

    it('creates partitions on demand, also concurrently, and retention drops whole partitions', async () => {
      const schema = newSchema();
      const a = make(schema, { precreatePartitions: 0 });
      const b = make(schema, { precreatePartitions: 0 });
      try {
        await Promise.all([a.open(), b.open()]);
        const day = (d: number, i: number): bigint => BASE + BigInt(d) * DAY_NS + BigInt(i) * 1_000_000_000n;
        // Two writers need the same three new partitions at the same time.
        await Promise.all([
          a.write([batch(T, L, [0, 1, 2].flatMap((d) => [{ ts: day(d, 1), line: `a${d}` }, { ts: day(d, 7200), line: `a${d}-late` }]))]),
          b.write([batch(T, L, [0, 1, 2].map((d) => ({ ts: day(d, 2), line: `b${d}` })))]),
        ]);
        const c = new pg.Client({ connectionString: URL_ });
        await c.connect();
        try {
          const parts = (await listPartitions(c as unknown as pg.PoolClient, schema)).filter((p) => p.from >= BASE && p.from < BASE + 3n * DAY_NS);
          assert.deepEqual(parts.map((p) => p.from), [BASE, BASE + DAY_NS, BASE + 2n * DAY_NS]);
          // Cutoff in the middle of day 1: day 0 (3 rows) is dropped, day 1 loses its 2 early rows.
          const deleted = await a.applyRetention(day(1, 3600));
          assert.equal(deleted, 5);
          const after = (await listPartitions(c as unknown as pg.PoolClient, schema)).map((p) => p.from);
          assert.equal(after.includes(BASE), false);
          assert.equal(after.includes(BASE + DAY_NS), true);
        } finally {
          await c.end();
        }
        assert.deepEqual((await collect(b, all())).map((r) => r.line), ['a1-late', 'a2', 'b2', 'a2-late']);
        const [st] = await b.streams(T, 0n, 2n ** 62n);
        assert.equal(st.firstTs, day(1, 3600));
        // Writing into a dropped day recreates its partition (the writer's cache is stale).
        await b.write([batch(T, L, [{ ts: day(0, 5), line: 'late arrival' }])]);
        assert.equal((await collect(a, all({ end: BASE + DAY_NS }))).length, 1);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('stores an entry once when two instances write it concurrently, and each sees the other\'s streams', async () => {
      const schema = newSchema();
      const a = make(schema);
      const b = make(schema, { streamsRefreshMs: 60_000 });
      try {
        await Promise.all([a.open(), b.open()]);
        const rows = Array.from({ length: 2000 }, (_, i) => ({ ts: BASE + BigInt(i), line: `line ${i % 7}`, metadata: i % 3 ? undefined : { k: String(i) } }));
        await Promise.all([a.write([batch(T, L, rows)]), b.write([batch(T, L, rows.slice(500))]), a.write([batch(T, L, rows.slice(0, 1000))])]);
        await b.write([batch(T, L, rows)]);
        assert.equal((await collect(a, all())).length, 2000);
        assert.equal((await b.stats(T, [id], 0n, 2n ** 62n)).entries, 2000);
        // A stream created by another instance is visible (b caches for 60 s but an unknown id reloads).
        const other = sortLabels({ app: 'other' });
        await a.write([batch(T, other, [{ ts: BASE, line: 'x' }])]);
        assert.equal((await a.streams(T, 0n, 2n ** 62n)).length, 2);
        const c = make(schema, { streamsRefreshMs: 0 });
        await c.open();
        assert.equal((await c.streams(T, 0n, 2n ** 62n)).length, 2);
        assert.equal((await collect(b, all({ streamIds: [streamId(T, other)] }))).length, 1);
        await c.close();
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('keeps lines byte for byte through COPY (tabs, newlines, backslashes, unicode)', async () => {
      const s = make(newSchema());
      try {
        await s.open();
        const lines = ['a\tb', 'multi\nline\r\n', 'back\\slash \\N \\t', 'ünïcødé €', '{"json":"\\u0000"}', ''];
        await s.write([batch(T, L, lines.map((line, i) => ({ ts: BASE + BigInt(i), line, metadata: { 'k\t': 'v\n\\' } })))]);
        const got = await collect(s, all());
        assert.deepEqual(got.map((r) => r.line), lines);
        assert.deepEqual(got[0].metadata, { 'k\t': 'v\n\\' });
        // PostgreSQL text cannot hold NUL: it is stored as U+FFFD.
        await s.write([batch(T, L, [{ ts: BASE + 100n, line: 'nul\u0000here' }])]);
        assert.equal((await collect(s, all({ start: BASE + 100n })))[0].line, 'nul\uFFFDhere');
      } finally {
        await s.close();
      }
    });

    it('evaluates regexes with RE2 semantics, also when counting, and honours limit', async () => {
      const s = make(newSchema());
      try {
        await s.open();
        await s.write([batch(T, L, Array.from({ length: 50 }, (_, i) => ({ ts: BASE + BigInt(i) * 1_000_000_000n, line: i % 2 ? `odd ${i}\nnext` : `even ${i}` })))]);
        // RE2: `.` does not match a newline; PostgreSQL's `~` would.
        const re = { type: 'regex' as const, pattern: 'odd.*next' };
        assert.equal((await collect(s, all({ line: re }))).length, 0);
        const limited = await collect(s, all({ line: { type: 'regex', pattern: '^even \\d+$' }, limit: 3, direction: 'backward', chunkSize: 2 }));
        assert.deepEqual(limited.map((r) => r.line), ['even 48', 'even 46', 'even 44']);
        const counted = await s.countBuckets({ tenant: T, streamIds: [id], start: BASE + 1n, end: BASE + 100_000_000_000n, origin: BASE, width: 10_000_000_000n, line: { type: 'regex', pattern: '(?s)odd.*next' } });
        assert.deepEqual(counted.map((r) => [r.bucket, r.count]).sort((x, y) => x[0] - y[0]), [[0, 5], [1, 5], [2, 5], [3, 5], [4, 5]]);
      } finally {
        await s.close();
      }
    });

    it('creates a trigram index on request, which serves contains filters', async () => {
      const schema = newSchema();
      const s = make(schema, { trigramIndex: true });
      try {
        await s.open();
        await s.write([batch(T, L, [{ ts: BASE, line: 'needle in a haystack' }, { ts: BASE + 1n, line: 'hay' }])]);
        await s.write([batch(T, L, [{ ts: BASE + 2n, line: '50%_off \\ sale' }, { ts: BASE + 3n, line: '50xyoff \\ sale' }])]);
        const f = async (value: string, want: string[]): Promise<void> =>
          assert.deepEqual((await collect(s, all({ line: { type: 'contains', value } }))).map((r) => r.line), want, value);
        await f('needle', ['needle in a haystack']);
        await f('%_off \\', ['50%_off \\ sale']);
        await f('hay', ['needle in a haystack', 'hay']);
        const c = new pg.Client({ connectionString: URL_ });
        await c.connect();
        try {
          const { rows } = await c.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'entries_line_trgm'`, [schema]);
          assert.match(rows[0].indexdef, /gin \(line \S*gin_trgm_ops\)/);
        } finally {
          await c.end();
        }
      } finally {
        await s.close();
      }
    });

    it('releases the connection when a reader stops early or is aborted', async () => {
      const s = make(newSchema(), { maxConnections: 1, connectTimeoutMs: 2000 });
      try {
        await s.open();
        await s.write([batch(T, L, Array.from({ length: 5000 }, (_, i) => ({ ts: BASE + BigInt(i), line: `l${i}` })))]);
        for await (const rows of s.select(all({ chunkSize: 100 }))) {
          assert.equal(rows.length, 100);
          break;
        }
        const ac = new AbortController();
        await assert.rejects(async () => {
          for await (const _rows of s.select(all({ chunkSize: 100, signal: ac.signal }))) ac.abort(new Error('client went away'));
        }, /client went away/);
        // With one connection in the pool, these would time out if either reader had kept it.
        assert.equal((await collect(s, all())).length, 5000);
        assert.equal((await s.stats(T, [id], 0n, 2n ** 62n)).entries, 5000);
      } finally {
        await s.close();
      }
    });

    it('reports an unreachable server and a closed store as retryable STORAGE_UNAVAILABLE', async () => {
      const bad = new PostgresStorage({ url: 'postgres://postgres@127.0.0.1:1/test', schema: newSchema(), connectTimeoutMs: 1000 });
      await assert.rejects(bad.open(), (err: Error & { code?: string; retryable?: boolean }) => {
        assert.equal(err.code, 'STORAGE_UNAVAILABLE');
        assert.equal(err.retryable, true);
        assert.match(err.message, /^cannot open store at 127\.0\.0\.1:1\/test/);
        return true;
      });
      const s = make(newSchema());
      await s.open();
      await s.close();
      await assert.rejects(s.write([batch(T, L, [{ ts: BASE, line: 'x' }])]), (err: Error & { retryable?: boolean }) => err.retryable === true);
    });
  });
}
