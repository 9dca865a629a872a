import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { MIX, loadTrafficConfig, pickCall, runTraffic, type Call, type TrafficConfig } from './generator.js';
import { collectLines, eventually } from './testing/collect.js';
import { startTestApp, type TestApp } from './testing/demo-app.js';

/** Returns `first`, then 0.5 for any further draw (the echo body's fields). */
const drawsFrom = (first: number) => {
  let n = 0;
  return (): number => (n++ === 0 ? first : 0.5);
};

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** A low-discrepancy sequence: deterministic, yet spreads over [0, 1) like a random source. */
function goldenRandom(): () => number {
  let x = 0;
  return () => (x = (x + 0.6180339887498949) % 1);
}

describe('pickCall', () => {
  it('maps the first draw onto the mix', () => {
    const f = (draw: number, want: Pick<Call, 'method' | 'path'>): void => {
      const got = pickCall(drawsFrom(draw));
      assert.deepEqual({ method: got.method, path: got.path }, want, `draw ${draw}`);
    };
    f(0, { method: 'GET', path: '/api/users' });
    f(0.7499, { method: 'GET', path: '/api/users' });
    f(0.75, { method: 'POST', path: '/api/echo' });
    f(0.8999, { method: 'POST', path: '/api/echo' });
    f(0.9, { method: 'GET', path: '/api/error?type=client' });
    f(0.9599, { method: 'GET', path: '/api/error?type=client' });
    f(0.96, { method: 'GET', path: '/api/error?type=server' });
    f(0.99999999, { method: 'GET', path: '/api/error?type=server' });
  });

  it('gives echo a JSON body and the others none', () => {
    assert.deepEqual(pickCall(drawsFrom(0.8)).body, { order_id: 50_000, items: 3, note: 'traffic generator' });
    assert.equal(pickCall(drawsFrom(0.1)).body, undefined);
  });

  it('adds up to 100%', () => {
    assert.equal(MIX.reduce((s, m) => s + m.percent, 0), 100);
  });
});

describe('loadTrafficConfig', () => {
  it('accepts valid environments', () => {
    const f = (env: NodeJS.ProcessEnv, want: TrafficConfig): void => {
      assert.deepEqual(loadTrafficConfig(env), want, JSON.stringify(env));
    };
    f({}, { targetUrl: 'http://localhost:8080/', rps: 5 });
    f({ TARGET_URL: 'http://demo-api:8080', RPS: '20' }, { targetUrl: 'http://demo-api:8080/', rps: 20 });
    f({ RPS: '0.5' }, { targetUrl: 'http://localhost:8080/', rps: 0.5 });
  });

  it('rejects invalid environments, naming the variable', () => {
    const f = (env: NodeJS.ProcessEnv, want: RegExp): void => {
      assert.throws(() => loadTrafficConfig(env), want, JSON.stringify(env));
    };
    f({ TARGET_URL: 'demo-api' }, /^Error: cannot load config: TARGET_URL/);
    f({ TARGET_URL: 'ftp://demo-api' }, /TARGET_URL must be http or https/);
    f({ RPS: '0' }, /RPS must be a number above 0/);
    f({ RPS: '-3' }, /RPS/);
    f({ RPS: 'fast' }, /RPS/);
    f({ RPS: '100000' }, /RPS/);
  });
});

describe('runTraffic', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('drives the API in the mix until aborted, with its own request ids', async () => {
    const out = collectLines();
    const controller = new AbortController();
    const served = (): Array<Record<string, unknown>> => t.out.lines.filter((l) => l.msg === 'request completed' && String(l.request_id).startsWith('traffic-'));
    const running = runTraffic({
      targetUrl: t.url,
      rps: 400,
      signal: controller.signal,
      logger: pino({ formatters: { level: (label) => ({ level: label }) } }, out),
      random: goldenRandom(),
      summaryEveryMs: 50,
    });
    await eventually(() => (served().length >= 200 ? true : undefined), '200 generated requests');
    controller.abort();
    const stats = await running;

    const kinds = new Map<string, number>();
    for (const l of served()) kinds.set(`${l.method} ${l.url} ${l.status}`, (kinds.get(`${l.method} ${l.url} ${l.status}`) ?? 0) + 1);
    assert.deepEqual([...kinds.keys()].sort(), ['GET /api/error?type=client 400', 'GET /api/error?type=server 500', 'GET /api/users 200', 'POST /api/echo 200']);
    assert.ok((kinds.get('GET /api/users 200') ?? 0) > served().length / 2, 'mostly /api/users');

    assert.equal(stats.failed, 0);
    assert.ok(stats.ok > 0 && stats.clientErrors > 0 && stats.serverErrors > 0, JSON.stringify(stats));
    // Requests cut off by the abort are sent but neither answered nor failed.
    assert.ok(stats.ok + stats.clientErrors + stats.serverErrors <= stats.sent);
    assert.ok(served().length <= stats.sent);
    assert.ok(out.lines.some((l) => l.msg === 'traffic summary'), 'logs summaries');
  });

  it('counts an unreachable target as failed and says why, without throwing', async () => {
    const out = collectLines();
    const controller = new AbortController();
    const port = await closedPort();
    const running = runTraffic({
      targetUrl: `http://127.0.0.1:${port}/`,
      rps: 200,
      signal: controller.signal,
      logger: pino({ formatters: { level: (label) => ({ level: label }) } }, out),
      summaryEveryMs: 20,
    });
    const warning = await eventually(() => out.lines.find((l) => l.level === 'warn'), 'a warning summary');
    controller.abort();
    const stats = await running;
    assert.ok(stats.failed > 0);
    assert.match(String(warning.msg), new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}/ for \\d+ of \\d+ requests: fetch failed: .*ECONNREFUSED`));
  });
});
