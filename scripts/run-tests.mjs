// Runs every *.test.ts under the given folders (default: src, test and examples) with Node's test runner.
// Node 20's runner does not expand globs itself, so the file list is built here.
//
// Then the secrets check (src/testing/secrets.ts): every password or token a test registered in
// test-artifacts/secrets.txt is searched for in every server log under test-artifacts/logs/; one
// found fails the run, naming the file. The first-admin banner (src/auth/bootstrap.ts) is the one
// place credentials are printed by design, so its lines are left out of the search.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ARTIFACTS = 'test-artifacts';
const SECRETS = join(ARTIFACTS, 'secrets.txt');
const LOGS = join(ARTIFACTS, 'logs');
// Kept equal to BANNER_BEGIN and BANNER_END in src/auth/bootstrap.ts.
const BANNER_BEGIN = '======== LogSentinel: initial admin credentials (shown once) ========';
const BANNER_END = '======== end of initial admin credentials ========';

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

/** The text of a log without the first-admin banner blocks. */
function withoutBanners(text) {
  const out = [];
  let inside = false;
  for (const line of text.split('\n')) {
    if (line.includes(BANNER_BEGIN)) inside = true;
    if (!inside) out.push(line);
    if (line.includes(BANNER_END)) inside = false;
  }
  return out.join('\n');
}

const secrets = existsSync(SECRETS) ? [...new Set(readFileSync(SECRETS, 'utf8').split('\n').filter((s) => s.length >= 8))] : [];
const logs = readdirSync(LOGS).map((f) => join(LOGS, f));
const leaks = [];
for (const f of logs) {
  const text = withoutBanners(readFileSync(f, 'utf8'));
  const found = secrets.filter((s) => text.includes(s)).length;
  if (found > 0) leaks.push(`${f}: ${found} registered secret(s)`);
}
if (leaks.length > 0) {
  console.error(`\nsecrets check FAILED: registered test secrets appear in server logs:\n  ${leaks.join('\n  ')}`);
  process.exit(1);
}
console.log(`\nsecrets check: ${secrets.length} registered secret(s), none in ${logs.length} server log(s) under ${LOGS}`);
process.exit(res.status ?? 1);
