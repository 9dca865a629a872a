/**
 * The OTLP/HTTP route over Fastify's inject: status codes, Status and ExportLogsServiceResponse
 * bodies in the request's encoding, Retry-After on a full queue, and the metrics it counts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import type { AppContext } from '../context.js';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../telemetry/logger.js';
import { createMetrics, type Metrics } from '../../telemetry/metrics.js';
import { Semaphore } from '../../query/semaphore.js';
import { ingestLimits } from '../../modules.js';
import { LogSentinelError } from '../../errors.js';
import type { WriteBatch } from '../../model/entry.js';
import type { Queue } from '../../queue/queue.js';
import { ExportLogsServiceResponseType, RetryInfoType, StatusType } from '../../ingest/otlp/schema.js';
import { encodeOtlpProtobuf, kv, type OtlpJsonRequest } from '../../ingest/otlp/testing/payloads.js';

const NOW_NS = BigInt(Date.now()) * 1_000_000n;

class FakeQueue implements Queue {
  readonly name = 'fake';
  batches: WriteBatch[] = [];
  full = false;
  async append(batch: WriteBatch): Promise<void> {
    if (this.full) throw new LogSentinelError('QUEUE_FULL', 'cannot accept push: 9 entries are waiting to be committed (limit 8)', { retryAfter: 3 });
    this.batches.push(batch);
  }
  consume(): void {}
  depth(): number {
    return 0;
  }
  async close(): Promise<void> {}
}

function request(lines: string[], service = 'api'): OtlpJsonRequest {
  return {
    resourceLogs: [{
      resource: { attributes: [kv('service.name', service), kv('k8s.pod.name', 'web-0')] },
      scopeLogs: [{ logRecords: lines.map((l, i) => ({ timeUnixNano: String(NOW_NS + BigInt(i)), severityNumber: 9, body: { stringValue: l } })) }],
    }],
  };
}

async function counter(m: Metrics, name: 'logsReceived' | 'logsRejected' | 'bytesReceived'): Promise<number> {
  const v = (await m[name].get()).values.filter((x) => x.labels.protocol === 'otlp');
  return v.reduce((n, x) => n + x.value, 0);
}

describe('OTLP/HTTP route', () => {
  let app: FastifyInstance;
  let queue: FakeQueue;
  let metrics: Metrics;
  before(async () => {
    const config = loadConfig({ env: { LOGSENTINEL_SERVER_MAX_REQUEST_BYTES: '64KiB', LOGSENTINEL_LIMITS_MAX_LINE_SIZE: '100' } });
    metrics = createMetrics();
    queue = new FakeQueue();
    const ctx: AppContext = {
      config,
      logger: createLogger('silent'),
      metrics,
      queue,
      limits: ingestLimits(config),
      querySlots: new Semaphore(1),
      ready: () => true,
      version: 'test',
    };
    app = await buildServer(ctx, { ingest: true, query: false });
  });
  after(async () => {
    await app.close();
  });

  const post = (url: string, body: Buffer | string, headers: Record<string, string>) => app.inject({ method: 'POST', url, payload: body, headers });

  it('accepts protobuf and JSON on both paths, answering in the request encoding', async () => {
    queue.batches = [];
    const pb = await post('/v1/logs', encodeOtlpProtobuf(request(['one'])), { 'content-type': 'application/x-protobuf' });
    assert.equal(pb.statusCode, 200);
    assert.equal(pb.headers['content-type'], 'application/x-protobuf');
    assert.equal(pb.rawPayload.length, 0);
    const js = await post('/otlp/v1/logs', JSON.stringify(request(['two'])), { 'content-type': 'application/json' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /^application\/json/);
    assert.deepEqual(js.json(), {});
    const gz = await post('/otlp/v1/logs', gzipSync(encodeOtlpProtobuf(request(['three']))), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip', 'x-scope-orgid': 'acme' });
    assert.equal(gz.statusCode, 200);
    assert.deepEqual(queue.batches.map((b) => [b.tenant, b.streams[0].key, b.streams[0].entries[0].line]), [
      ['default', '{k8s_pod_name="web-0", service="api"}', 'one'],
      ['default', '{k8s_pod_name="web-0", service="api"}', 'two'],
      ['acme', '{k8s_pod_name="web-0", service="api"}', 'three'],
    ]);
  });

  it('answers partial success when limits refuse some records, keeping the others', async () => {
    queue.batches = [];
    const received = await counter(metrics, 'logsReceived');
    const rejected = await counter(metrics, 'logsRejected');
    const req = request(['ok', 'x'.repeat(101), 'fine']);
    const js = await post('/v1/logs', JSON.stringify(req), { 'content-type': 'application/json' });
    assert.equal(js.statusCode, 200);
    const msg = "Max entry size '100' bytes exceeded for stream '{k8s_pod_name=\"web-0\", service=\"api\"}' while adding an entry with length '101' bytes";
    assert.deepEqual(js.json(), { partialSuccess: { rejectedLogRecords: '1', errorMessage: msg } });
    const pb = await post('/v1/logs', encodeOtlpProtobuf(req), { 'content-type': 'application/x-protobuf' });
    assert.equal(pb.statusCode, 200);
    assert.deepEqual(ExportLogsServiceResponseType.toObject(ExportLogsServiceResponseType.decode(pb.rawPayload), { longs: String }), {
      partialSuccess: { rejectedLogRecords: '1', errorMessage: msg },
    });
    assert.deepEqual(queue.batches.map((b) => b.streams[0].entries.map((e) => e.line)), [['ok', 'fine'], ['ok', 'fine']]);
    assert.equal((await counter(metrics, 'logsReceived')) - received, 4);
    assert.equal((await counter(metrics, 'logsRejected')) - rejected, 2);
    assert.ok((await counter(metrics, 'bytesReceived')) > 0);
  });

  it('answers errors with a google.rpc.Status in the request encoding', async () => {
    const f = async (body: Buffer | string, headers: Record<string, string>, status: number, code: number, message: RegExp, encoding: 'json' | 'protobuf'): Promise<void> => {
      const r = await post('/v1/logs', body, headers);
      assert.equal(r.statusCode, status, r.body);
      if (encoding === 'json') {
        assert.match(String(r.headers['content-type']), /^application\/json/);
        const s = r.json() as { code: number; message: string };
        assert.equal(s.code, code);
        assert.match(s.message, message);
      } else {
        assert.equal(r.headers['content-type'], 'application/x-protobuf');
        const s = StatusType.toObject(StatusType.decode(r.rawPayload)) as { code: number; message: string };
        assert.equal(s.code, code);
        assert.match(s.message, message);
      }
    };
    const pbh = { 'content-type': 'application/x-protobuf' };
    const jsh = { 'content-type': 'application/json' };
    await f('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"x"}]}]}]}', jsh, 400, 3, /^cannot parse OTLP logs request: resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.timeUnixNano: /, 'json');
    await f('{not json', jsh, 400, 3, /invalid JSON/, 'json');
    await f(Buffer.from([0x0a, 0x7f, 0x01]), pbh, 400, 3, /^cannot parse OTLP logs request: protobuf: resource logs overruns/, 'protobuf');
    await f('garbage', { ...pbh, 'content-encoding': 'gzip' }, 400, 3, /cannot decompress OTLP logs request/, 'protobuf');
    await f('x', { 'content-type': 'text/plain' }, 415, 3, /unsupported Content-Type "text\/plain"/, 'json');
    await f('x', { ...pbh, 'content-encoding': 'br' }, 415, 3, /Content-Encoding "br" not supported/, 'protobuf');
    await f(Buffer.alloc(65 * 1024), pbh, 413, 8, /body is larger than the limit of 65536 bytes/, 'protobuf');
    await f(gzipSync(Buffer.alloc(65 * 1024)), { ...jsh, 'content-encoding': 'gzip' }, 413, 8, /decompressed body exceeds the limit/, 'json');
    await f(encodeOtlpProtobuf(request(['x'])), { ...pbh, 'x-scope-orgid': 'a|b' }, 400, 3, /a push belongs to exactly one tenant/, 'protobuf');
  });

  it('answers malformed payloads with a 4xx and a decodable Status, never a 5xx', async () => {
    const good = encodeOtlpProtobuf(request(['a', 'b']));
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const body = Buffer.from(good);
      for (let k = 0; k < 1 + rand(3); k++) body[rand(body.length)] = rand(256);
      const cut = i % 3 === 0 ? body.subarray(0, rand(body.length)) : body;
      const json = i % 5 === 0;
      const r = await post('/v1/logs', json ? cut.toString('latin1') : cut, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      assert.ok(r.statusCode === 200 || r.statusCode === 400, `status ${r.statusCode}: ${r.body}`);
      if (r.statusCode === 200) continue;
      const s = json ? (r.json() as { code: number; message: string }) : (StatusType.toObject(StatusType.decode(r.rawPayload)) as { code: number; message: string });
      assert.equal(s.code, 3);
      assert.match(s.message, /^cannot (parse|decompress) OTLP logs request: /);
    }
    assert.ok((statuses.get(400) ?? 0) > 0);
  });

  it('answers 429 with Retry-After and RESOURCE_EXHAUSTED when the queue is full', async () => {
    queue.full = true;
    try {
      const r = await post('/v1/logs', encodeOtlpProtobuf(request(['x'])), { 'content-type': 'application/x-protobuf' });
      assert.equal(r.statusCode, 429);
      assert.equal(r.headers['retry-after'], '3');
      // The Status carries a google.rpc.RetryInfo detail with the same delay (OTLP throttling).
      const status = StatusType.toObject(StatusType.decode(r.rawPayload), { bytes: Buffer }) as { code: number; message: string; details: Array<{ typeUrl: string; value: Buffer }> };
      assert.equal(status.code, 8);
      assert.equal(status.message, 'cannot accept push: 9 entries are waiting to be committed (limit 8)');
      assert.equal(status.details.length, 1);
      assert.equal(status.details[0].typeUrl, 'type.googleapis.com/google.rpc.RetryInfo');
      assert.deepEqual(RetryInfoType.toObject(RetryInfoType.decode(status.details[0].value), { longs: Number }), { retryDelay: { seconds: 3 } });
      const j = await post('/v1/logs', JSON.stringify(request(['x'])), { 'content-type': 'application/json' });
      assert.equal(j.statusCode, 429);
      assert.equal(j.headers['retry-after'], '3');
      assert.deepEqual(j.json(), {
        code: 8,
        message: 'cannot accept push: 9 entries are waiting to be committed (limit 8)',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' }],
      });
    } finally {
      queue.full = false;
    }
  });
});
