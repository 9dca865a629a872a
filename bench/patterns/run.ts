/**
 * The pattern miner's cost on acknowledged ingest. See README.md beside this file.
 *
 *   node --max-old-space-size=6144 --import tsx bench/patterns/run.ts [--lines 1000000] [--rounds 3] [--cpu-share 0.05]
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { startServer, removeDir, tempDataDir, type ServerHandle } from '../../test/e2e/harness.js';
import { buildCorpus, type Corpus } from '../ingest-query/corpus.js';
import { pushBodies } from '../ingest-query/push.js';
import { PatternMiner } from '../../src/patterns/index.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    // patterns.maxCpuShare of the server with the miner (0 = mine every line, no sampling).
    'cpu-share': { type: 'string', default: '0.05' },
  },
});
const N = Number(args.lines);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function peakRssOf(pid: number): number {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+)/m.exec(s)?.[1] ?? 0) * 1024;
}

/** Pushes every body with CONCURRENCY clients; a push counts once answered 204 (committed). */
function pushAll(s: ServerHandle, c: Corpus): Promise<{ secs: number; rejected: number }> {
  return pushBodies(s.url, c.bodies, CONCURRENCY);
}

/** Lines the patterns API counts over the corpus's range, and how many patterns. */
async function mined(s: ServerHandle, c: Corpus): Promise<{ lines: number; patterns: number }> {
  const p = new URLSearchParams({ query: '{service=~".+"}', start: c.startNs.toString(), end: c.endNs.toString(), step: '3600' });
  const r = await fetch(`${s.url}/loki/api/v1/patterns?${p}`);
  const body = (await r.json()) as { data: Array<{ samples: Array<[number, number]> }> };
  let lines = 0;
  for (const d of body.data) for (const [, n] of d.samples) lines += n;
  return { lines, patterns: body.data.length };
}

