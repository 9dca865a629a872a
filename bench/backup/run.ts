/**
 * How long pushes stall while an online backup of a large embedded store runs. See README.md.
 *
 *   npx tsx bench/backup/run.ts                        # 5M lines
 *   npx tsx bench/backup/run.ts --lines 20000000 --rate 20000
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoadgen } from '../../src/loadgen/loadgen.js';
import { startServer } from '../../test/e2e/harness.js';
import { formatBytes } from '../../src/storage/common/format-bytes.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '5000000' },
    rate: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '500' },
    keep: { type: 'boolean', default: false },
  },
});
const LINES = Number(args.lines);
const RATE = Number(args.rate);
const BATCH = Number(args.batch);

const work = mkdtempSync(join(tmpdir(), 'ls-bench-backup-'));
const server = await startServer({ dataDir: join(work, 'data'), env: { LOGSENTINEL_SERVER_LOG_LEVEL: 'warn' } });
try {
  process.stdout.write(`filling the store with ${LINES} lines ...\n`);
  const fill = await runLoadgen({ url: server.url, rate: 10_000_000, duration: 0, count: LINES, services: 8, batch: 5000, concurrency: 4, protocol: 'loki-json', seed: 7 });
  process.stdout.write(`filled: ${fill.accepted} lines in ${fill.elapsedSeconds.toFixed(1)} s\n`);
  // Fold the fill's WAL in first, so the backup measures the copy, not a pending checkpoint.
  await new Promise((r) => setTimeout(r, 2000));

  // Steady pushes at --rate; each request's latency, by phase.
  type Phase = 'before' | 'during' | 'after';
  let phase: Phase = 'before';
  const lat: Record<Phase, number[]> = { before: [], during: [], after: [] };
  /** Pushes slower than 500 ms: when they started, relative to the backup's start. */
  const slow: Array<{ at: number; ms: number }> = [];
  let backupStart = 0;
  let stop = false;
  const perWorkerDelay = (BATCH / RATE) * 4 * 1000;
  let seq = 0;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const ts = BigInt(Date.now()) * 1_000_000n;
      const values = Array.from({ length: BATCH }, (_, i) => [(ts + BigInt(i)).toString(), `bench seq=${seq} i=${i} level=info msg="steady push during backup"`]);
      seq++;
      const t0 = performance.now();
      const p = phase;
      const r = await fetch(server.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { service: 'bench-steady' }, values }] }) });
      await r.arrayBuffer();
      const ms = performance.now() - t0;
      if (r.status === 204) lat[p].push(ms);
      if (ms > 500) slow.push({ at: t0 - backupStart, ms });
      await new Promise((res) => setTimeout(res, Math.max(0, perWorkerDelay - ms)));
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  await new Promise((r) => setTimeout(r, 10_000));

  phase = 'during';
  const to = join(work, 'backup');
  const t0 = performance.now();
  backupStart = t0;
  const started = await fetch(server.url + '/api/v1/admin/backup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to }) });
  if (started.status !== 202) throw new Error(`backup refused: ${started.status} ${await started.text()}`);
  let status: { state: string; entries?: number; bytes?: number; error?: string };
  do {
    await new Promise((r) => setTimeout(r, 50));
    status = (await (await fetch(server.url + '/api/v1/admin/backup')).json()) as typeof status;
  } while (status.state === 'running');
  const backupMs = performance.now() - t0;
  if (status.state !== 'done') throw new Error(`backup ${status.state}: ${status.error}`);
  phase = 'after';
  await new Promise((r) => setTimeout(r, 5000));
  stop = true;
  await Promise.all(workers);

  const q = (xs: number[], p: number): string => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(0) : '-';
  };
  const metrics = await (await fetch(server.url + '/metrics')).text();
  const size = Number(/^storage_size_bytes (\S+)$/m.exec(metrics)?.[1] ?? 0);
  const checkpoints = `${/^storage_checkpoint_duration_seconds_count (\S+)$/m.exec(metrics)?.[1]} checkpoints, ${Number(/^storage_checkpoint_duration_seconds_sum (\S+)$/m.exec(metrics)?.[1]).toFixed(1)} s in all`;
  process.stdout.write(
    `\nstore: ${status.entries} entries, ${formatBytes(size)} on disk; backup: ${formatBytes(status.bytes ?? 0)} in ${(backupMs / 1000).toFixed(1)} s\n` +
      `steady pushes: ${BATCH} lines per request, ${RATE} lines/s, 4 clients\n\n` +
      '| phase | pushes | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n' +
      (['before', 'during', 'after'] as const).map((p) => `| ${p} the backup | ${lat[p].length} | ${q(lat[p], 0.5)} | ${q(lat[p], 0.99)} | ${q(lat[p], 1)} |`).join('\n') +
      '\n' +
      `\n${checkpoints}; pushes slower than 500 ms (ms after the backup started: latency): ${slow.map((x) => `${x.at.toFixed(0)}: ${x.ms.toFixed(0)}`).join(', ') || 'none'}\n`,
  );
} finally {
  await server.stop();
  if (!args.keep) rmSync(work, { recursive: true, force: true });
}
