/**
 * COPY throughput into PostgreSQL, and what LogSentinel's idempotent write costs on top of it.
 * See README.md beside this file.
 *
 *   npx tsx bench/postgres-copy/run.ts                       # 500k lines
 *   npx tsx bench/postgres-copy/run.ts --lines 2000000 --batch 20000 --url postgres://...
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { buildCorpus, type CorpusRow } from '../ingest-query/corpus.js';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { createPartitions, partitionIndex, partitionRange } from '../../src/storage/postgres/partitions.js';
import { copyField } from '../../src/storage/postgres/copy-text.js';
import { LEVELS } from '../../src/model/level.js';
import { labelsToString, streamId, type Labels } from '../../src/model/labels.js';
import type { WriteBatch } from '../../src/model/entry.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '500000' },
    batch: { type: 'string', default: '10000' },
    hours: { type: 'string', default: '24' },
    concurrency: { type: 'string', default: '4' },
    url: { type: 'string', default: process.env.LOGSENTINEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const N = Number(args.lines);
const BATCH = Number(args.batch);
const HOURS = Number(args.hours);
const CONCURRENCY = Number(args.concurrency);
const URL_ = args.url;
const DAY = 86_400_000_000_000n;

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const table: Array<[string, string, string, string]> = [];

console.log(`building ${fmt(N)} lines ...`);
const corpus = buildCorpus({ lines: N, batch: 2000, hours: HOURS, seed: 42 });
const rows = corpus.rows;
const MB = corpus.lineBytes / 1e6;
const schemas: string[] = [];
const admin = new pg.Pool({ connectionString: URL_, max: CONCURRENCY + 1 });

function newSchema(): string {
  const s = 'ls_bench_' + randomBytes(4).toString('hex');
  schemas.push(s);
  return s;
}

function* chunks(from: number, to: number, line: (r: CorpusRow) => string): Generator<string> {
  let buf = '';
  for (let i = from; i < to; i++) {
    buf += line(rows[i]);
    if ((i - from) % 2000 === 1999) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** COPY every row in `BATCH`-row COPY statements (each its own transaction). */
async function copyAll(target: string, line: (r: CorpusRow) => string): Promise<number> {
  const client = await admin.connect();
  try {
    await client.query('CHECKPOINT');
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) {
      const copy = client.query(copyFrom(`COPY ${target} FROM STDIN`));
      await pipeline(Readable.from(chunks(i, Math.min(rows.length, i + BATCH), line)), copy);
    }
    return (performance.now() - t0) / 1000;
  } finally {
    client.release();
  }
}

async function relSize(schema: string): Promise<number> {
  const { rows: r } = await admin.query<{ n: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [schema],
  );
  return Number(r[0].n);
}

function report(what: string, secs: number, bytes: number): void {
  table.push([what, fmt(N / secs), fmt(MB / secs, 1), fmt(bytes / N, 0)]);
  console.log(`  ${what}: ${fmt(N / secs)} rows/s`);
}

// Storage-form batches: one label set per corpus stream (the corpus keeps ids, not labels).
const labelsOf = new Map<bigint, Labels>();
for (const r of rows) if (!labelsOf.has(r.streamId)) labelsOf.set(r.streamId, { stream: r.streamId.toString(16) });
function writeBatches(): WriteBatch[] {
  const out: WriteBatch[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const byStream = new Map<bigint, WriteBatch['streams'][number]>();
    for (let j = i; j < Math.min(rows.length, i + BATCH); j++) {
      const r = rows[j];
      let s = byStream.get(r.streamId);
      if (!s) {
        const labels = labelsOf.get(r.streamId)!;
        s = { labels, key: labelsToString(labels), id: streamId('default', labels), entries: [] };
        byStream.set(r.streamId, s);
      }
      s.entries.push({ ts: r.ts, line: r.line, level: LEVELS[r.levelCode] });
    }
    out.push({ tenant: 'default', streams: [...byStream.values()] });
  }
  return out;
}

async function storageWrite(what: string, batches: WriteBatch[], concurrency: number, s?: PostgresStorage, alwaysOnConflict = false): Promise<PostgresStorage> {
  const store = s ?? new PostgresStorage({ url: URL_, schema: newSchema(), maxConnections: concurrency + 1, alwaysOnConflict, timescaledb: 'off' });
  if (!s) {
    await store.open();
    // Partitions for the whole corpus exist before timing, as they would in steady state.
    await store.write([{ tenant: 'default', streams: [{ ...batches[0].streams[0], entries: [{ ts: corpus.startNs, line: 'warm-up', level: 'info' }] }] }]);
  }
  await admin.query('CHECKPOINT');
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) await store.write([batches[next++]]);
    }),
  );
  report(what, (performance.now() - t0) / 1000, await store.sizeBytes());
  return store;
}

try {
  console.log(`PostgreSQL at ${URL_.replace(/\/\/[^@/]*@/, '//')}, ${fmt(N)} rows, ${fmt(MB, 1)} MB of lines, COPY/write batches of ${fmt(BATCH)}`);
  // 1. The floor: COPY into an unindexed, unpartitioned table.
  const floor = newSchema();
  await admin.query(`CREATE SCHEMA ${floor}`);
  await admin.query(`CREATE TABLE ${floor}.entries (ts bigint, skey integer, level smallint, line text, metadata text)`);
  const plain = (r: CorpusRow): string => `${r.ts}\t1\t${r.levelCode}\t${copyField(r.line)}\t\\N\n`;
  report('COPY, unindexed table (floor)', await copyAll(`${floor}.entries`, plain), await relSize(floor));

  // 2. COPY straight into the partitioned table with its unique (skey, ts, line_hash) index.
  const direct = newSchema();
  const ds = new PostgresStorage({ url: URL_, schema: direct, precreatePartitions: 0, timescaledb: 'off' });
  await ds.open();
  const pool = new pg.Pool({ connectionString: URL_ });
  const lo = partitionIndex(corpus.startNs, DAY);
  const hi = partitionIndex(corpus.endNs, DAY);
  const ranges = [];
  for (let i = lo; i <= hi; i++) ranges.push(partitionRange(i, DAY));
  await createPartitions(pool, direct, ranges, 10_000);
  await pool.end();
  await ds.close();
  // line_hash is a generated column: PostgreSQL hashes each line on this path too.
  report('COPY, partitioned + unique index (no conflict check)', await copyAll(`${direct}.entries (ts, skey, level, line, metadata)`, plain), await relSize(direct));

  // 3. PostgresStorage.write: streams upsert, then an optimistic COPY into entries; a batch that
  //    meets stored entries goes through a temp table and INSERT … ON CONFLICT DO NOTHING.
  const batches = writeBatches();
  const s1 = await storageWrite('PostgresStorage.write, 1 writer', batches, 1);
  await storageWrite('PostgresStorage.write again (every batch a retry)', batches, 1, s1);
  await s1.close();
  const s2 = await storageWrite('PostgresStorage.write, always ON CONFLICT, 1 writer', batches, 1, undefined, true);
  await s2.close();
  const s4 = await storageWrite(`PostgresStorage.write, ${CONCURRENCY} concurrent writers`, batches, CONCURRENCY);
  await s4.close();

  const head: [string, string, string, string] = ['what', 'rows/s', 'MB/s (lines)', 'bytes/row on disk'];
  const w = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (r: string[]): string => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ') + ' |';
  console.log('\n' + line(head));
  console.log('|' + w.map((n, i) => (i === 0 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|') + '|');
  for (const r of table) console.log(line(r));
} finally {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
  await admin.end();
}