async function metric(s: ServerHandle, name: string): Promise<number> {
  const text = await (await fetch(s.url + '/metrics')).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

interface Round {
  rate: number;
  rejected: number;
  peakRss: number;
  /** Server CPU seconds per million lines, from the first push until acknowledged (and mined). */
  cpuPerM: number;
  /** Seconds from the first push until every line was mined (miner on only). */
  minedSecs?: number;
  patterns?: number;
  /** Lines the patterns API counts (an estimate when the miner sampled). */
  minedLines?: number;
  dropped?: number;
  /** The sampling stride when ingest ended. */
  stride?: number;
  /** Main-thread seconds the miner spent (its own account), and the ingest's wall seconds. */
  miningSecs?: number;
  ingestSecs?: number;
}

async function round(c: Corpus, miner: boolean): Promise<Round> {
  const dataDir = tempDataDir('ls-bench-patterns-');
  const s = await startServer({ dataDir, env: { LOGSENTINEL_RETENTION_PERIOD: '0', LOGSENTINEL_PATTERNS_ENABLED: String(miner), LOGSENTINEL_PATTERNS_RETENTION: '48h', LOGSENTINEL_PATTERNS_MAX_CPU_SHARE: args['cpu-share'] } });
  try {
    const cpu0 = cpuOf(s.proc.pid!);
    const t0 = performance.now();
    const ing = await pushAll(s, c);
    const out: Round = { rate: N / ing.secs, rejected: ing.rejected, peakRss: 0, cpuPerM: 0 };
    if (miner) {
      for (;;) {
        if ((await metric(s, 'pattern_queued_lines')) === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      out.minedSecs = (performance.now() - t0) / 1000;
      const m = await mined(s, c);
      out.patterns = m.patterns;
      out.minedLines = m.lines;
      out.dropped = await metric(s, 'pattern_lines_dropped_total');
      out.stride = await metric(s, 'pattern_mining_stride');
      out.miningSecs = await metric(s, 'pattern_mining_seconds_total');
      out.ingestSecs = ing.secs;
    }
    out.cpuPerM = ((cpuOf(s.proc.pid!) - cpu0) / N) * 1e6;
    out.peakRss = peakRssOf(s.proc.pid!);
    return out;
  } finally {
    await s.stop();
    removeDir(dataDir);
  }
}

/** Floor of the miner itself: lines per CPU second of PatternMiner alone on this corpus, in this process. */
function minerAlone(c: Corpus): number {
  const m = new PatternMiner({ maxClustersPerStream: 300, maxClustersPerTenant: 20000, bucketMs: 10_000, retentionMs: 48 * 3600_000, similarity: 0.4, maxTokens: 64, maxQueuedLines: Infinity, sliceMs: 4, maxBusyShare: 0 });
  const batches = c.bodies.map((b) => {
    const j = JSON.parse(b) as { streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
    return { tenant: 'default', streams: j.streams.map((s) => ({ labels: s.stream, key: JSON.stringify(s.stream), id: 0n, entries: s.values.map(([ts, line]) => ({ ts: BigInt(ts), line, level: 'info' as const })) })) };
  });
  const c0 = process.cpuUsage();
  for (const b of batches) m.observe([b]);
  m.drain();
  const cu = process.cpuUsage(c0);
  return N / ((cu.user + cu.system) / 1e6);
}

async function main(): Promise<void> {
  console.log(`Pattern miner cost: ${fmt(N)} lines in batches of ${BATCH}, ${CONCURRENCY} concurrent pushes, ${ROUNDS} rounds of (without, with) the miner, patterns.maxCpuShare=${args['cpu-share']}`);
  const corpus = buildCorpus({ lines: N, batch: BATCH, hours: 24, seed: 42 });
  corpus.rows.length = 0;
  console.log(`floor: the miner alone, in this process: ${fmt(minerAlone(corpus))} lines per CPU second`);
  const off: Round[] = [];
  const on: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate the order so a machine getting busier or quieter does not favour one side.
    const pair = i % 2 === 0 ? [false, true] : [true, false];
    for (const m of pair) {
      const r = await round(corpus, m);
      (m ? on : off).push(r);
      const extra = m ? `, all mined ${fmt(r.minedSecs!, 1)} s after the first push, ${r.patterns} patterns counting ${fmt(r.minedLines!)} lines, ${r.dropped} lines dropped, sampling stride at the end ${r.stride}, mining took ${fmt(r.miningSecs!, 2)} s of the main thread = ${fmt((r.miningSecs! / r.ingestSecs!) * 100, 1)}% of the ingest's wall time` : '';
      console.log(`  round ${i + 1}, miner ${m ? 'on ' : 'off'}: ${fmt(r.rate)} lines/s acknowledged, ${r.rejected} × 429, server CPU ${fmt(r.cpuPerM, 1)} s per million lines, peak RSS ${fmt(r.peakRss / 1e6)} MB${extra}`);
    }
    const ratio = on[i].rate / off[i].rate;
    console.log(`  round ${i + 1}: with / without = ${fmt(ratio * 100, 1)}%`);
  }
  const mOff = median(off.map((r) => r.rate));
  const mOn = median(on.map((r) => r.rate));
  const ratios = on.map((r, i) => r.rate / off[i].rate);
  console.log('\n| measure | without miner | with miner |\n|---|---|---|');
  console.log(`| acknowledged ingest, median of ${ROUNDS} | ${fmt(mOff)} lines/s | ${fmt(mOn)} lines/s (${fmt((mOn / mOff) * 100, 1)}%) |`);
  console.log(`| per-round ratio (with / without) | | ${ratios.map((x) => fmt(x * 100, 1) + '%').join(', ')} |`);
  console.log(`| server CPU per million lines, median | ${fmt(median(off.map((r) => r.cpuPerM)), 1)} s | ${fmt(median(on.map((r) => r.cpuPerM)), 1)} s (mining included) |`);
  console.log(`| miner's main-thread time / ingest wall time, median | | ${fmt(median(on.map((r) => r.miningSecs! / r.ingestSecs!)) * 100, 1)}% |`);
  console.log(`| peak RSS, median | ${fmt(median(off.map((r) => r.peakRss)) / 1e6)} MB | ${fmt(median(on.map((r) => r.peakRss)) / 1e6)} MB |`);
  console.log(`| all lines mined after first push, median | | ${fmt(median(on.map((r) => r.minedSecs!)), 1)} s (ingest itself ${fmt(N / mOn, 1)} s) |`);
  const cut = 1 - mOn / mOff;
  console.log(`\nmedian cut of acknowledged ingest by the miner: ${fmt(cut * 100, 1)}% (the issue allows at most 10%)`);
}

await main();
