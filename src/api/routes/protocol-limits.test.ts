/**
 * The OTLP and Elasticsearch bulk limits come from configuration (ingest.otlp.*, ingest.elasticsearch.*).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import type { AppContext } from '../context.js';
import { loadConfig } from '../../config/load.js';
import { createLogger } from '../../telemetry/logger.js';
import { createMetrics } from '../../telemetry/metrics.js';
import { Semaphore } from '../../query/semaphore.js';
import { ingestLimits } from '../../modules.js';
import type { WriteBatch } from '../../model/entry.js';
import type { Queue } from '../../queue/queue.js';

describe('protocol limits from configuration', () => {
  let app: FastifyInstance;
  const appended: WriteBatch[] = [];
  before(async () => {
    const config = loadConfig({
      env: {
        LOGSENTINEL_INGEST_OTLP_MAX_RECORDS_PER_REQUEST: '2',
        LOGSENTINEL_INGEST_OTLP_MAX_ATTRIBUTES: '1',
        LOGSENTINEL_INGEST_ELASTICSEARCH_MAX_ITEMS: '2',
        LOGSENTINEL_INGEST_ELASTICSEARCH_MAX_FIELDS: '2',
      },
    });
    const queue: Queue = {
      name: 'fake',
      append: async (b: WriteBatch) => void appended.push(b),
      consume: () => undefined,
      depth: () => 0,
      close: async () => undefined,
    } as unknown as Queue;
    const ctx: AppContext = { config, logger: createLogger('silent'), metrics: createMetrics(), queue, limits: ingestLimits(config), querySlots: new Semaphore(1), ready: () => true, version: 'test' };
    app = await buildServer(ctx, { ingest: true, query: false });
  });
  after(async () => {
    await app.close();
  });

  const record = (attrs: number, line: string): unknown => ({
    timeUnixNano: String(Date.now() * 1e6),
    body: { stringValue: line },
    attributes: Array.from({ length: attrs }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v' } })),
  });
  const otlp = (records: unknown[]): string => JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: records }] }] });

  it('OTLP: records per request and attributes per record', async () => {
    let r = await app.inject({ method: 'POST', url: '/otlp/v1/logs', headers: { 'content-type': 'application/json' }, payload: otlp([record(0, 'a'), record(0, 'b'), record(0, 'c')]) });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(r.body, /2/);
    r = await app.inject({ method: 'POST', url: '/otlp/v1/logs', headers: { 'content-type': 'application/json' }, payload: otlp([record(1, 'ok'), record(2, 'too many attributes')]) });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((JSON.parse(r.body) as { partialSuccess: { rejectedLogRecords: string } }).partialSuccess.rejectedLogRecords, '1');
  });

  it('Elasticsearch bulk: items per request and fields per document', async () => {
    const body = ['{"index":{"_index":"a"}}', '{"message":"one"}', '{"index":{"_index":"a"}}', '{"message":"two","x":1,"y":2}', '{"index":{"_index":"a"}}', '{"message":"three"}', ''].join('\n');
    const r = await app.inject({ method: 'POST', url: '/_bulk', headers: { 'content-type': 'application/x-ndjson' }, payload: body });
    assert.equal(r.statusCode, 200, r.body);
    const items = (JSON.parse(r.body) as { items: Array<{ index: { status: number } }> }).items.map((i) => i.index.status);
    assert.deepEqual(items, [201, 400, 429]);
  });
});
