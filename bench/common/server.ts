/**
 * Starts a LogSentinel server for a load probe: from this checkout, or with `--server-root` from
 * another one (to measure the "before" of a change with the same probe), optionally under its own
 * open-file limit (`prlimit`), so the probe process may hold more connections than the server may.
 * Authentication is off (`auth.enabled=false`, as in the e2e harness): the probes send no
 * credentials and measure load handling, not token checks (cached per token, docs/security.md).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, ROOT, tempDataDir, removeDir } from '../../test/e2e/harness.js';

export interface BenchServer {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function startBenchServer(opts: { root?: string; env?: Record<string, string>; nofile?: number; nodeArgs?: string[] } = {}): Promise<BenchServer> {
  const root = opts.root ?? ROOT;
  const port = await freePort();
  const dataDir = tempDataDir('ls-bench-');
  const node = [process.execPath, ...(opts.nodeArgs ?? []), '--import', 'tsx', join(root, 'src/main.ts'), 'serve', '--port', String(port), '--host', '0.0.0.0', '--data-dir', dataDir];
  const argv = opts.nofile ? ['prlimit', `--nofile=${opts.nofile}:${opts.nofile}`, '--', ...node] : node;
  const proc = spawn(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, LOGSENTINEL_SERVER_LOG_LEVEL: 'warn', LOGSENTINEL_RETENTION_PERIOD: '0', LOGSENTINEL_AUTH_ENABLED: 'false', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited before it was ready:\n${out}`);
    const ok = await fetch(url + '/ready').then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server not ready after 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    // prlimit execs node in place, so the child's pid is the server's.
    pid: proc.pid!,
    dataDir,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
      removeDir(dataDir);
    },
  };
}
