/**
 * Starts the real `logsentinel` command as a child process on a free port and stops or kills it,
 * for end-to-end tests that talk to it over HTTP exactly as clients do. Servers start with
 * authentication disabled unless a test asks for it (`auth: true`); every server's output is
 * also written to test-artifacts/logs/, where the secrets check looks (src/testing/secrets.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/testing/free-port.js';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LOGS_DIR } from '../../src/testing/secrets.js';

export const ROOT = resolve(import.meta.dirname, '../..');

export { freePort };

export interface ServerHandle {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill9(): Promise<void>;
}

export function tempDataDir(prefix = 'ls-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
  args?: string[];
  command?: string;
  nodeArgs?: string[];
  /** Start with authentication on (`auth.enabled`); off by default, as the older tests expect. */
  auth?: boolean;
}

let started = 0;

export async function startServer(opts: StartOptions = {}): Promise<ServerHandle> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? tempDataDir();
  const command = opts.command ?? 'serve';
  const proc = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'src/main.ts'), command, '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, ...(opts.args ?? [])],
    { cwd: ROOT, env: { ...process.env, LOGSENTINEL_SERVER_LOG_LEVEL: 'warn', LOGSENTINEL_AUTH_ENABLED: opts.auth ? 'true' : 'false', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  mkdirSync(LOGS_DIR, { recursive: true });
  const log = createWriteStream(join(LOGS_DIR, `${process.pid}-${++started}-${command}-${port}.log`));
  proc.once('exit', () => log.end());
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    log.write(d);
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    log.write(d);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode} before it was ready:\n${out}`);
    try {
      const r = await fetch(url + '/health/readiness');
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server not ready after 30s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    dataDir,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** GET `path?params` and parse the JSON answer (plain-text errors stay a string). */
export async function getJson(s: ServerHandle, path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
  const r = await fetch(s.url + path + '?' + new URLSearchParams(params), { headers });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain-text error
  }
  return { status: r.status, body };
}
