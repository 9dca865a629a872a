/**
 * The PostgreSQL store's TimescaleDB layout against a real server (LOGSENTINEL_TEST_POSTGRES_URL,
 * as postgres-storage.test.ts): the shared storage conformance suite on a hypertable, and what
 * only this layout has — the hypertable, its compression and retention jobs, queries identical
 * before and after the compression job ran, idempotent and late writes into compressed chunks,
 * compression figures.
 *
 * Which layout a schema gets (`storage.postgres.timescaledb`) is tested on any server: `auto`
 * falls back to plain PostgreSQL and says why, `on` fails with a message naming what to do, an
 * existing plain schema is kept (auto) or refused (on).
 *
 * When the test database has no usable TimescaleDB the TimescaleDB tests are skipped with the
 * reason — also in CI, for this extension only (it is optional; an unreachable server still fails
 * CI, as everywhere). Jobs are run with `CALL run_job(...)`, not left to the scheduler: some
 * PostgreSQL 15 minor releases record background policy runs as failed although their work
 * committed.
 */
import { randomBytes } from 'node:crypto';
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStorage, DAY_NS, type PostgresStorageOptions } from './postgres-storage.js';
import { policyJobsQuery, runJobStatement, type PolicyJob } from './timescale.js';
import { runStorageConformance, batch, type StorageFactory } from '../conformance.js';
import { runQueryConformance } from '../../query/testing/query-conformance.js';
import type { SelectPlan, Storage, StoredRow } from '../storage.js';
import { streamId, sortLabels } from '../../model/labels.js';
import { postgresUnavailable, TEST_POSTGRES_URL, timescaleUnavailable } from './testing/test-postgres.js';

const URL_ = TEST_POSTGRES_URL;
const unreachable = await postgresUnavailable(URL_);
const noTimescale = unreachable ?? (await timescaleUnavailable(URL_));

const newSchema = (): string => 'ls_tstest_' + randomBytes(6).toString('hex');
const schemas = new Set<string>();

async function sql<T extends object>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: URL_ });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

function make(schema: string, over: Partial<PostgresStorageOptions> = {}): PostgresStorage {
  schemas.add(schema);
  return new PostgresStorage({ url: URL_, schema, maxConnections: 4, streamsRefreshMs: 0, timescaledb: 'on', ...over });
}

async function collect(s: Storage, plan: SelectPlan): Promise<StoredRow[]> {
  const out: StoredRow[] = [];
  for await (const chunk of s.select(plan)) out.push(...chunk);
  return out;
}

async function jobs(schema: string): Promise<PolicyJob[]> {
  const q = policyJobsQuery(schema);
  return sql<PolicyJob>(q.sql, q.values);
}

async function runJob(schema: string, proc: 'policy_compression' | 'policy_retention'): Promise<void> {
  const job = (await jobs(schema)).find((j) => j.proc_name === proc);
  assert.ok(job, `a ${proc} job on ${schema}.entries`);
  await sql(runJobStatement(job.job_id));
}

async function chunkStates(schema: string): Promise<{ compressed: number; uncompressed: number }> {
  const rows = await sql<{ c: boolean; n: number }>(
    `SELECT is_compressed AS c, count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_schema = $1 AND hypertable_name = 'entries' GROUP BY 1`,
    [schema],
  );
  return { compressed: rows.find((r) => r.c)?.n ?? 0, uncompressed: rows.find((r) => !r.c)?.n ?? 0 };
}

