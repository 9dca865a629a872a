/**
 * Hostile load against the real server (docs/limits.md): slow and abundant connections are cut
 * and counted, compression bombs are refused in every protocol's shape, queries are bounded in
 * output, memory and time. Behaviour only; the figures are in bench/*.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { startServer, removeDir, type ServerHandle } from './harness.js';

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** A raw connection from `localAddress`; resolves when connected. */
async function connect(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1', localAddress });
  s.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  return s;
}

/** Everything the server sends on `s` until it closes the connection. */
function untilClosed(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.once('close', () => resolve(data));
  });
}

async function closedCount(s: ServerHandle, reason: string): Promise<number> {
  const m = await (await fetch(s.url + '/metrics')).text();
  return Number(new RegExp(`^http_connections_closed_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(m)?.[1] ?? 0);
}

describe('hostile load', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer({
      env: {
        LOGSENTINEL_SERVER_HEADERS_TIMEOUT: '1s',
        LOGSENTINEL_SERVER_REQUEST_TIMEOUT: '3s',
        LOGSENTINEL_SERVER_MAX_CONNECTIONS_PER_CLIENT: '5',
        LOGSENTINEL_SERVER_MAX_REQUEST_BYTES: '1MiB',
        LOGSENTINEL_QUERY_MAX_TEMPLATE_OUTPUT: '4KiB',
        LOGSENTINEL_QUERY_MAX_MEMORY: '1MiB',
        LOGSENTINEL_INGEST_DECODE_INLINE_MAX: '256KiB',
        LOGSENTINEL_SERVER_LOG_LEVEL: 'warn',
      },
    });
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('answers 408 to headers that trickle (slowloris) and to a body that never completes, counts and logs them', async () => {
    const slow = await connect(s.port);
    const headersAnswer = untilClosed(slow);
    slow.write('GET /ready HTTP/1.1\r\nHost: x\r\n');
    const t = setInterval(() => slow.writable && slow.write('X-Slow: 1\r\n'), 200);
    const got = await headersAnswer;
    clearInterval(t);
    assert.match(got, /^HTTP\/1\.1 408 /);
    assert.match(got, /server\.headersTimeout/);

    const trickle = await connect(s.port);
    const bodyAnswer = untilClosed(trickle);
    trickle.write('POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    const t2 = setInterval(() => trickle.writable && trickle.write(' '), 200);
    const got2 = await bodyAnswer;
    clearInterval(t2);
    assert.match(got2, /^HTTP\/1\.1 408 /);
    assert.match(got2, /server\.requestTimeout/);

    assert.ok((await closedCount(s, 'headers_timeout')) >= 1);
    assert.ok((await closedCount(s, 'request_timeout')) >= 1);
    // One summary line, not one per connection.
    for (let i = 0; i < 100 && !/HTTP connections refused, evicted or timed out/.test(s.output()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(s.output(), /"closed":\{[^}]*"headers_timeout":1/);
  });

  it('keeps a client to its connection cap by evicting its idle connections, while others get in', async () => {
    const before = await closedCount(s, 'evicted');
    const idle = await Promise.all(Array.from({ length: 12 }, () => connect(s.port, '127.0.0.2')));
    const closed = idle.map(untilClosed);
    // Seven of twelve had to go to keep the address at five.
    for (let i = 0; i < 100 && idle.filter((x) => x.destroyed || x.readableEnded).length < 7; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(idle.filter((x) => x.destroyed || x.readableEnded).length, 7);
    const ready = await fetch(s.url + '/ready');
    assert.equal(ready.status, 200);
    assert.equal((await closedCount(s, 'evicted')) - before, 7);
    idle.forEach((x) => x.destroy());
    await Promise.all(closed);
  });

  it('refuses compression bombs with 413 in each protocol’s shape and stays ready', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, ' '));
    const send = (path: string, contentType: string): Promise<Response> =>
      fetch(s.url + path, { method: 'POST', headers: { 'content-type': contentType, 'content-encoding': 'gzip' }, body: bomb });
    const loki = await send('/loki/api/v1/push', 'application/json');
    assert.equal(loki.status, 413);
    assert.match(await loki.text(), /^cannot decompress push request: decompressed body exceeds the limit of 1048576 bytes/);
    const otlp = await send('/v1/logs', 'application/json');
    assert.equal(otlp.status, 413);
    assert.deepEqual(await otlp.json(), { code: 8, message: 'cannot decompress OTLP logs request: decompressed body exceeds the limit of 1048576 bytes' });
    const es = await send('/_bulk', 'application/x-ndjson');
    assert.equal(es.status, 413);
    assert.equal(((await es.json()) as { error: { type: string } }).error.type, 'content_too_long_exception');
    const jl = await send('/api/v1/push/jsonlines', 'application/x-ndjson');
    assert.equal(jl.status, 413);
    await jl.text();
    assert.equal((await fetch(s.url + '/ready')).status, 200);
  });

  it('decodes a large body on a worker thread exactly as a small one on the event loop', async () => {
    const values = Array.from({ length: 3000 }, (_, i) => [String(nowNs() - BigInt(i)), `level=info big=${'x'.repeat(100)} n=${i}`, { i: String(i) }]);
    const body = JSON.stringify({ streams: [{ stream: { service: 'large-body' }, values }] });
    assert.ok(body.length > 256 * 1024, 'above ingest.decodeInlineMax');
    const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(r.status, 204, await r.text());
    const q = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{service="large-body"} | logfmt | n="2999"', since: '1h', limit: '10' }), {
      headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
    });
    const j = (await q.json()) as { data: { result: Array<{ values: Array<[string, string, { structuredMetadata: Record<string, string> }]> }> } };
    assert.equal(j.data.result.length, 1);
    assert.equal(j.data.result[0].values[0][1], `level=info big=${'x'.repeat(100)} n=2999`);
    assert.deepEqual(j.data.result[0].values[0][2].structuredMetadata, { i: '2999', detected_level: 'info' });
  });

  it('bounds queries: template output and memory fail with 400 naming the limit', async () => {
    const push = await fetch(s.url + '/loki/api/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { service: 'amp' }, values: Array.from({ length: 3000 }, (_, i) => [String(nowNs() - BigInt(i)), `id=${i} msg=hello`]) }] }),
    });
    assert.equal(push.status, 204);
    const q = async (query: string): Promise<{ status: number; text: string }> => {
      const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query, since: '1h', limit: '10', step: '60' }));
      return { status: r.status, text: await r.text() };
    };
    const tpl = await q('{service="amp"} | line_format `{{ printf "%999999999s" __line__ }}`');
    assert.equal(tpl.status, 400);
    assert.match(tpl.text, /printf width would produce 999999999 characters, more than the limit of 4096 per line \(query\.maxTemplateOutput\)/);
    const mem = await q('count_over_time({service="amp"} | logfmt [1h])');
    assert.equal(mem.status, 400);
    assert.match(mem.text, /cannot run query: it needs more than 1 MiB of memory .*\(query\.maxMemory\)/);
    const fine = await q('sum(count_over_time({service="amp"} | logfmt [1h]))');
    assert.equal(fine.status, 200, fine.text);
  });
});
