/**
 * Ingest and query benchmark of the embedded mode. See README.md beside this file.
 *
 *   npm run bench                      # 2M lines
 *   npm run bench -- --lines 10000000  # the 10M-line rare-token target
 */
import { parseArgs } from 'node:util';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startServer, removeDir, tempDataDir, type ServerHandle } from '../../test/e2e/harness.js';

import { buildCorpus, RARE_TOKEN, type Corpus } from './corpus.js';
import { pushBodies } from './push.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '2000000' },
    batch: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    hours: { type: 'string', default: '24' },
    'query-runs': { type: 'string', default: '5' },
  },
});
const N = Number(args.lines);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);
const HOURS = Number(args.hours);
const RUNS = Number(args['query-runs']);

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

/** Floor 1: JSON.parse of the very payloads pushed (what any JSON ingest must at least do). */
function floorJsonParse(c: Corpus): number {
  const t0 = performance.now();
  let n = 0;
  for (const b of c.bodies) {
    const j = JSON.parse(b) as { streams: Array<{ values: unknown[] }> };
    for (const s of j.streams) n += s.values.length;
  }
  const secs = (performance.now() - t0) / 1000;
  if (n !== N) throw new Error(`BUG: corpus has ${n} lines, expected ${N}`);
  return n / secs;
}

/** Floor 2: the bare DuckDB appender writing the same rows in 100k-row transactions. */
async function floorAppender(c: Corpus): Promise<number> {
  const dir = tempDataDir('ls-bench-floor-');
  const inst = await DuckDBInstance.create(join(dir, 'floor.duckdb'), { checkpoint_threshold: '1TB', threads: '2' });
  const conn = await inst.connect();
  await conn.run('CREATE TABLE entries (tenant VARCHAR, ts BIGINT, stream_id UBIGINT, level UTINYINT, line VARCHAR, metadata VARCHAR)');
  const t0 = performance.now();
  let i = 0;
  while (i < c.rows.length) {
    await conn.run('BEGIN');
    const app = await conn.createAppender('entries');
    const end = Math.min(c.rows.length, i + 100_000);
    for (; i < end; i++) {
      const r = c.rows[i];
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
  }
  const secs = (performance.now() - t0) / 1000;
  conn.closeSync();
  inst.closeSync();
  removeDir(dir);
  return c.rows.length / secs;
}

/**
 * Floor 3: `zstd -3` of the same lines grouped by stream (each stream's lines in time order, one
 * per line), the general-purpose compression the stored size is measured against. Bytes per line,
 * or undefined (with the reason printed) when the zstd program is missing.
 */
function floorZstd(c: Corpus): number | undefined {
  const dir = tempDataDir('ls-bench-zstd-');
  const file = join(dir, 'lines.txt');
  try {
    const byStream = new Map<bigint, string[]>();
    for (const r of c.rows) {
      let l = byStream.get(r.streamId);
      if (!l) byStream.set(r.streamId, (l = []));
      l.push(r.line);
    }
    const fd = openSync(file, 'w');
    for (const lines of byStream.values()) for (let i = 0; i < lines.length; i += 10_000) writeSync(fd, lines.slice(i, i + 10_000).join('\n') + '\n');
    closeSync(fd);
    const z = spawnSync('zstd', ['-3', '-T1', '-c', file], { maxBuffer: 4 * 1024 ** 3 });
    if (z.error || z.status !== 0) {
      console.log(`  (zstd floor skipped: ${z.error?.message ?? z.stderr.toString().trim()}; install the zstd package)`);
      return undefined;
    }
    return z.stdout.length / c.rows.length;
  } finally {
    removeDir(dir);
  }
}

async function pushAll(s: ServerHandle, c: Corpus): Promise<{ secs: number; peakRss: number; rejected: number }> {
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssOf(s.proc.pid!).rss);
    } catch {
      // process gone
    }
  }, 200);
  const { secs, rejected } = await pushBodies(s.url, c.bodies, CONCURRENCY);
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

async function main(): Promise<void> {
  console.log(`LogSentinel benchmark: ${fmt(N)} lines in batches of ${BATCH}, ${CONCURRENCY} concurrent pushes, spread over ${HOURS}h`);
  const tg = performance.now();
  const corpus = buildCorpus({ lines: N, batch: BATCH, hours: HOURS, seed: 42 });
  console.log(`corpus: ${fmt(corpus.bodyBytes / 1e6, 1)} MB of Loki JSON, ${fmt(corpus.lineBytes / 1e6, 1)} MB of lines, built in ${fmt((performance.now() - tg) / 1000, 1)} s`);

  console.log('floors:');
  const jsonRate = floorJsonParse(corpus);
  report('floor: JSON.parse of the push bodies', `${fmt(jsonRate)} lines/s`);
  const appenderRate = await floorAppender(corpus);
  report('floor: bare DuckDB appender', `${fmt(appenderRate)} rows/s`);
  const zstdBytes = floorZstd(corpus);
  if (zstdBytes !== undefined) report('floor: zstd -3 of the lines grouped by stream', `${fmt(zstdBytes, 1)} bytes per line`);
  // The rows were only for the floor; millions of live objects here would make this process's
  // garbage collector compete with the server for the same two cores during ingest.
  corpus.rows.length = 0;

  console.log('ingest (through HTTP, acknowledged = committed):');
  const dataDir = tempDataDir('ls-bench-');
  let s = await startServer({ dataDir, env: { LOGSENTINEL_RETENTION_PERIOD: '0', LOGSENTINEL_SERVER_LOG_LEVEL: 'warn' } });
  const ing = await pushAll(s, corpus);
  const rate = N / ing.secs;
  report('acknowledged ingest', `${fmt(rate)} lines/s, ${fmt(mb(corpus.lineBytes) / ing.secs, 1)} MB/s of lines (${fmt(mb(corpus.bodyBytes) / ing.secs, 1)} MB/s of JSON)`, `${fmt((rate / jsonRate) * 100, 1)}% of JSON.parse, ${fmt((rate / appenderRate) * 100, 1)}% of bare appender`);
  report('429 answers during ingest', String(ing.rejected));
  report('server RSS during ingest (peak sampled)', `${fmt(ing.peakRss / 1e6)} MB`);
  await s.stop();
  const size = statSync(join(dataDir, 'logsentinel.duckdb')).size;
  report(
    'stored size',
    `${fmt(size / 1e6, 1)} MB = ${fmt(size / N, 1)} bytes per line`,
    `raw lines ${fmt(corpus.lineBytes / N, 1)} bytes per line${zstdBytes !== undefined ? `, ${fmt(size / N / zstdBytes, 2)}x zstd -3` : ''}`,
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

await main();
