/**
 * Cluster-mode benchmark: HTTP push → ingest pod → Redis Streams → process pods → PostgreSQL,
 * measured end to end against a plain COPY of the same rows. See README.md beside this file.
 *
 *   npm run bench -- --cluster                        # 1M lines, 2 processors
 *   npm run bench -- --cluster --lines 200000 --processors 1
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Redis } from 'ioredis';
import { buildCorpus, type Corpus, type CorpusRow } from '../ingest-query/corpus.js';
import { startServer, removeDir, type ServerHandle } from '../../test/e2e/harness.js';
import { partitionKeys } from '../../src/queue/redis-streams/keys.js';
import { deletePrefix } from '../../src/queue/redis-streams/testing/test-redis.js';
import { copyField } from '../../src/storage/postgres/copy-text.js';
import { timescaleUnavailable } from '../../src/storage/postgres/testing/test-postgres.js';
import { compressChunksStatement } from '../../src/storage/postgres/timescale.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    processors: { type: 'string', default: '2' },
    hours: { type: 'string', default: '24' },
    'copy-batch': { type: 'string', default: '10000' },
    'redis-url': { type: 'string', default: process.env.LOGSENTINEL_TEST_REDIS_URL || 'redis://127.0.0.1:6379' },
    'postgres-url': { type: 'string', default: process.env.LOGSENTINEL_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const N = Number(args.lines);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);
const PROCESSORS = Number(args.processors);
const HOURS = Number(args.hours);
const COPY_BATCH = Number(args['copy-batch']);
const REDIS_URL = args['redis-url'];
const PG_URL = args['postgres-url'];
const PARTITIONS = 8; // the queue's default; the depth sampler reads every partition's counter
const SAMPLE_MS = 250;

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const table: Array<[string, string, string]> = [];
/** The store layout being measured, prefixed to every figure of its run. */
let layoutTag = '';
const report = (what: string, value: string, note = ''): void => {
  what = layoutTag ? `${layoutTag}: ${what}` : what;
  table.push([what, value, note]);
  console.log(`  ${what}: ${value}${note ? '   [' + note + ']' : ''}`);
};

const tag = randomBytes(4).toString('hex');
// Set per layout run (main): each layout gets its own key prefix and schema.
let prefix = `lsbench-cluster-${tag}`;
let schema = `ls_bench_cluster_${tag}`;
const floorSchema = `ls_bench_floor_${tag}`;

/** The floor: COPY (text format) of the same rows into an unindexed table, `COPY_BATCH` rows per statement. */
async function floorCopy(admin: pg.Pool, rows: CorpusRow[]): Promise<number> {
  await admin.query(`CREATE SCHEMA ${floorSchema}`);
  await admin.query(`CREATE TABLE ${floorSchema}.entries (ts bigint, skey integer, level smallint, line text, metadata text)`);
  const client = await admin.connect();
  try {
    await client.query('CHECKPOINT');
    function* chunks(from: number, to: number): Generator<string> {
      let buf = '';
      for (let i = from; i < to; i++) {
        const r = rows[i];
        buf += `${r.ts}\t1\t${r.levelCode}\t${copyField(r.line)}\t\\N\n`;
        if ((i - from) % 2000 === 1999) {
          yield buf;
          buf = '';
        }
      }
      if (buf) yield buf;
    }
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += COPY_BATCH) {
      await pipeline(Readable.from(chunks(i, Math.min(rows.length, i + COPY_BATCH))), client.query(copyFrom(`COPY ${floorSchema}.entries FROM STDIN`)));
    }
    return rows.length / ((performance.now() - t0) / 1000);
  } finally {
    client.release();
    await admin.query(`DROP SCHEMA IF EXISTS ${floorSchema} CASCADE`);
  }
}

/** Sum of `logs_processed_total` over every tenant of one processor. */
async function processedOf(s: ServerHandle): Promise<number> {
  const text = await (await fetch(s.url + '/metrics')).text();
  let n = 0;
  for (const m of text.matchAll(/^logs_processed_total\{[^}]*\} (\S+)$/gm)) n += Number(m[1]);
  return n;
}

