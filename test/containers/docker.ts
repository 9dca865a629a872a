/**
 * The container drills' view of a container engine: the `docker` CLI (any engine that speaks its
 * API; CI runs a private dockerd, see .ci/dockerd.sh) and Compose, as `docker compose` (v2) when
 * the plugin is there, else `docker-compose` (v1, which CI has).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(`${command} exited with ${status}: ${stderr.trim().slice(-2000)}`);
  }
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? process.env, cwd: opts.cwd, input: opts.input, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new CommandError(`${cmd} ${args.join(' ')}`, r.status, r.stderr);
  return r.stdout;
}

/** `docker <args>`: stdout, or a CommandError with stderr. */
export function docker(...args: string[]): string {
  return run('docker', args);
}

/** `docker <args>` without blocking the event loop (clients keep running meanwhile). */
export function dockerAsync(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new CommandError(`docker ${args.join(' ')}`, typeof err.code === 'number' ? err.code : null, stderr));
      else resolve(stdout);
    });
  });
}

/** Whether a Docker engine answers (and why not). */
export function engineProblem(): string | undefined {
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `no Docker engine answers (${(err as Error).message.split('\n')[0]}); set DOCKER_HOST (CI starts one with .ci/dockerd.sh)`;
  }
}

let composeCmd: string[] | undefined;
function composeCommand(): string[] {
  if (composeCmd) return composeCmd;
  const v2 = spawnSync('docker', ['compose', 'version'], { stdio: 'pipe' });
  composeCmd = v2.status === 0 ? ['docker', 'compose'] : ['docker-compose'];
  return composeCmd;
}

/** `docker compose` in `dir` (its docker-compose.yml and .env), with extra environment. */
export function compose(dir: string, env: Record<string, string>, ...args: string[]): string {
  const [cmd, ...pre] = composeCommand();
  return run(cmd, [...pre, ...args], { cwd: dir, env: { ...process.env, ...env } });
}

export interface ContainerState {
  id: string;
  name: string;
  status: string;
  exitCode: number;
  pid: number;
  health?: string;
}

export function inspectState(container: string): ContainerState {
  const [j] = JSON.parse(docker('inspect', container)) as Array<{ Id: string; Name: string; State: { Status: string; ExitCode: number; Pid: number; Health?: { Status: string } } }>;
  return { id: j.Id, name: j.Name.replace(/^\//, ''), status: j.State.Status, exitCode: j.State.ExitCode, pid: j.State.Pid, health: j.State.Health?.Status };
}

/**
 * fetch with a timeout. A published port's proxy accepts connections before the container
 * listens and may then never answer; fetch's own timers do not keep Node's event loop alive, so a
 * test awaiting such a request would end as "still pending". This one holds a referenced timer.
 */
export async function request(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<Response> {
  const keep = setTimeout(() => undefined, timeoutMs + 1000);
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } finally {
    clearTimeout(keep);
  }
}

/** Polls `probe` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
