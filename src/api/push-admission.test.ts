/**
 * Backpressure by latency through the real routes: once a push has waited longer than
 * ingest.maxPushWait (here the store hangs), further pushes are refused at once, each protocol in
 * its own shape, with Retry-After; when the queue drains, pushes are accepted again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './server.js';
import type { AppContext } from './context.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { Semaphore } from '../query/semaphore.js';
import { ingestLimits } from '../modules.js';
import type { Queue } from '../queue/queue.js';
import { RetryInfoType, StatusType } from '../ingest/otlp/schema.js';
import { encodeOtlpProtobuf } from '../ingest/otlp/testing/payloads.js';

describe('push admission by latency', () => {
  let app: FastifyInstance;
  const held: Array<() => void> = [];
  let hang = true;
  before(async () => {
    const config = loadConfig({ env: { LOGSENTINEL_INGEST_MAX_PUSH_WAIT: '50ms' } });
    const queue = {
      name: 'stuck',
      append: () => (hang ? new Promise<void>((resolve) => held.push(resolve)) : Promise.resolve()),
      consume: () => undefined,
      depth: () => 0,
      close: async () => undefined,
    } as unknown as Queue;
    const ctx: AppContext = { config, logger: createLogger('silent'), metrics: createMetrics(), queue, limits: ingestLimits(config), querySlots: new Semaphore(1), ready: () => true, version: 'test' };
    app = await buildServer(ctx, { ingest: true, query: false });
  });
  after(async () => {
    held.splice(0).forEach((r) => r());
    await app.close();
  });

  const loki = JSON.stringify({ streams: [{ stream: { app: 'a' }, values: [[String(Date.now() * 1e6), 'line']] }] });

  it('refuses pushes in each protocol’s shape while one has waited past the bound, then accepts again', async () => {
    // The first push is admitted and hangs in the queue; wait until it has waited past 50 ms.
    const first = app.inject({ method: 'POST', url: '/loki/api/v1/push', headers: { 'content-type': 'application/json' }, payload: loki });
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 120));

    const l = await app.inject({ method: 'POST', url: '/loki/api/v1/push', headers: { 'content-type': 'application/json' }, payload: loki });
    assert.equal(l.statusCode, 429);
    assert.ok(Number(l.headers['retry-after']) >= 1);
    assert.match(l.body, /^cannot accept push: it would wait about \d+\.\ds .*\(ingest\.maxPushWait\)/);

    const o = await app.inject({ method: 'POST', url: '/v1/logs', headers: { 'content-type': 'application/x-protobuf' }, payload: encodeOtlpProtobuf({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }] }) });
    assert.equal(o.statusCode, 429);
    const status = StatusType.toObject(StatusType.decode(o.rawPayload), { bytes: Buffer }) as { code: number; details: Array<{ typeUrl: string; value: Buffer }> };
    assert.equal(status.code, 8);
    assert.equal(status.details[0].typeUrl, 'type.googleapis.com/google.rpc.RetryInfo');
    assert.equal(Number((RetryInfoType.toObject(RetryInfoType.decode(status.details[0].value), { longs: Number }) as { retryDelay: { seconds: number } }).retryDelay.seconds), Number(o.headers['retry-after']));

    const e = await app.inject({ method: 'POST', url: '/_bulk', headers: { 'content-type': 'application/x-ndjson' }, payload: '{"index":{"_index":"a","_id":"1"}}\n{"message":"m"}\n{"delete":{"_index":"a","_id":"2"}}\n' });
    assert.equal(e.statusCode, 200);
    assert.ok(Number(e.headers['retry-after']) >= 1);
    const bulk = e.json() as { errors: boolean; items: Array<Record<string, { _id: string; status: number; error: { type: string } }>> };
    assert.equal(bulk.errors, true);
    assert.deepEqual(bulk.items.map((it) => Object.entries(it).map(([op, v]) => [op, v._id, v.status, v.error.type])[0]), [
      ['index', '1', 429, 'es_rejected_execution_exception'],
      ['delete', '2', 429, 'es_rejected_execution_exception'],
    ]);

    // The store catches up: pushes are admitted again.
    hang = false;
    held.splice(0).forEach((r) => r());
    assert.equal((await first).statusCode, 204);
    const again = await app.inject({ method: 'POST', url: '/loki/api/v1/push', headers: { 'content-type': 'application/json' }, payload: loki });
    assert.equal(again.statusCode, 204);
  });
});
