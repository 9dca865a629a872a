import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './testing/collect.js';
import { startTestApp, type TestApp } from './testing/demo-app.js';
import { spawnEntry, type Child } from './testing/spawn.js';

describe('traffic (node dist/traffic.js)', () => {
  let t: TestApp;
  let child: Child | undefined;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    if (child?.proc.exitCode === null) child.proc.kill('SIGKILL');
    await t.close();
  });

  it('calls TARGET_URL until SIGTERM, then exits 0 with a summary', async () => {
    child = spawnEntry('traffic', { TARGET_URL: t.url, RPS: '50' });
    const c = child;
    const generated = (): number => t.out.lines.filter((l) => l.msg === 'request completed' && String(l.request_id).startsWith('traffic-')).length;
    await eventually(() => (generated() >= 10 ? true : undefined), 'ten generated requests', 30_000);
    c.proc.kill('SIGTERM');
    assert.equal(await c.exited, 0, c.stderr());
    const last = c.lines.at(-1);
    assert.equal(last?.msg, 'traffic generator stopped');
    assert.equal(last?.level, 'info');
    assert.ok(Number(last?.sent) >= 10, JSON.stringify(last));
  });

  it('exits 2 with the reason on invalid configuration', async () => {
    const c = spawnEntry('traffic', { RPS: 'lots' });
    assert.equal(await c.exited, 2);
    assert.match(c.stderr(), /^cannot load config: RPS must be a number/);
  });
});
