/**
 * Ingest and query benchmark of the embedded mode. See README.md beside this file.
 *
 *   npm run bench                      # 2M lines
 *   npm run bench -- --lines 10000000  # the 10M-line rare-token target
 *   npm run bench -- --corpus mixed    # access, JSON app, PostgreSQL and Kubernetes lines
 */
import { parseArgs } from 'node:util';
import { appendFileSync, closeSync, openSync, readFileSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startServer, removeDir, tempDataDir, type ServerHandle } from '../../test/e2e/harness.js';

import { CORPORA, CorpusSource, RARE_TOKEN, writeSpool, type CorpusName, type CorpusRow } from './corpus.js';
import { pushBodies, SpoolReader } from './push.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '2000000' },
    batch: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    hours: { type: 'string', default: '24' },
    'query-runs': { type: 'string', default: '5' },
    corpus: { type: 'string', default: 'default' },
    'floor-lines': { type: 'string', default: '10000000' },
  },
});
const N = Number(args.lines);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);
const HOURS = Number(args.hours);
const RUNS = Number(args['query-runs']);
const CORPUS = args.corpus as CorpusName;
if (!CORPORA.includes(CORPUS)) throw new Error(`--corpus must be one of ${CORPORA.join(', ')}`);
// The floors are per-line figures: a sample of whole batches from the start measures them as well
// as all lines would, in bounded time and memory.
const FLOOR_LINES = Math.min(N, Math.ceil(Number(args['floor-lines']) / BATCH) * BATCH);

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number): number => bytes / 1e6;
const rows: Array<[string, string, string]> = [];
const report = (what: string, value: string, floor = ''): void => {
  rows.push([what, value, floor]);
  console.log(`  ${what}: ${value}${floor ? '   [' + floor + ']' : ''}`);
};

function rssOf(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * Floor 1: JSON.parse of the very payloads pushed (what any JSON ingest must at least do), read
 * back from the spool; only the parsing is timed.
 */
async function floorJsonParse(spool: string): Promise<number> {
  const bodies = new SpoolReader(spool);
  let secs = 0;
  let n = 0;
  while (n < FLOOR_LINES) {
    const text = (await bodies.next())?.toString();
    if (text === undefined) break;
    const t0 = performance.now();
    const j = JSON.parse(text) as { streams: Array<{ values: unknown[] }> };
    for (const s of j.streams) n += s.values.length;
    secs += (performance.now() - t0) / 1000;
  }
  await bodies.close();
  if (n !== FLOOR_LINES) throw new Error(`BUG: the bodies hold ${n} lines, expected ${FLOOR_LINES}`);
  return n / secs;
}

/**
 * Floor 2: the bare DuckDB appender writing the same rows in 100k-row transactions; the rows are
 * generated between the transactions, which alone are timed.
 */
async function floorAppender(corpus: CorpusSource): Promise<number> {
  const dir = tempDataDir('ls-bench-floor-');
  const inst = await DuckDBInstance.create(join(dir, 'floor.duckdb'), { checkpoint_threshold: '1TB', threads: '2' });
  const conn = await inst.connect();
  const create = 'CREATE TABLE entries (tenant VARCHAR, ts BIGINT, stream_id UBIGINT, level UTINYINT, line VARCHAR, metadata VARCHAR)';
  await conn.run(create);
  let secs = 0;
  let appended = 0;
  const append = async (rows: CorpusRow[]): Promise<void> => {
    const t0 = performance.now();
    await conn.run('BEGIN');
    const app = await conn.createAppender('entries');
    for (const r of rows) {
      app.appendVarchar('default');
      app.appendBigInt(r.ts);
      app.appendUBigInt(r.streamId);
      app.appendUTinyInt(r.levelCode);
      app.appendVarchar(r.line);
      app.appendNull();
      app.endRow();
    }
    app.flushSync();
    app.closeSync();
    await conn.run('COMMIT');
    secs += (performance.now() - t0) / 1000;
    // Never checkpointed, the rows stay in DuckDB's memory (about the size of their lines: 3 GB
    // for 10M mixed lines): the table starts over every 1M rows, untimed.
    appended += rows.length;
    if (appended % 1_000_000 === 0) {
      await conn.run('DROP TABLE entries');
      await conn.run('CHECKPOINT');
      await conn.run(create);
    }
  };
  let rows: CorpusRow[] = [];
  for (const r of corpus.rows(FLOOR_LINES)) {
    rows.push(r);
    if (rows.length === 100_000) {
      await append(rows);
      rows = [];
    }
  }
  if (rows.length > 0) await append(rows);
  conn.closeSync();
  inst.closeSync();
  removeDir(dir);
  return FLOOR_LINES / secs;
}

/**
 * Floor 3: `zstd -3` of the same lines grouped by stream (each stream's lines in time order, one
 * per line), the general-purpose compression the stored size is measured against. Bytes per line,
 * or undefined (with the reason printed) when the zstd program is missing.
 */
function floorZstd(corpus: CorpusSource): number | undefined {
  const dir = tempDataDir('ls-bench-zstd-');
  const file = join(dir, 'lines.txt');
  try {
    // Each stream's lines go to a file of their own, the files one after the other (in the order
    // the streams first appear) into the one zstd reads: grouped by stream in bounded memory.
    const streams = new Map<bigint, { file: string; lines: string[]; chars: number }>();
    const flush = (s: { file: string; lines: string[]; chars: number }): void => {
      appendFileSync(s.file, s.lines.join('\n') + '\n');
      s.lines = [];
      s.chars = 0;
    };
    for (const r of corpus.rows(FLOOR_LINES)) {
      let s = streams.get(r.streamId);
      if (!s) streams.set(r.streamId, (s = { file: join(dir, `stream-${streams.size}.txt`), lines: [], chars: 0 }));
      s.lines.push(r.line);
      s.chars += r.line.length;
      if (s.chars > 1 << 20) flush(s);
    }
    const fd = openSync(file, 'w');
    const buf = Buffer.allocUnsafe(4 << 20);
    for (const s of streams.values()) {
      if (s.lines.length > 0) flush(s);
      const from = openSync(s.file, 'r');
      for (let n = readSync(from, buf); n > 0; n = readSync(from, buf)) writeSync(fd, buf, 0, n);
      closeSync(from);
      unlinkSync(s.file);
    }
    closeSync(fd);
    const z = spawnSync('zstd', ['-3', '-T1', '-q', '-o', file + '.zst', file]);
    if (z.error || z.status !== 0) {
      console.log(`  (zstd floor skipped: ${z.error?.message ?? z.stderr.toString().trim()}; install the zstd package)`);
      return undefined;
    }
    return statSync(file + '.zst').size / FLOOR_LINES;
  } finally {
    removeDir(dir);
  }
}

async function pushAll(s: ServerHandle, spool: string): Promise<{ secs: number; peakRss: number; rejected: number }> {
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssOf(s.proc.pid!).rss);
    } catch {
      // process gone
    }
  }, 200);
  const { secs, rejected } = await pushBodies(s.url, new SpoolReader(spool), CONCURRENCY);
  clearInterval(sampler);
  return { secs, peakRss, rejected };
}

