/**
 * The tail route before its store is open (a server just restarting): the upgrade is refused with
 * 503 and Retry-After, so clients retry, instead of a socket closed with an internal error.
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

describe('tail route while the store is opening', () => {
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
    app = await buildServer(ctx, { ingest: false, query: true });
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
});
