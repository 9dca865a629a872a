/**
 * Runs one of the package's entry points (src/main.ts, src/traffic.ts) as a real child process
 * through tsx, the way `node dist/<entry>.js` runs in the container, for tests of signals and
 * exit codes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const PACKAGE_DIR = resolve(import.meta.dirname, '../..');

export interface Child {
  proc: ChildProcess;
  /** stdout lines parsed as JSON; lines that are not JSON are kept as `{ raw }`. */
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function spawnEntry(entry: 'main' | 'traffic', env: Record<string, string>): Child {
  // cwd is the package, so `--import tsx` resolves from its node_modules or, in the repository's
  // own test run, from the root's.
  const proc = spawn(process.execPath, ['--import', 'tsx', `src/${entry}.ts`], {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let partial = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      if (p === '') continue;
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ raw: p });
      }
    }
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, lines, stderr: () => err, exited };
}