after(async () => {
  if (unreachable !== undefined) return;
  for (const s of schemas) await sql(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
});

const T = 'tsdb';
const L = sortLabels({ app: 'a' });
const L2 = sortLabels({ app: 'b' });
const id = streamId(T, L);
const id2 = streamId(T, L2);
const BASE = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z: far older than the compression age
const all = (over: Partial<SelectPlan> = {}): SelectPlan => ({ tenant: T, streamIds: [id, id2], start: 0n, end: 2n ** 62n, direction: 'forward', ...over });

describe('postgres storage: choosing the layout (storage.postgres.timescaledb)', { skip: unreachable }, () => {
  const withoutTimescale = noTimescale === undefined ? 'the test database has TimescaleDB, so auto picks it and on succeeds (tested below)' : undefined;

  it('auto on a server without TimescaleDB creates the plain partitioned layout and says why', { skip: withoutTimescale }, async () => {
    const schema = newSchema();
    const notices: string[] = [];
    const s = make(schema, { timescaledb: 'auto', onNotice: (level, m) => notices.push(`${level}: ${m}`) });
    await s.open();
    try {
      assert.equal(s.layout, 'partitioned');
      assert.deepEqual(await sql(`SELECT value FROM ${schema}.meta WHERE key = 'layout'`), [{ value: 'partitioned' }]);
      assert.equal(notices.length, 1, notices.join('\n'));
      assert.match(notices[0], new RegExp(`^(info|warn): schema ${schema} is created with the plain PostgreSQL partitioned layout: `));
      await s.write([batch(T, L, [{ ts: BASE + 1n, line: 'plain' }])]);
      assert.deepEqual((await collect(s, all())).map((r) => r.line), ['plain']);
      assert.equal(await s.compressionStats(), undefined);
    } finally {
      await s.close();
    }
  });

  it('on fails at start with a clear message when the extension is missing, and leaves nothing half-made', { skip: withoutTimescale }, async () => {
    const schema = newSchema();
    const s = make(schema, { timescaledb: 'on' });
    await assert.rejects(
      () => s.open(),
      (err: Error & { retryable?: boolean }) => {
        assert.match(err.message, new RegExp(`^cannot use TimescaleDB for schema ${schema} \\(storage\\.postgres\\.timescaledb = on\\): `));
        assert.match(err.message, /timescaledb/);
        assert.equal(err.retryable, false);
        return true;
      },
    );
    // The migration transaction was rolled back: the schema can still be created plain.
    assert.deepEqual(await sql(`SELECT count(*)::int AS n FROM ${schema}.schema_version`), [{ n: 0 }]);
    const plain = make(schema, { timescaledb: 'off' });
    await plain.open();
    assert.equal(plain.layout, 'partitioned');
    await plain.close();
  });

  it('an existing plain schema: on refuses it naming what to do, auto keeps using it and logs which layout', async () => {
    const schema = newSchema();
    const plain = make(schema, { timescaledb: 'off' });
    await plain.open();
    await plain.write([batch(T, L, [{ ts: BASE + 5n, line: 'kept' }])]);
    await plain.close();

    await assert.rejects(() => make(schema, { timescaledb: 'on' }).open(), (err: Error) => {
      assert.match(err.message, new RegExp(`^cannot use TimescaleDB for schema ${schema}: it already holds LogSentinel's plain-PostgreSQL layout \\(meta\\.layout = partitioned\\)`));
      assert.match(err.message, /set storage\.postgres\.timescaledb to auto \(keeps this layout\) or off, or move the data to a new schema as docs\/cluster\.md/);
      return true;
    });
    const notices: string[] = [];
    const auto = make(schema, { timescaledb: 'auto', onNotice: (level, m) => notices.push(`${level}: ${m}`) });
    await auto.open();
    try {
      assert.equal(auto.layout, 'partitioned');
      assert.deepEqual(notices, [`info: schema ${schema} uses the plain PostgreSQL partitioned layout recorded when it was created (meta.layout = partitioned)`]);
      assert.deepEqual((await collect(auto, all())).map((r) => r.line), ['kept']);
    } finally {
      await auto.close();
    }
  });
});

if (noTimescale !== undefined) {
  describe('storage conformance: postgres (timescaledb)', () => {
    it('needs TimescaleDB 2.13+ in the test database', (t) => {
      t.skip(`skipped, TimescaleDB not available: ${noTimescale}`);
    });
  });
  describe('postgres storage: timescaledb layout', () => {
    it('needs TimescaleDB 2.13+ in the test database', (t) => {
      t.skip(`skipped, TimescaleDB not available: ${noTimescale}`);
    });
  });
} else {
  const factory: StorageFactory = {
    async create() {
      const s = make(newSchema());
      await s.open();
      assert.equal(s.layout, 'timescaledb');
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
      await sql(`DROP SCHEMA IF EXISTS ${(s as PostgresStorage).schema} CASCADE`);
      schemas.delete((s as PostgresStorage).schema);
    },
  };
  runStorageConformance('postgres (timescaledb)', factory);
  runQueryConformance('postgres (timescaledb)', factory);


  describe('postgres storage: timescaledb layout', () => {
    it('auto picks TimescaleDB: entries is a hypertable with compression, and compression and retention jobs at the configured ages', async () => {
      const schema = newSchema();
      const notices: string[] = [];
      const s = make(schema, { timescaledb: 'auto', retentionNs: 31n * DAY_NS, onNotice: (_l, m) => notices.push(m) });
      await s.open();
      try {
        assert.equal(s.layout, 'timescaledb');
        assert.ok(notices.some((n) => n.startsWith(`schema ${schema} is created with the TimescaleDB hypertable layout (TimescaleDB `)), notices.join('\n'));
        const ht = await sql<{ compression_enabled: boolean }>(`SELECT compression_enabled FROM timescaledb_information.hypertables WHERE hypertable_schema = $1 AND hypertable_name = 'entries'`, [schema]);
        assert.deepEqual(ht, [{ compression_enabled: true }]);
        const dim = await sql<{ integer_interval: string; integer_now_func: string }>(
          `SELECT integer_interval::text, integer_now_func FROM timescaledb_information.dimensions WHERE hypertable_schema = $1 AND hypertable_name = 'entries'`,
          [schema],
        );
        assert.deepEqual(dim, [{ integer_interval: DAY_NS.toString(), integer_now_func: 'ls_now_ns' }]);
        const js = (await jobs(schema)).map((j) => [j.proc_name, j.age]);
        assert.deepEqual(js.sort(), [
          ['policy_compression', (2n * DAY_NS).toString()],
          ['policy_retention', (31n * DAY_NS).toString()],
        ]);
      } finally {
        await s.close();
      }
      // A changed retention.period replaces the retention policy at the next start; 0 removes it.
      const again = make(schema, { retentionNs: 7n * DAY_NS });
      await again.open();
      await again.close();
      assert.deepEqual((await jobs(schema)).find((j) => j.proc_name === 'policy_retention')?.age, (7n * DAY_NS).toString());
      const none = make(schema, { retentionNs: 0n });
      await none.open();
      await none.close();
      assert.deepEqual((await jobs(schema)).map((j) => j.proc_name), ['policy_compression']);
    });

    it('six instances opening a fresh schema at once: one hypertable, one job of each kind', async () => {
      const schema = newSchema();
      const stores = Array.from({ length: 6 }, () => make(schema, { retentionNs: 31n * DAY_NS }));
      try {
        await Promise.all(stores.map((s) => s.open()));
        assert.deepEqual((await jobs(schema)).map((j) => j.proc_name).sort(), ['policy_compression', 'policy_retention']);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('after the compression job runs, queries return exactly what they returned before, with stream and time filters pushed onto compressed chunks', async () => {
      const schema = newSchema();
      const s = make(schema);
      await s.open();
      try {
        const lines = (app: string, n: number, from: bigint): { ts: bigint; line: string; metadata?: Record<string, string> }[] =>
          Array.from({ length: n }, (_, i) => ({ ts: from + BigInt(i) * 1_000_000_000n, line: `${app} level=${i % 7 === 0 ? 'error' : 'info'} n=${i}`, ...(i % 3 === 0 ? { metadata: { trace_id: `t${i}` } } : {}) }));
        // Three days of data, two streams.
        for (let d = 0n; d < 3n; d++) {
          await s.write([batch(T, L, lines('a', 500, BASE + d * DAY_NS)), batch(T, L2, lines('b', 300, BASE + d * DAY_NS + 17n))]);
        }
        const plans: SelectPlan[] = [
          all(),
          all({ direction: 'backward', limit: 123 }),
          all({ streamIds: [id2], start: BASE + DAY_NS / 2n, end: BASE + 2n * DAY_NS + 100n * 1_000_000_000n }),
          all({ levels: ['error'] }),
          all({ line: { type: 'contains', value: 'n=4' } }),
          all({ line: { type: 'regex', pattern: 'level=e.*n=1[0-9]$' } }),
        ];
        const before = await Promise.all(plans.map((p) => collect(s, p)));
        const statsBefore = await s.stats(T, [id, id2], BASE, BASE + 3n * DAY_NS);
        assert.equal(before[0].length, 2400);
        assert.deepEqual(await chunkStates(schema), { compressed: 0, uncompressed: 3 });

        await runJob(schema, 'policy_compression');
        assert.deepEqual(await chunkStates(schema), { compressed: 3, uncompressed: 0 });

        const afterRows = await Promise.all(plans.map((p) => collect(s, p)));
        for (let i = 0; i < plans.length; i++) assert.deepEqual(afterRows[i], before[i], `plan ${i} returns the same rows after compression`);
        assert.deepEqual(await s.stats(T, [id, id2], BASE, BASE + 3n * DAY_NS), statsBefore);

        const c = await s.compressionStats();
        assert.ok(c && c.compressedBytes > 0 && c.uncompressedBytes > 0 && c.compressedChunks === 3, JSON.stringify(c));

        // The read path's predicates reach the compressed rows: skey (segmentby) and the ts range
        // (orderby min/max metadata) are evaluated below the DecompressChunk node.
        const skey = (await sql<{ skey: number }>(`SELECT skey FROM ${schema}.streams WHERE tenant = $1 ORDER BY skey LIMIT 1`, [T]))[0].skey;
        const plan = await sql<{ 'QUERY PLAN': unknown }>(
          `EXPLAIN (FORMAT JSON) SELECT skey, ts, level, line, metadata FROM ${schema}.entries WHERE skey = ANY(ARRAY[${skey}]::integer[]) AND ts >= ${BASE + DAY_NS / 2n}::bigint AND ts < ${BASE + DAY_NS}::bigint ORDER BY ts ASC, skey ASC`,
        );
        const below = belowDecompress(plan[0]['QUERY PLAN']);
        assert.ok(below.length > 0, 'the plan reads a compressed chunk through DecompressChunk');
        const text = JSON.stringify(below);
        assert.match(text, /skey/, 'the stream filter is pushed onto the compressed chunk');
        assert.match(text, /_ts_meta_(min|max)_1/, 'the time filter prunes compressed batches by their ts range');
      } finally {
        await s.close();
      }
    });

    it('compressed chunks keep every guarantee: a redelivered batch is not stored twice, late entries are accepted', async () => {
      const schema = newSchema();
      const s = make(schema);
      await s.open();
      try {
        const first = [batch(T, L, Array.from({ length: 200 }, (_, i) => ({ ts: BASE + BigInt(i), line: `line ${i}`, ...(i % 2 ? { metadata: { k: String(i) } } : {}) })))];
        await s.write(first);
        await runJob(schema, 'policy_compression');
        assert.equal((await chunkStates(schema)).compressed, 1);

        // Redelivered (the same batch again), and retried concurrently by two writers.
        await s.write(first);
        const other = make(schema);
        await other.open();
        try {
          await Promise.all([s.write(first), other.write(first)]);
        } finally {
          await other.close();
        }
        assert.equal((await collect(s, all())).length, 200, 'each entry once');

        // Late entries into the compressed chunk: with a retried one (line 6, stored without
        // metadata), and two differing from a stored entry (line 5, stored with k=5) only in metadata.
        await s.write([
          batch(T, L, [
            { ts: BASE + 6n, line: 'line 6' },
            { ts: BASE + 5n, line: 'line 5' },
            { ts: BASE + 5n, line: 'line 5', metadata: { k: 'late' } },
            { ts: BASE + 50_000n, line: 'late line' },
          ]),
        ]);
        const rows = await collect(s, all());
        assert.equal(rows.length, 203);
        assert.equal(rows.filter((r) => r.ts === BASE + 6n).length, 1, 'the retried entry once');
        assert.deepEqual(rows.filter((r) => r.ts === BASE + 5n).map((r) => JSON.stringify(r.metadata ?? null)).sort(), ['null', '{"k":"5"}', '{"k":"late"}']);
        assert.ok(rows.some((r) => r.line === 'late line' && r.ts === BASE + 50_000n));

        // Compressing again (the chunk is partial now) changes nothing that reads see.
        const before = await collect(s, all());
        await runJob(schema, 'policy_compression');
        assert.deepEqual(await collect(s, all()), before);
        await s.write(first);
        assert.equal((await collect(s, all())).length, 203);
      } finally {
        await s.close();
      }
    });

    it('the retention job drops whole chunks past retention.period; applyRetention trims the chunk holding the cutoff', async () => {
      const schema = newSchema();
      const s = make(schema, { retentionNs: 10n * DAY_NS });
      await s.open();
      try {
        const now = BigInt(Date.now()) * 1_000_000n;
        await s.write([batch(T, L, [{ ts: now - 40n * DAY_NS, line: 'old' }, { ts: now - 3n * DAY_NS, line: 'recent' }, { ts: now - 60_000_000_000n, line: 'new' }])]);
        await runJob(schema, 'policy_compression');
        await runJob(schema, 'policy_retention');
        assert.deepEqual((await collect(s, all())).map((r) => r.line), ['recent', 'new']);
        const deleted = await s.applyRetention(now - 2n * DAY_NS);
        assert.equal(deleted, 1);
        assert.deepEqual((await collect(s, all())).map((r) => r.line), ['new']);
      } finally {
        await s.close();
      }
    });
  });
}

/** The plan nodes below every DecompressChunk node of an EXPLAIN (FORMAT JSON) answer. */
function belowDecompress(plan: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (n: unknown, inside: boolean): void => {
    if (Array.isArray(n)) return n.forEach((x) => walk(x, inside));
    if (n === null || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    const here = inside || o['Custom Plan Provider'] === 'DecompressChunk';
    if (inside) out.push(Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'Plans')));
    for (const v of Object.values(o)) if (typeof v === 'object') walk(v, here);
  };
  walk(plan, false);
  return out;
}