async function timeQuery(s: ServerHandle, params: Record<string, string>, expectAtLeast: number): Promise<{ first: number; median: number; count: number }> {
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams(params));
    const body = (await r.json()) as { data: { result: Array<{ values: unknown[] }> } };
    times.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`query ${params.query} answered ${r.status}: ${JSON.stringify(body)}`);
    count = body.data.result.reduce((n, x) => n + x.values.length, 0);
  }
  if (count < expectAtLeast) throw new Error(`query ${params.query} returned ${count} entries, expected at least ${expectAtLeast}`);
  const sorted = [...times].sort((a, b) => a - b);
  return { first: times[0], median: sorted[Math.floor(sorted.length / 2)], count };
}

/** Times a metric query_range; `count` is the number of series returned. */
async function timeMetric(s: ServerHandle, params: Record<string, string>): Promise<{ first: number; median: number; count: number }> {
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams(params));
    const body = (await r.json()) as { data: { resultType: string; result: Array<{ values: unknown[] }> } };
    times.push(performance.now() - t0);
    if (r.status !== 200 || body.data.resultType !== 'matrix') throw new Error(`query ${params.query} answered ${r.status}: ${JSON.stringify(body).slice(0, 300)}`);
    count = body.data.result.length;
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { first: times[0], median: sorted[Math.floor(sorted.length / 2)], count };
}

