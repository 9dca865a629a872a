/**
 * A server that listens before its store and queue are open (it is just starting): queries, the
 * tail upgrade and every push protocol answer 503 with Retry-After, so clients retry — not a 404
 * or a socket closed with an internal error.
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
import { TailHub } from '../../query/tail/index.js';

describe('routes while the server is starting', () => {
  let app: FastifyInstance;
  before(async () => {
    const config = loadConfig({ env: {} });
    const ctx: AppContext = {
      config,
      logger: createLogger('silent'),
      metrics: createMetrics(),
      limits: ingestLimits(config),
      querySlots: new Semaphore(1),
      ready: () => false,
      tailHub: new TailHub(),
      version: 'test',
    };
    app = await buildServer(ctx, { ingest: true, query: true });
  });
  after(async () => {
    await app.close();
  });

  it('refuses the upgrade with 503 and Retry-After', async () => {
    const r = await app.inject({
      method: 'GET',
      url: '/loki/api/v1/tail?query=' + encodeURIComponent('{app="a"}'),
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    assert.equal(r.statusCode, 503);
    assert.equal(r.headers['retry-after'], '1');
    assert.match(r.body, /store is still opening/);
  });

  it('refuses queries and pushes of every protocol with 503 and Retry-After', async () => {
    const cases: Array<{ method: 'GET' | 'POST'; url: string; type?: string; body?: string; want: RegExp }> = [
      { method: 'GET', url: '/loki/api/v1/query_range?query=' + encodeURIComponent('{app="a"}'), want: /store is still opening/ },
      { method: 'POST', url: '/loki/api/v1/push', type: 'application/json', body: '{"streams":[{"stream":{"a":"b"},"values":[["1","x"]]}]}', want: /ingest queue is still opening/ },
      { method: 'POST', url: '/api/v1/push/jsonlines', type: 'application/x-ndjson', body: '{"_msg":"x"}\n', want: /ingest queue is still opening/ },
      { method: 'POST', url: '/otlp/v1/logs', type: 'application/json', body: '{"resourceLogs":[]}', want: /ingest queue is still opening/ },
      { method: 'POST', url: '/_bulk', type: 'application/x-ndjson', body: '{"index":{"_index":"a"}}\n{"message":"x"}\n', want: /ingest queue is still opening/ },
    ];
    for (const c of cases) {
      const r = await app.inject({ method: c.method, url: c.url, headers: c.type ? { 'content-type': c.type } : {}, payload: c.body });
      assert.equal(r.statusCode, 503, `${c.url}: ${r.body}`);
      assert.equal(r.headers['retry-after'], '1', c.url);
      assert.match(r.body, c.want, c.url);
    }
  });
});
