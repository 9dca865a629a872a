// Runs every *.test.ts under the given folders (default: src, test and examples) with Node's test runner.
// Node 20's runner does not expand globs itself, so the file list is built here.
//
// Then the secrets check (src/testing/secrets.ts, scripts/check-secrets.ts): every password or
// token a test registered in test-artifacts/secrets.txt is searched for in every server log under
// test-artifacts/logs/; one found fails the run, naming the file.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ARTIFACTS = 'test-artifacts';
const SECRETS = join(ARTIFACTS, 'secrets.txt');
const LOGS = join(ARTIFACTS, 'logs');

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'test', 'examples'];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
};
for (const r of roots) {
  try { walk(r); } catch (err) { if (err.code !== 'ENOENT') throw err; }
}
files.sort();
if (files.length === 0) {
  console.error('no test files found under ' + roots.join(', '));
  process.exit(1);
}
rmSync(SECRETS, { force: true });
rmSync(LOGS, { recursive: true, force: true });
mkdirSync(LOGS, { recursive: true });

const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});

// The secrets check (scripts/check-secrets.ts); a leak fails the run even when every test passed.
const check = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-secrets.ts'], { stdio: 'inherit' });
if (check.status !== 0) process.exit(1);
process.exit(res.status ?? 1);