/** The whole run; `spool` is the file the push bodies are written to, before any is pushed. */
async function main(spool: string): Promise<void> {
  console.log(`corpus: ${CORPUS} (${CORPUS === 'mixed' ? 'bench/ingest-query/corpus-mixed.ts' : 'src/loadgen/corpus.ts'})`);
  console.log(`LogSentinel benchmark: ${fmt(N)} lines in batches of ${BATCH}, ${CONCURRENCY} concurrent pushes, spread over ${HOURS}h`);
  const corpus = new CorpusSource({ lines: N, batch: BATCH, hours: HOURS, seed: 42, corpus: CORPUS });
  // Generated before the ingest, so that generating does not compete with the server for the cores.
  const tg = performance.now();
  const { bodyBytes, lineBytes } = writeSpool(corpus, spool);
  const spoolSecs = (performance.now() - tg) / 1000;
  console.log(`spool: ${fmt(bodyBytes / 1e6, 1)} MB of Loki JSON, ${fmt(lineBytes / 1e6, 1)} MB of lines, generated and written in ${fmt(spoolSecs, 1)} s (${fmt(N / spoolSecs)} lines/s)`);

  console.log(FLOOR_LINES < N ? `floors on the first ${fmt(FLOOR_LINES)} lines:` : 'floors:');
  const jsonRate = await floorJsonParse(spool);
  report('floor: JSON.parse of the push bodies', `${fmt(jsonRate)} lines/s`);
  const appenderRate = await floorAppender(corpus);
  report('floor: bare DuckDB appender', `${fmt(appenderRate)} rows/s`);
  const zstdBytes = floorZstd(corpus);
  if (zstdBytes !== undefined) report('floor: zstd -3 of the lines grouped by stream', `${fmt(zstdBytes, 1)} bytes per line`);

  console.log('ingest (through HTTP, acknowledged = committed):');
  const dataDir = tempDataDir('ls-bench-');
  let s = await startServer({ dataDir, env: { LOGSENTINEL_RETENTION_PERIOD: '0', LOGSENTINEL_SERVER_LOG_LEVEL: 'warn' } });
  const ing = await pushAll(s, spool);
  const rate = N / ing.secs;
  report('acknowledged ingest', `${fmt(rate)} lines/s, ${fmt(mb(lineBytes) / ing.secs, 1)} MB/s of lines (${fmt(mb(bodyBytes) / ing.secs, 1)} MB/s of JSON)`, `${fmt((rate / jsonRate) * 100, 1)}% of JSON.parse, ${fmt((rate / appenderRate) * 100, 1)}% of bare appender`);
  report('429 answers during ingest', String(ing.rejected));
  report('server RSS during ingest (peak sampled)', `${fmt(ing.peakRss / 1e6)} MB`);
  await s.stop();
  const size = statSync(join(dataDir, 'logsentinel.duckdb')).size;
  report(
    'stored size',
    `${fmt(size / 1e6, 1)} MB = ${fmt(size / N, 1)} bytes per line`,
    `raw lines ${fmt(lineBytes / N, 1)} bytes per line${zstdBytes !== undefined ? `, ${fmt(size / N / zstdBytes, 2)}x zstd -3` : ''}`,
  );

  const t0 = performance.now();
  s = await startServer({ dataDir, env: { LOGSENTINEL_RETENTION_PERIOD: '0', LOGSENTINEL_SERVER_LOG_LEVEL: 'warn' } });
  report('restart until ready', `${fmt((performance.now() - t0) / 1000, 2)} s`);
  const all = { start: corpus.startNs.toString(), end: corpus.endNs.toString(), limit: '100' };
  console.log(`queries (first run / median of ${RUNS}):`);
  const show = (name: string, r: { first: number; median: number; count: number }): void =>
    report(name, `${fmt(r.first, 1)} ms / ${fmt(r.median, 1)} ms (${r.count} ${name.includes('metric') ? 'series' : 'entries'})`);
  show('newest 100 of one service, last hour', await timeQuery(s, { query: '{service="checkout"}', since: '1h', limit: '100', end: corpus.endNs.toString() }, 100));
  show('substring filter, whole range', await timeQuery(s, { query: '{service="checkout"} |= "timed out"', ...all }, 1));
  const rare = await timeQuery(s, { query: `{service=~".+"} |= "${RARE_TOKEN}"`, ...all }, corpus.rareCount);
  show(`rare token over all ${fmt(N)} lines`, rare);
  // The floor of a search without the skip index: a regex (never indexed) that matches nothing.
  const scan = await timeQuery(s, { query: `{service=~".+"} |~ "${RARE_TOKEN}X[0-9]"`, ...all }, 0);
  show(`no-match regex over all ${fmt(N)} lines (a full scan)`, scan);
  report('rare token beside the full scan (medians)', `${fmt(rare.median / scan.median, 2)}x`);
  show('logfmt + label filter, last hour', await timeQuery(s, { query: '{service="auth"} | logfmt | status >= 500', since: '1h', limit: '100', end: corpus.endNs.toString() }, 1));
  // Counting queries: the per-minute rollups answer whole minutes inside buckets; what they cannot
  // (partial minutes, minutes a bucket boundary cuts) is counted from the lines.
  const MINUTE = 60_000_000_000n;
  const alignedEnd = (corpus.endNs / MINUTE) * MINUTE;
  const countByLevel = (range: string): string => `sum by (level) (count_over_time({service=~".+"}[${range}]))`;
  show(
    'count by level per minute, last 24h, start on a whole minute (metric query)',
    await timeMetric(s, { query: countByLevel('1m'), start: (alignedEnd - 86_400_000_000_000n).toString(), end: alignedEnd.toString(), step: '60' }),
  );
  show(
    'the same metric query at an arbitrary start (every minute cut: lines)',
    await timeMetric(s, { query: countByLevel('1m'), start: (corpus.endNs - 86_400_000_000_000n).toString(), end: corpus.endNs.toString(), step: '60' }),
  );
  show(
    'UI histogram metric query: 96 bars of 15 min ending now, last 24h',
    await timeMetric(s, { query: countByLevel('900s'), start: (corpus.endNs - 86_400_000_000_000n + 900_000_000_000n).toString(), end: corpus.endNs.toString(), step: '900' }),
  );
  report('server RSS after queries', `${fmt(rssOf(s.proc.pid!).rss / 1e6)} MB`);
  await s.stop();
  removeDir(dataDir);

  console.log('\n| measure | value | beside |\n|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

// The spool of a large run is tens of GB: it goes, however the run ends.
const spoolDir = tempDataDir('ls-bench-spool-');
try {
  await main(join(spoolDir, 'bodies.jsonl'));
} finally {
  removeDir(spoolDir);
}
