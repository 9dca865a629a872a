import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './testing/collect.js';
import { startFakeLoki, type FakeLoki } from './testing/fake-loki.js';
import { spawnEntry, type Child } from './testing/spawn.js';

describe('main (node dist/main.js)', () => {
  let loki: FakeLoki;
  let child: Child | undefined;
  before(async () => {
    loki = await startFakeLoki();
  });
  after(async () => {
    if (child?.proc.exitCode === null) child.proc.kill('SIGKILL');
    await loki.close();
  });

  it('serves, and on SIGTERM pushes the buffered logs and exits 0, without logging the token', async () => {
    child = spawnEntry('main', {
      PORT: '0',
      HOST: '127.0.0.1',
      LOGSENTINEL_URL: loki.url,
      // Far beyond the test: whatever LogSentinel gets was pushed by the shutdown.
      LOGSENTINEL_BATCH_SECONDS: '3600',
      LOGSENTINEL_TOKEN: 'hunter2',
      SERVICE_NAME: 'demo-main',
    });
    const c = child;
    const started = await eventually(() => c.lines.find((l) => l.msg === 'demo-api started'), 'the started line', 30_000);
    assert.equal(started.auth, 'bearer');
    const url = String(started.url);
    const r = await fetch(url + '/api/echo', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-main-1' }, body: '{"hello":"world"}' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'req-main-1');
    assert.deepEqual(await r.json(), { hello: 'world' });
    assert.equal(loki.pushes.length, 0);

    c.proc.kill('SIGTERM');
    assert.equal(await c.exited, 0, c.stderr());

    const shipped = loki.entries();
    assert.ok(shipped.every((e) => e.labels.service === 'demo-main'));
    assert.deepEqual(
      shipped.find((e) => e.line.request_id === 'req-main-1')?.line.msg,
      'request completed',
    );
    assert.ok(shipped.some((e) => e.line.msg === 'in-flight requests finished; pushing the last logs'));
    assert.ok(loki.pushes.every((p) => p.headers.authorization === 'Bearer hunter2'));
    const allOutput = JSON.stringify(c.lines) + c.stderr() + JSON.stringify(shipped.map((e) => e.line));
    assert.ok(!allOutput.includes('hunter2'), 'the token appears in no log');
  });

  it('exits 2 with the reason on invalid configuration', async () => {
    const f = async (env: Record<string, string>, want: RegExp): Promise<void> => {
      const c = spawnEntry('main', env);
      assert.equal(await c.exited, 2, JSON.stringify(env));
      assert.match(c.stderr(), want);
    };
    await f({ PORT: 'eighty' }, /^cannot load config: PORT must be an integer/);
    await f({ LOGSENTINEL_USERNAME: 'demo' }, /^cannot load config: LOGSENTINEL_USERNAME and LOGSENTINEL_PASSWORD must be set together/);
  });
});
