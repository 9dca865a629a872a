/** The miner alone on the benchmark corpus, in one process (profiling aid): lines/s. */
import { buildCorpus } from '../ingest-query/corpus.js';
import { PatternMiner } from '../../src/patterns/index.js';
import type { Level } from '../../src/model/level.js';

const N = Number(process.argv[2] ?? 300000);
const c = buildCorpus({ lines: N, batch: 2000, hours: 24, seed: 42 });
const levels = new Map(c.rows.map((r) => [r.line, r.levelCode]));
const LV: Level[] = ['unknown', 'trace', 'debug', 'info', 'warn', 'error', 'critical'];
const batches = c.bodies.map((b) => {
  const j = JSON.parse(b) as { streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
  return { tenant: 'default', streams: j.streams.map((s) => ({ labels: s.stream, key: JSON.stringify(s.stream), id: 0n, entries: s.values.map(([ts, line]) => ({ ts: BigInt(ts), line, level: LV[levels.get(line) ?? 0] })) })) };
});
for (let round = 0; round < 3; round++) {
  const m = new PatternMiner({ maxClustersPerStream: 300, maxClustersPerTenant: 20000, bucketMs: 10_000, retentionMs: 48 * 3600_000, similarity: 0.4, maxTokens: 64, maxQueuedLines: Infinity, sliceMs: 4, maxBusyShare: 0 });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const b of batches) m.observe([b]);
  m.drain();
  const secs = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  console.log(`round ${round + 1}: ${Math.round(N / secs).toLocaleString('en-US')} lines/s wall, ${Math.round(N / cpu).toLocaleString('en-US')} lines per CPU second, ${m.clusterCount()} patterns`);
}