interface Sample {
  t: number; // ms since the first push
  depth: number; // lines appended and not yet acknowledged by a processor (the queue's own counter)
  stored: number; // logs_processed_total summed over the processors
}

/** Pushes every body with `CONCURRENCY` clients as `tenant`; returns the refused (429/503, retried) pushes. */
async function pushAll(url: string, bodies: string[], tenant: string): Promise<number> {
  let next = 0;
  let refused = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (;;) {
        const r = await fetch(url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json', 'x-scope-orgid': tenant }, body });
        await r.arrayBuffer();
        if (r.status === 204) break;
        if (r.status === 429 || r.status === 503) {
          refused++;
          await new Promise((res) => setTimeout(res, 50));
          continue;
        }
        throw new Error(`cannot push to the ingest pod: answered ${r.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return refused;
}

/**
 * Samples queue depth and `logs_processed_total` every `SAMPLE_MS` from `t0` until the
 * processors have stored `target` lines (or 10 minutes passed); returns the samples and when.
 */
async function sampleUntilStored(redis: Redis, processors: ServerHandle[], target: number, t0: number): Promise<{ samples: Sample[]; storedAt: number }> {
  const lineKeys = Array.from({ length: PARTITIONS }, (_, p) => partitionKeys(prefix, p).lines);
  const samples: Sample[] = [];
  const deadline = t0 + 600_000;
  for (;;) {
    const counts = await redis.mget(...lineKeys);
    const depth = counts.reduce((n, v) => n + Number(v ?? 0), 0);
    const stored = (await Promise.all(processors.map(processedOf))).reduce((a, b) => a + b, 0);
    const now = performance.now();
    samples.push({ t: now - t0, depth, stored });
    if (stored >= target) return { samples, storedAt: now - t0 };
    if (now > deadline) throw new Error(`cannot finish: only ${stored} of ${target} lines stored after 10 minutes`);
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
}

function printTimeline(samples: Sample[]): void {
  let lastSec = -1;
  for (const s of samples) {
    const sec = Math.floor(s.t / 1000);
    if (sec === lastSec) continue;
    lastSec = sec;
    console.log(`    t=${String(sec).padStart(3)} s  depth ${fmt(s.depth).padStart(10)}  stored ${fmt(s.stored).padStart(10)}`);
  }
}

/** Runs the cluster and returns the end-to-end rate in lines/s. */
async function run(c: Corpus, admin: pg.Pool, layout: Layout): Promise<number> {
  const env = {
    LOGSENTINEL_STORAGE_POSTGRES_TIMESCALEDB: layout === 'timescaledb' ? 'on' : 'off',
    LOGSENTINEL_QUEUE_REDIS_URL: REDIS_URL,
    LOGSENTINEL_QUEUE_REDIS_PREFIX: prefix,
    LOGSENTINEL_QUEUE_REDIS_MAX_BACKLOG: String(Math.max(2_000_000, 2 * N)),
    LOGSENTINEL_STORAGE_POSTGRES_URL: PG_URL,
    LOGSENTINEL_STORAGE_POSTGRES_SCHEMA: schema,
    LOGSENTINEL_RETENTION_PERIOD: '0',
    LOGSENTINEL_SERVER_LOG_LEVEL: 'warn',
  };
  const servers: ServerHandle[] = [];
  const startRole = async (command: string): Promise<ServerHandle> => {
    // BENCH_CPU_PROFILE_DIR=dir: every role writes a V8 CPU profile there when it stops.
    const prof = process.env.BENCH_CPU_PROFILE_DIR;
    const s = await startServer({ command, env, nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [] });
    servers.push(s);
    return s;
  };
  const redis = new Redis(REDIS_URL, { protocol: 2 });
  try {
    const ingest = await startRole('ingest');
    let processors: ServerHandle[] = [];
    for (let i = 0; i < PROCESSORS; i++) processors.push(await startRole('process'));
    const query = await startRole('query');

    // 1. End to end: push everything while the processors store it.
    const t0 = performance.now();
    const sampling = sampleUntilStored(redis, processors, N, t0);
    const refused = await pushAll(ingest.url, c.bodies, 'default');
    const ackedAt = performance.now() - t0;
    const { samples, storedAt } = await sampling;

    const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.entries`);
    const inPg = rows[0].n;
    const st = new URLSearchParams({ query: '{service=~".+"}', start: c.startNs.toString(), end: (c.endNs + 1n).toString() });
    const stats = (await (await fetch(`${query.url}/loki/api/v1/index/stats?${st}`)).json()) as { entries?: number };

    const e2e = N / (storedAt / 1000);
    const atAck = samples.find((s) => s.t >= ackedAt);
    report('acknowledged ingest (HTTP → Redis), processors running', `${fmt(N / (ackedAt / 1000))} lines/s`, `${fmt(ackedAt / 1000, 2)} s, ${refused} pushes refused (429/503) and retried`);
    report('end to end (first push → all stored)', `${fmt(e2e)} lines/s`, `${fmt(storedAt / 1000, 2)} s, ${PROCESSORS} processor(s)`);
    report('lag: last ack → all stored', `${fmt((storedAt - ackedAt) / 1000, 2)} s`, `queue depth at the first sample after the last ack: ${fmt(atAck?.depth ?? 0)} lines`);
    report('queue depth, max sampled', `${fmt(Math.max(...samples.map((s) => s.depth)))} lines`, `sampled every ${SAMPLE_MS} ms`);
    report('stored rows (count in PostgreSQL)', fmt(inPg), inPg === N ? 'exact' : `MISMATCH: expected ${fmt(N)}`);
    report('entries seen by the query pod (index/stats)', fmt(stats.entries ?? NaN), stats.entries === N ? 'exact' : `MISMATCH: expected ${fmt(N)}`);
    console.log('  queue depth over time (lines waiting, stored so far):');
    printTimeline(samples);

    // 2. The stages apart, to show which one bounds the pipeline: the same bodies (as another
    //    tenant, so every row is new) pushed with no processor running, then drained.
    for (const p of processors) await p.stop();
    const t1 = performance.now();
    const refused2 = await pushAll(ingest.url, c.bodies, 'drain');
    const ingestOnly = N / ((performance.now() - t1) / 1000);
    report('acknowledged ingest alone (no processor running)', `${fmt(ingestOnly)} lines/s`, `${refused2} pushes refused (429/503) and retried`);
    // Processors start draining while they are still being started; the rate is taken over what
    // was drained after all of them were ready (the first sample), not over their start-up.
    processors = await Promise.all(Array.from({ length: PROCESSORS }, () => startRole('process')));
    const drain = await sampleUntilStored(redis, processors, N, performance.now());
    const timed = N - drain.samples[0].stored;
    report(
      'drain alone (Redis → PostgreSQL, queue pre-filled)',
      `${fmt(timed / (drain.storedAt / 1000))} lines/s`,
      `${fmt(timed)} lines in ${fmt(drain.storedAt / 1000, 2)} s after ${PROCESSORS} processor(s) were ready`,
    );
    const after = (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.entries`)).rows[0].n;
    if (after !== 2 * N) throw new Error(`BUG: ${after} rows stored after the drain, expected ${2 * N}`);
    return e2e;
  } finally {
    redis.disconnect();
    for (const s of servers) {
      await s.stop();
      removeDir(s.dataDir);
    }
  }
}

type Layout = 'plain' | 'timescaledb';

/** A checksum of what the hypertable holds, to compare before and after compression. */
async function contentSum(admin: pg.Pool): Promise<string> {
  const { rows } = await admin.query(
    `SELECT count(*)::text AS n, sum(ts)::text AS ts, sum(skey)::text AS skey, sum(level)::text AS level, ` +
      `sum(hashtextextended(line, 0)::numeric)::text AS line, sum(hashtextextended(coalesce(metadata, ''), 0)::numeric)::text AS meta FROM ${schema}.entries`,
  );
  return JSON.stringify(rows[0]);
}

/**
 * Bytes of the stored entries per line (heap, TOAST and indexes): the partitions of the plain
 * layout; the hypertable's chunks (TimescaleDB), before and after compressing every chunk.
 */
async function storedSize(admin: pg.Pool, layout: Layout, lines: number): Promise<void> {
  if (layout === 'plain') {
    const { rows } = await admin.query<{ n: string }>(`SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0)::text AS n FROM pg_inherits WHERE inhparent = '${schema}.entries'::regclass`);
    report('stored size per line', `${fmt(Number(rows[0].n) / lines, 1)} B`, `${fmt(Number(rows[0].n) / 1e6, 1)} MB for ${fmt(lines)} lines, partitions with their indexes`);
    return;
  }
  const size = async (): Promise<number> => Number((await admin.query<{ n: string }>(`SELECT hypertable_size('${schema}.entries')::text AS n`)).rows[0].n);
  const before = await size();
  const sumBefore = await contentSum(admin);
  report('stored size per line, uncompressed', `${fmt(before / lines, 1)} B`, `${fmt(before / 1e6, 1)} MB for ${fmt(lines)} lines (hypertable_size)`);
  // The corpus spans the last hours, younger than the compression policy's age: compress every chunk.
  const t0 = performance.now();
  const compressed = (await admin.query(compressChunksStatement(schema))).rowCount ?? 0;
  const secs = (performance.now() - t0) / 1000;
  const after = await size();
  const sumAfter = await contentSum(admin);
  report('stored size per line, compressed', `${fmt(after / lines, 1)} B`, `${fmt(after / 1e6, 1)} MB; ${compressed} chunk(s) compressed in ${fmt(secs, 1)} s, ratio ${fmt(before / Math.max(1, after), 1)}×`);
  report('content after compression', sumAfter === sumBefore ? 'identical' : 'MISMATCH', 'count, and sums of ts, stream, level, line and metadata hashes');
}

async function main(): Promise<void> {
  const base = { prefix, schema };
  console.log(`LogSentinel cluster benchmark: ${fmt(N)} lines in pushes of ${BATCH}, ${CONCURRENCY} concurrent, 1 ingest + ${PROCESSORS} process + 1 query pod`);
  console.log(`Redis ${REDIS_URL} prefix ${prefix}-<layout>; PostgreSQL ${PG_URL.replace(/\/\/[^@/]*@/, '//')} schemas ${schema}_<layout>`);
  const corpus = buildCorpus({ lines: N, batch: BATCH, hours: HOURS, seed: 42 });
  console.log(`corpus: ${fmt(corpus.bodyBytes / 1e6, 1)} MB of Loki JSON, ${fmt(corpus.lineBytes / 1e6, 1)} MB of lines`);
  // The plain layout always; TimescaleDB when the database has it, else said plainly.
  const noTimescale = await timescaleUnavailable(PG_URL);
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  try {
    console.log('floor:');
    const floor = await floorCopy(admin, corpus.rows);
    report('floor: COPY into an unindexed table', `${fmt(floor)} rows/s`, `${fmt(COPY_BATCH)} rows per COPY, one connection`);
    corpus.rows.length = 0; // only the floor needed them; keep the benchmark's heap small during ingest
    for (const layout of ['plain', 'timescaledb'] as const) {
      layoutTag = layout === 'plain' ? 'plain PostgreSQL' : 'TimescaleDB';
      if (layout === 'timescaledb' && noTimescale !== undefined) {
        report('run', 'skipped', `TimescaleDB not available: ${noTimescale}`);
        continue;
      }
      prefix = `${base.prefix}-${layout}`;
      schema = `${base.schema}_${layout}`;
      console.log(`cluster (${layoutTag}):`);
      try {
        const e2e = await run(corpus, admin, layout);
        report('end to end / COPY floor', `${fmt((e2e / floor) * 100, 1)}%`, 'target ≥ 50%');
        await storedSize(admin, layout, 2 * N);
      } finally {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        await deletePrefix(REDIS_URL, prefix);
      }
    }
    layoutTag = '';
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${floorSchema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
  const head: [string, string, string] = ['what', 'value', 'note'];
  const w = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (r: string[]): string => '| ' + r.map((c, i) => (i === 1 ? c.padStart(w[i]) : c.padEnd(w[i]))).join(' | ') + ' |';
  console.log('\n' + line(head));
  console.log('|' + w.map((n, i) => (i === 1 ? '-'.repeat(n + 1) + ':' : '-'.repeat(n + 2))).join('|') + '|');
  for (const r of table) console.log(line(r));
}

await main();
