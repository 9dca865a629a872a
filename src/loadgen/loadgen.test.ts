import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { runLoadgen } from './loadgen.js';
import type { LoadgenProtocol } from './request-body.js';
import { decodeLokiPush } from '../ingest/loki-push.js';
import { decodeJsonLines } from '../ingest/jsonlines.js';
import { DEFAULT_INGEST_LIMITS } from '../ingest/common/limits.js';

interface Received {
  lines: number;
  requests: number;
  paths: Set<string>;
  tenants: Set<string>;
  services: Set<string>;
  /** Every stream label set seen, as sorted `name=value` lists. */
  streams: Set<string>;
  rejectedByDecoder: number;
}

/** A throwaway push server that decodes with the real decoders; `answer` picks the status. */
async function withServer(answer: (n: number) => number, fn: (url: string, got: Received) => Promise<void>): Promise<void> {
  const got: Received = { lines: 0, requests: 0, paths: new Set(), tenants: new Set(), services: new Set(), streams: new Set(), rejectedByDecoder: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const now = BigInt(Date.now()) * 1_000_000n;
      const tenant = String(req.headers['x-scope-orgid'] ?? 'default');
      const r = req.headers['content-type'] === 'application/x-ndjson'
        ? decodeJsonLines(body, req.headers['content-encoding'], tenant, DEFAULT_INGEST_LIMITS, now)
        : decodeLokiPush(body, req.headers['content-type'], req.headers['content-encoding'], tenant, DEFAULT_INGEST_LIMITS, now);
      const status = answer(++got.requests);
      if (status < 300) got.lines += r.accepted;
      got.rejectedByDecoder += r.rejectedEntries;
      got.paths.add(req.url ?? '');
      got.tenants.add(tenant);
      for (const s of r.batch.streams) {
        got.services.add(s.labels.service ?? '');
        got.streams.add(Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).sort().join(','));
      }
      if (status === 429) res.setHeader('Retry-After', '0');
      res.statusCode = status;
      res.end(status < 300 ? '' : 'go away');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, got);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('runLoadgen delivers every line in each protocol', async () => {
  const f = async (protocol: LoadgenProtocol, wantPath: string): Promise<void> => {
    await withServer(() => 204, async (url, got) => {
      const out = new PassThrough();
      let printed = '';
      out.on('data', (c: Buffer) => (printed += c.toString()));
      const s = await runLoadgen({ url, rate: 4000, duration: 0.5, services: 5, batch: 150, protocol, tenant: 'acme', concurrency: 3, out });
      assert.equal(s.sent, 2000);
      assert.equal(s.accepted, 2000);
      assert.equal(s.rejected, 0);
      assert.equal(s.errors, 0);
      assert.equal(s.requests, 14); // 13 full batches of 150 and one of 50
      assert.equal(got.lines, 2000);
      assert.equal(got.rejectedByDecoder, 0);
      assert.deepEqual([...got.paths], [wantPath]);
      assert.deepEqual([...got.tenants], ['acme']);
      assert.equal(got.services.size, 5);
      assert.match(printed, /sent=2000 accepted=2000 rejected=0 errors=0/);
      assert.match(printed, /latency p99/);
    });
  };
  await f('loki-protobuf', '/loki/api/v1/push');
  await f('loki-json', '/loki/api/v1/push');
  await f('jsonlines', '/api/v1/push/jsonlines');
});

test('runLoadgen counts 429 and 4xx as rejected and 5xx as errors', async () => {
  await withServer((n) => (n % 4 === 1 ? 429 : n % 4 === 2 ? 400 : n % 4 === 3 ? 503 : 204), async (url, got) => {
    const s = await runLoadgen({ url: url + '/custom/push', rate: 10_000, duration: 0.2, services: 2, batch: 100, protocol: 'loki-json', concurrency: 1 });
    assert.equal(s.requests, 20);
    assert.equal(s.sent, 2000);
    assert.equal(s.rejected, 1000); // 429s and 400s
    assert.equal(s.errors, 5); // 503 requests
    assert.equal(s.accepted, 500);
    assert.equal(got.lines, 500);
    assert.deepEqual([...got.paths], ['/custom/push']);
    assert.ok(s.errorSamples.some((e) => e.startsWith('HTTP 429')));
  });
});

test('runLoadgen counts an unreachable server as errors', async () => {
  const s = await runLoadgen({ url: 'http://127.0.0.1:1', rate: 1000, duration: 0.1, services: 1, batch: 50, protocol: 'loki-protobuf', concurrency: 2 });
  assert.equal(s.sent, 100);
  assert.equal(s.errors, 2);
  assert.equal(s.accepted, 0);
});

test('runLoadgen sends exactly count lines, with one service name and extra labels', async () => {
  await withServer(() => 204, async (url, got) => {
    const s = await runLoadgen({ url, rate: 100_000, duration: 60, count: 1234, services: 4, service: 'load-test', labels: { agent: 'a1' }, batch: 100, protocol: 'loki-json' });
    assert.equal(s.sent, 1234);
    assert.equal(s.accepted, 1234);
    assert.equal(got.lines, 1234);
    assert.deepEqual([...got.services], ['load-test']);
    assert.ok(got.streams.size > 1, 'line shapes still spread over several streams');
    for (const st of got.streams) assert.match(st, /(^|,)agent=a1(,|$)/);
  });
});

test('runLoadgen with duration 0 sends until aborted, then returns its summary', async () => {
  await withServer(() => 204, async (url, got) => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 500);
    const s = await runLoadgen({ url, rate: 2000, duration: 0, services: 1, batch: 20, protocol: 'loki-json', signal: stop.signal, concurrency: 2 });
    assert.equal(s.errors, 0);
    assert.ok(s.accepted > 0);
    assert.equal(s.accepted, got.lines);
    assert.equal(s.sent, s.accepted);
  });
});

test('an abort wakes a loadgen waiting for its rate', { timeout: 30_000 }, async () => {
  await withServer(() => 204, async (_url, got) => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    // One line per 1000 s: without the wake-up the first batch would wait for hours (the test times out).
    const s = await runLoadgen({ url: _url, rate: 0.001, duration: 0, services: 1, batch: 50, protocol: 'loki-json', signal: stop.signal });
    assert.equal(s.sent, 0);
    assert.equal(got.requests, 0);
  });
});

test('runLoadgen refuses nonsense options', async () => {
  const f = async (o: Partial<Parameters<typeof runLoadgen>[0]>): Promise<void> => {
    await assert.rejects(runLoadgen({ url: 'http://127.0.0.1:1', rate: 10, duration: 1, services: 1, batch: 1, protocol: 'loki-json', ...o }), /cannot run loadgen/);
  };
  await f({ rate: 0 });
  await f({ duration: -1 });
  await f({ count: 0 });
  await f({ batch: 0 });
});
