import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogs } from './logger.js';
import { startService } from './service.js';
import { collectLines, eventually } from './testing/collect.js';
import { startFakeLoki, type FakeLoki } from './testing/fake-loki.js';

describe('startService', () => {
  let loki: FakeLoki;
  before(async () => {
    loki = await startFakeLoki();
  });
  after(async () => {
    await loki.close();
  });

  it('stop finishes in-flight requests, refuses new connections, then pushes the buffered logs', async () => {
    const out = collectLines();
    // A batch interval far beyond the test: whatever arrives was pushed by stop().
    const logs = createLogs({ logLevel: 'info', serviceName: 'demo-stop', logsentinelUrl: loki.url, auth: { kind: 'none' }, batchIntervalSeconds: 3600 }, { stdout: out });
    let release: () => void = () => {};
    let held: () => void = () => {};
    const isHeld = new Promise<void>((r) => (held = r));
    const service = await startService({ port: 0, host: '127.0.0.1', serviceName: 'demo-stop', logsentinelUrl: loki.url, auth: { kind: 'none' } }, logs, {
      random: () => 0.5,
      sleep: () =>
        new Promise<void>((r) => {
          release = r;
          held();
        }),
    });
    const events: string[] = [];
    const inflight = fetch(service.url + '/api/users', { headers: { 'x-request-id': 'req-inflight' } }).then(async (r) => {
      events.push(`in-flight answered ${r.status}, connection: ${r.headers.get('connection')}`);
      return r.json() as Promise<{ users: unknown[] }>;
    });
    await isHeld;
    const stopped = service.stop('SIGTERM').then(() => events.push('stopped'));
    assert.equal(service.stop('again'), service.stop('again'), 'stop is idempotent');

    await eventually(
      () =>
        fetch(service.url + '/health/liveness').then(
          () => undefined,
          (err: Error) => err,
        ),
      'new connections to be refused',
    );
    assert.deepEqual(loki.pushes, [], 'nothing pushed while requests are in flight');

    release();
    assert.equal((await inflight).users.length, 5);
    await stopped;
    assert.deepEqual(events, ['in-flight answered 200, connection: close', 'stopped']);

    const shipped = loki.entries().filter((e) => e.labels.service === 'demo-stop');
    assert.deepEqual(
      shipped.map((e) => e.line.msg),
      ['Server listening at ' + service.url, 'demo-api started', 'shutting down: no new connections, finishing in-flight requests', 'request completed', 'in-flight requests finished; pushing the last logs'],
    );
    assert.equal(shipped[3].line.request_id, 'req-inflight');
    assert.equal(shipped[1].line.auth, 'none');
  });

  it('fails to start on a busy port, saying so in the logs', async () => {
    const out = collectLines();
    const config = { port: 0, host: '127.0.0.1', serviceName: 'demo-busy', logsentinelUrl: undefined, auth: { kind: 'none' } as const };
    const first = await startService(config, createLogs({ ...config, logLevel: 'info', batchIntervalSeconds: 1 }, { stdout: collectLines() }));
    const port = Number(new URL(first.url).port);
    try {
      await assert.rejects(startService({ ...config, port }, createLogs({ ...config, logLevel: 'info', batchIntervalSeconds: 1 }, { stdout: out })), /EADDRINUSE/);
      const fatal = out.lines.find((l) => l.level === 'fatal');
      assert.match(String(fatal?.msg), new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: `));
    } finally {
      await first.stop('test over');
    }
  });
});
