/**
 * Online backups of the embedded store, against the real server and CLI: a backup taken while
 * clients push holds every entry acknowledged before it started (once), and restores into a new
 * data directory a server starts on; a kill -9 during a backup leaves the live store intact and
 * the half-written backup refused by restore with a clear message.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, getJson, removeDir, startServer, tempDataDir } from './harness.js';
import { Pushers, assertStoredOnce, linesOf } from './pushers.js';

/** Runs `logsentinel <args>` to its end. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Pushes `n` entries in big batches, to give a backup something to copy for a while. */
async function fill(url: string, n: number, service: string): Promise<string[]> {
  const perBatch = 10_000;
  const filler = new Pushers(() => url, 4, { service, perBatch, pad: 200 });
  await filler.waitAcked(Math.ceil(n / perBatch), 300_000);
  await filler.stop();
  return filler.acked;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};

describe('backups of the embedded store', () => {
  it('a backup under load holds every entry acknowledged before it began, once, and restores into a fresh data directory', async (t) => {
    const dataDir = tempDataDir();
    const work = tempDataDir('ls-backup-');
    const to = join(work, 'backup');
    const restored = join(work, 'restored');
    const s = await startServer({ dataDir });
    const latencies: Array<{ ms: number; at: number }> = [];
    const pushers = new Pushers(() => s.url, 4, { service: 'backup', perBatch: 200, onLatency: (ms, at) => latencies.push({ ms, at }) });
    try {
      const filled = await fill(s.url, 200_000, 'backup-fill');
      await pushers.waitAcked(20);
      const before = pushers.acked.slice();
      const started = Date.now();
      const r = await cli(['backup', '--to', to, '--url', s.url]);
      const finished = Date.now();
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^backing up to .* \.\.\.\nbacked up \d+ entries in \d+ streams to .*backup \([\d.]+ [KMG]iB, [\d.]+ s\); restore with: logsentinel restore --from .*backup --data-dir <new data directory>\n$/);
      const ackedDuring = pushers.acked.length - before.length;
      await pushers.waitAcked(pushers.acked.length + 10);
      await pushers.stop();
      const during = latencies.filter((l) => l.at >= started && l.at <= finished).map((l) => l.ms);
      const outside = latencies.filter((l) => l.at < started && l.at >= started - 5000).map((l) => l.ms);
      t.diagnostic(`backup took ${finished - started} ms (CLI included); ${ackedDuring} batches acknowledged meanwhile; push latency p50/p99/max in the 5 s before ${quantile(outside, 0.5).toFixed(0)}/${quantile(outside, 0.99).toFixed(0)}/${quantile(outside, 1).toFixed(0)} ms, during ${quantile(during, 0.5).toFixed(0)}/${quantile(during, 0.99).toFixed(0)}/${quantile(during, 1).toFixed(0)} ms`);
      assert.ok(ackedDuring > 0, 'pushes went on during the backup');
      const manifest = JSON.parse(readFileSync(join(to, 'backup.json'), 'utf8')) as { entries: number };

      const rr = await cli(['restore', '--from', to, '--data-dir', restored]);
      assert.equal(rr.code, 0, rr.stderr);
      assert.match(rr.stdout, new RegExp(`^restored ${manifest.entries} entries in \\d+ streams \\(backup of .*\\) from .* into .*restored; start it with: logsentinel serve --data-dir .*restored\\n$`));
      // Every entry acknowledged before the backup began is there once; anything else there was sent.
      await assertStoredOnce(t, restored, linesOf(before), { exact: false, allowed: new Set(linesOf([...filled, ...pushers.acked])) });

      // A server starts on the restored directory and answers queries over it.
      const rs = await startServer({ dataDir: restored });
      try {
        const q = await getJson(rs, '/loki/api/v1/query', { query: 'sum(count_over_time({service="backup"}[1h]))', time: String(Date.now() * 1e6) });
        assert.equal(q.status, 200);
        assert.ok(Number(q.body.data.result[0].value[1]) >= linesOf(before).length);
      } finally {
        await rs.stop();
      }
      // A second backup into the same directory is refused; restore never writes over a store.
      const again = await cli(['backup', '--to', to, '--url', s.url]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^logsentinel backup: cannot back up to .*backup: the directory is not empty/);
      const over = await cli(['restore', '--from', to, '--data-dir', restored]);
      assert.equal(over.code, 1);
      assert.match(over.stderr, /^logsentinel restore: cannot restore into .*restored: the directory is not empty/);

      // The live store kept every acknowledged entry, once.
      assert.equal(await s.stop(), 0);
      await assertStoredOnce(t, dataDir, linesOf(pushers.acked), { exact: false, allowed: new Set(linesOf([...filled, ...pushers.acked])) });
    } finally {
      await pushers.abandon();
      await s.kill9();
      removeDir(dataDir);
      removeDir(work);
    }
  });

  it('kill -9 during a backup leaves the live store intact and the half-written backup clearly not restorable', async (t) => {
    const dataDir = tempDataDir();
    const work = tempDataDir('ls-backup-');
    const to = join(work, 'backup');
    let s = await startServer({ dataDir });
    const pushers = new Pushers(() => s.url, 2, { service: 'backup-kill', perBatch: 200 });
    try {
      const filled = await fill(s.url, 600_000, 'backup-kill-fill');
      await pushers.waitAcked(10);
      const r = await fetch(s.url + '/api/v1/admin/backup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to }) });
      assert.equal(r.status, 202, await r.text());
      // Kill once the copy has begun (its file exists) and the backup is still running.
      const deadline = Date.now() + 30_000;
      while (!existsSync(join(to, 'logsentinel.duckdb'))) {
        assert.ok(Date.now() < deadline, 'the copy did not start');
        await new Promise((r) => setTimeout(r, 5));
      }
      const st = await getJson(s, '/api/v1/admin/backup');
      assert.equal(st.body.state, 'running', 'the backup is still running when the server is killed');
      await s.kill9();
      t.diagnostic(`backup directory after kill -9: ${JSON.stringify(readdirSync(to))}`);
      assert.ok(!existsSync(join(to, 'backup.json')), 'no manifest: the backup did not finish');
      assert.ok(existsSync(join(to, 'BACKUP-IN-PROGRESS')), 'the directory says the backup did not finish');

      const rr = await cli(['restore', '--from', to, '--data-dir', join(work, 'restored')]);
      assert.equal(rr.code, 1);
      assert.match(rr.stderr, /^logsentinel restore: cannot restore from .*backup: the backup there is incomplete \(backup\.json is missing and BACKUP-IN-PROGRESS is present\): it was interrupted or is still running; take a new backup\n$/);
      assert.ok(!existsSync(join(work, 'restored', 'logsentinel.duckdb')), 'nothing restored');

      // The live store starts again with everything acknowledged, and takes a backup now.
      s = await startServer({ dataDir, port: s.port });
      await pushers.waitAcked(pushers.acked.length + 10);
      await pushers.stop();
      const ok = await cli(['backup', '--to', join(work, 'backup2'), '--url', s.url]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(await s.stop(), 0);
      await assertStoredOnce(t, dataDir, [...linesOf(filled), ...linesOf(pushers.acked)]);
    } finally {
      await pushers.abandon();
      await s.kill9();
      removeDir(dataDir);
      removeDir(work);
    }
  });
});
