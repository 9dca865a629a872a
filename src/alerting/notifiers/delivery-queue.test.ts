import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backoffMs, DeliveryQueue, postJson, type DeliveryOptions } from './delivery-queue.js';
import { endpointOf } from './endpoint.js';

/** A receiver whose answers are scripted per path: a list of status codes, then 200. */
let server: Server;
let base = '';
const script = new Map<string, number[]>();
const hits = new Map<string, Array<{ body: string; authorization?: string }>>();
/** Paths under /auth/ answer 401 unless the request carries basic auth am / `p@ss:w0rd é`. */
const GOOD_AUTH = 'Basic ' + Buffer.from('am:p@ss:w0rd é').toString('base64');
before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      hits.set(path, [...(hits.get(path) ?? []), { body, authorization: req.headers.authorization }]);
      if (path.startsWith('/auth/') && req.headers.authorization !== GOOD_AUTH) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="am"' }).end('unauthorized');
        return;
      }
      const codes = script.get(path) ?? [];
      const code = codes.shift() ?? 200;
      if (code === 0) return; // never answer: a hung receiver
      res.writeHead(code).end(code === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const OPTS: DeliveryOptions = { capacity: 10, timeoutMs: 300, minBackoffMs: 20, maxBackoffMs: 80, maxAttempts: 4 };

function queue(path: string, opts: Partial<DeliveryOptions> = {}, url = base + path): { q: DeliveryQueue<string>; log: string[]; done: (n: number) => Promise<void> } {
  const log: string[] = [];
  const endpoint = endpointOf(url, 'test');
  const q = new DeliveryQueue<string>((item, signal) => postJson(endpoint, { item }, signal, 'test'), { ...OPTS, ...opts }, {
    onSent: (n) => log.push(`sent ${n}`),
    onError: (err, attempt) => log.push(`error ${attempt}: ${err.message.replace(base, '')}`),
    onDrop: (n, why) => log.push(`drop ${n}: ${why}`),
  });
  const done = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && log.filter((l) => !l.startsWith('error')).length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  return { q, log, done };
}

describe('delivery queue', () => {
  it('computes exponential backoff with a ceiling', () => {
    const f = (attempt: number, want: number): void => assert.equal(backoffMs(attempt, { minBackoffMs: 100, maxBackoffMs: 1000 }), want);
    f(1, 100);
    f(2, 200);
    f(3, 400);
    f(4, 800);
    f(5, 1000);
  });

  it('retries failures with growing delays, then delivers', async () => {
    script.set('/flaky', [500, 503]);
    const { q, log, done } = queue('/flaky');
    q.push('a', 3);
    await done(1);
    assert.deepEqual(log, ['error 1: cannot send test to /flaky: HTTP 500 nope', 'error 2: cannot send test to /flaky: HTTP 503 nope', 'sent 3']);
    assert.equal(hits.get('/flaky')![2].body, '{"item":"a"}');
  });

  it('gives up after maxAttempts, and at once on a 4xx that retrying cannot fix', async () => {
    script.set('/dead', [500, 500, 500, 500]);
    const a = queue('/dead');
    a.q.push('x');
    await a.done(1);
    assert.deepEqual(a.log.slice(-1), ['drop 1: attempts exhausted']);
    assert.equal(a.log.filter((l) => l.startsWith('error')).length, 4);

    script.set('/refuse', [400]);
    const b = queue('/refuse');
    b.q.push('y');
    await b.done(1);
    assert.deepEqual(b.log, ['error 1: cannot send test to /refuse: HTTP 400 nope', 'drop 1: refused']);

    script.set('/busy', [429]);
    const c = queue('/busy');
    c.q.push('z');
    await c.done(1);
    assert.deepEqual(c.log, ['error 1: cannot send test to /busy: HTTP 429 nope', 'sent 1']);
  });

  it('times out a hung receiver and bounds its queue, dropping the oldest', async () => {
    script.set('/hung', [0, 0, 0, 0, 0, 0]);
    const { q, log } = queue('/hung', { capacity: 2, timeoutMs: 100, maxAttempts: 1 });
    // push is synchronous: it returns before any request is even sent.
    for (const x of ['1', '2', '3', '4']) q.push(x);
    assert.ok(q.length <= 2);
    assert.deepEqual(log.slice(0, 2), ['drop 1: queue full', 'drop 1: queue full']);
    for (let i = 0; i < 100 && q.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(log.find((l) => l.startsWith('error')) ?? '', /timed out/);
    await q.close();
  });

  it('sends URL credentials as basic auth and never prints them', async () => {
    // fetch refuses a URL with credentials: they must become the Authorization header.
    const withCreds = (pass: string): string => base.replace('http://', `http://am:${encodeURIComponent(pass)}@`) + '/auth/ok';
    const a = queue('/auth/ok', {}, withCreds('p@ss:w0rd é'));
    a.q.push('x');
    await a.done(1);
    assert.deepEqual(a.log, ['sent 1']);
    assert.equal(hits.get('/auth/ok')![0].authorization, GOOD_AUTH);
    assert.equal(JSON.parse(hits.get('/auth/ok')![0].body).item, 'x');

    const b = queue('/auth/ok', { maxAttempts: 1 }, withCreds('wrong-secret-42'));
    b.q.push('y');
    await b.done(1);
    assert.equal(b.log.length, 2);
    assert.match(b.log[0], /^error 1: cannot send test to http:\/\/am:\*\*\*@127\.0\.0\.1:\d+\/auth\/ok: HTTP 401 unauthorized$/);
    assert.ok(!b.log.join('\n').includes('wrong-secret-42'), b.log.join('\n'));
  });

  it('names an unreachable receiver without its credentials', async () => {
    const { q, log, done } = queue('/x', { maxAttempts: 1, timeoutMs: 2000 }, 'http://am:hunter2-secret@127.0.0.1:1/api?token=t0ps3cret');
    q.push('z');
    await done(1);
    assert.match(log[0], /^error 1: cannot send test to http:\/\/am:\*\*\*@127\.0\.0\.1:1\/api\?token=\*\*\*: /);
    assert.ok(!/hunter2-secret|t0ps3cret/.test(log.join('\n')), log.join('\n'));
  });
});
