/** The `logsentinel` command line: help, configuration sources, and cluster roles missing their URLs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, freePort, tempDataDir, removeDir } from './harness.js';
import { OPTIONS } from '../../src/config/schema.js';
import { envName } from '../../src/config/load.js';

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

describe('logsentinel command', () => {
  it('--help lists the commands', () => {
    const { code, out } = cli(['--help']);
    assert.equal(code, 0);
    for (const c of ['serve', 'loadgen', 'ingest', 'process', 'query', 'ruler']) assert.match(out, new RegExp(`\\b${c}\\b`));
  });

  it('serve --help lists every option with its environment variable', () => {
    const { code, out } = cli(['serve', '--help']);
    assert.equal(code, 0);
    for (const flag of ['--port', '--host', '--data-dir', '--config']) assert.ok(out.includes(flag), flag);
    for (const o of OPTIONS) assert.ok(out.includes(envName(o.path)), envName(o.path));
  });

  it('loadgen --help lists its options', () => {
    const { code, out } = cli(['loadgen', '--help']);
    assert.equal(code, 0);
    for (const flag of ['--url', '--rate', '--duration', '--services', '--batch', '--protocol']) assert.ok(out.includes(flag), flag);
  });

  it('a cluster role without a URL it needs exits 2 naming the option', () => {
    const f = (role: string, env: Record<string, string>, want: RegExp, notWant?: RegExp): void => {
      const { code, out } = cli([role], { LOGSENTINEL_QUEUE_REDIS_URL: '', LOGSENTINEL_STORAGE_POSTGRES_URL: '', ...env });
      assert.equal(code, 2, out);
      assert.match(out, want);
      if (notWant) assert.doesNotMatch(out, notWant);
    };
    f('ingest', {}, /cannot start role ingest: .*queue\.redis\.url \(env LOGSENTINEL_QUEUE_REDIS_URL\)/, /storage\.postgres\.url/);
    f('process', { LOGSENTINEL_QUEUE_REDIS_URL: 'redis://127.0.0.1:1' }, /cannot start role process: .*storage\.postgres\.url \(env LOGSENTINEL_STORAGE_POSTGRES_URL\)/, /set queue\.redis\.url/);
    f('query', {}, /cannot start role query: .*storage\.postgres\.url/, /queue\.redis\.url/);
    f('ruler', {}, /cannot start role ruler: .*storage\.postgres\.url/);
    f('all', { LOGSENTINEL_QUEUE_REDIS_URL: 'redis://127.0.0.1:1' }, /cannot start role all: .*storage\.postgres\.url/);
  });

  it('every role has --help', () => {
    for (const role of ['all', 'ingest', 'process', 'query', 'ruler']) {
      const { code, out } = cli([role, '--help']);
      assert.equal(code, 0, role);
      assert.match(out, /LOGSENTINEL_QUEUE_REDIS_URL/, role);
    }
  });

  it('a bad config file stops startup with a message naming the option', () => {
    const dir = tempDataDir('ls-cli-');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  port: twelve\n');
    const { code, out } = cli(['serve', '--config', file]);
    assert.equal(code, 2);
    assert.match(out, /server\.port/);
    removeDir(dir);
  });

  it('serve takes its port from the environment and its data directory from --config', async () => {
    const dir = tempDataDir('ls-cli-');
    const dataDir = join(dir, 'from-config');
    const file = join(dir, 'c.yaml');
    writeFileSync(file, `dataDir: ${dataDir}\nserver:\n  host: 127.0.0.1\n`);
    const port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'serve', '--config', file], {
      cwd: ROOT,
      env: { ...process.env, LOGSENTINEL_SERVER_PORT: String(port), LOGSENTINEL_SERVER_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      let ok = false;
      for (let i = 0; i < 200 && !ok; i++) {
        ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false);
        if (!ok) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(ok, 'server answered /ready on the port from LOGSENTINEL_SERVER_PORT');
      assert.ok(existsSync(join(dataDir, 'logsentinel.duckdb')), 'store created in the dataDir from the config file');
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      removeDir(dir);
    }
  });
});
