/**
 * The web UI's bundle stays under 200 KB gzipped (issue 16): the UI is built from the sources
 * into a temporary directory and everything index.html loads is gzipped at level 9, as a server
 * or CDN in front of LogSentinel would send it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIMIT = 200_000;

test('the UI bundle (scripts and styles index.html loads) is under 200 KB gzipped', { timeout: 180_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'ls-ui-bundle-'));
  try {
    const vite = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'ui/vite.config.ts', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      encoding: 'utf8',
      // The test runner sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
    });
    assert.equal(vite.status, 0, `vite build failed: ${vite.stderr}`);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const loaded = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(loaded.some((f) => f.endsWith('.js')), `index.html loads no script: ${html}`);
    // Every asset the build made is loaded from index.html (no chunk escapes the count).
    assert.deepEqual(readdirSync(join(out, 'assets')).map((f) => 'assets/' + f).sort(), [...loaded].sort());
    const sizes = loaded.map((f) => ({ f, gz: gzipSync(readFileSync(join(out, f)), { level: 9 }).length }));
    const total = sizes.reduce((a, s) => a + s.gz, 0);
    console.log(`UI bundle: ${sizes.map((s) => `${s.f} ${(s.gz / 1000).toFixed(1)} KB`).join(', ')}; total ${(total / 1000).toFixed(1)} KB gzipped`);
    assert.ok(total < LIMIT, `the UI bundle is ${total} bytes gzipped, over ${LIMIT}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
