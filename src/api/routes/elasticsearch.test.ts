/**
 * The Elasticsearch routes on a bare Fastify instance with a fake queue: answers, headers and
 * error shapes as clients see them, backpressure, size limits, filter_path, the probe endpoints,
 * and malformed bodies over HTTP.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { gzipSync } from 'node:zlib';
import { applyFilterPath, elasticsearchRoutes } from './elasticsearch.js';
import type { AppContext } from '../context.js';
import { loadConfig } from '../../config/load.js';
import { createMetrics } from '../../telemetry/metrics.js';
import { createLogger } from '../../telemetry/logger.js';
import { Semaphore } from '../../query/semaphore.js';
import { ingestLimits } from '../../modules.js';
import { LogSentinelError } from '../../errors.js';
import type { WriteBatch } from '../../model/entry.js';
import type { Queue } from '../../queue/queue.js';
import { bodyGenerators } from '../../testing/es-bulk-fuzz.js';
import { fuzzer } from '../../testing/seeded-random.js';

const MAX_BODY = 256 * 1024;

class FakeQueue implements Queue {
  readonly name = 'fake';
  batches: WriteBatch[] = [];
  full = false;
  async append(batch: WriteBatch): Promise<void> {
    if (this.full) throw new LogSentinelError('QUEUE_FULL', 'cannot accept push: 9 entries are waiting to be committed (limit 9)', { retryAfter: 2 });
    this.batches.push(batch);
  }
  consume(): void {}
  depth(): number {
    return 0;
  }
  async close(): Promise<void> {}
}

const nd = (...lines: unknown[]): string => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

describe('elasticsearch routes', () => {
  let app: FastifyInstance;
  let ctx: AppContext;
  let queue: FakeQueue;
  before(async () => {
    const config = loadConfig({ env: {} });
    config.server.maxRequestBytes = MAX_BODY;
    queue = new FakeQueue();
    ctx = {
      config,
      logger: createLogger('silent'),
      metrics: createMetrics(),
      queue,
      limits: ingestLimits(config),
      querySlots: new Semaphore(1),
      ready: () => true,
      version: 'test',
    };
    app = Fastify({ bodyLimit: MAX_BODY }) as unknown as FastifyInstance;
    await app.register(async (scope) => elasticsearchRoutes(scope, ctx));
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  it('answers a bulk request in Elasticsearch format and queues the documents', async () => {
    const before = queue.batches.length;
    const res = await app.inject({
      method: 'POST',
      url: '/_bulk',
      headers: { 'content-type': 'application/vnd.elasticsearch+x-ndjson; compatible-with=9', accept: 'application/vnd.elasticsearch+json; compatible-with=9' },
      payload: nd({ index: { _index: 'app', _id: 'a' } }, { message: 'hello', '@timestamp': '2023-11-14T22:13:20Z' }, { delete: { _index: 'app', _id: 'a' } }),
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-elastic-product'], 'Elasticsearch');
    assert.equal(res.headers['content-type'], 'application/vnd.elasticsearch+json; compatible-with=9');
    const body = res.json();
    assert.equal(typeof body.took, 'number');
    assert.equal(body.errors, true);
    const created = body.items[0].index;
    assert.equal(typeof created._seq_no, 'number');
    delete created._seq_no;
    assert.deepEqual(created, { _index: 'app', _id: 'a', _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _primary_term: 1, status: 201 });
    assert.equal(body.items[1].delete.status, 400);
    assert.equal(body.items[1].delete.error.type, 'illegal_argument_exception');
    assert.equal(queue.batches.length, before + 1);
    assert.deepEqual(queue.batches.at(-1)!.streams.map((s) => [s.key, s.entries.map((e) => [e.ts, e.line, e.metadata])]), [
      ['{index="app"}', [[1700000000000000000n, 'hello', { _id: 'a' }]]],
    ]);
    const metrics = await ctx.metrics.registry.metrics();
    assert.match(metrics, /logs_received_total\{tenant="default",protocol="elasticsearch"\} 1/);
    assert.match(metrics, /logs_rejected_total\{tenant="default",protocol="elasticsearch",reason="invalid"\} 1/);
    assert.match(metrics, /logs_received_bytes_total\{protocol="elasticsearch"\} \d+/);
  });

  it('takes the index from the path, PUT as POST, gzip, any content type, and X-Scope-OrgID', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/logs-web-default/_bulk?refresh=false&pipeline=x',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-scope-orgid': 'team-a' },
      payload: gzipSync(nd({ create: {} }, { message: 'zipped' })),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/json; charset=UTF-8');
    assert.equal(res.json().items[0].create._index, 'logs-web-default');
    const b = queue.batches.at(-1)!;
    assert.deepEqual([b.tenant, b.streams[0].key, b.streams[0].entries[0].line], ['team-a', '{index="logs-web-default"}', 'zipped']);
  });

  it('applies filter_path as Beats and Logstash send it', async () => {
    const f = async (filter: string, payload: string, want: unknown): Promise<void> => {
      const res = await app.inject({ method: 'POST', url: '/_bulk?filter_path=' + encodeURIComponent(filter), payload, headers: { 'content-type': 'application/x-ndjson' } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), want);
    };
    const good = nd({ index: { _index: 'a' } }, { message: 'm' });
    const mixed = nd({ index: { _index: 'a' } }, { message: 'm' }, { index: { _index: 'A' } }, { message: 'm' });
    const badIndex = { type: 'invalid_index_name_exception', reason: 'Invalid index name [A], must be lowercase' };
    await f('errors,items.*.error,items.*.status', good, { errors: false, items: [{ index: { status: 201 } }] });
    await f('errors,items.*.error,items.*.status', mixed, { errors: true, items: [{ index: { status: 201 } }, { index: { status: 400, error: badIndex } }] });
    await f('errors,items.*.error', good, { errors: false });
    await f('errors,items.*.error', mixed, { errors: true, items: [{ index: { error: badIndex } }] });
    await f('items.**.status', good, { items: [{ index: { status: 201 } }] });
    await f('nothing', good, {});
  });

  it('applyFilterPath keeps what the paths name', () => {
    const body = { took: 3, errors: false, items: [{ index: { _id: 'a', status: 201, _shards: { total: 1 } } }] };
    const f = (filter: string | undefined, want: unknown): void => assert.deepEqual(applyFilterPath(body, filter), want, filter);
    f(undefined, body);
    f('', body);
    f('took', { took: 3 });
    f('took,errors', { took: 3, errors: false });
    f('t*', { took: 3 });
    f('items.*._id', { items: [{ index: { _id: 'a' } }] });
    f('**.total', { items: [{ index: { _shards: { total: 1 } } }] });
    f('items.index', { items: [{ index: body.items[0].index }] });
    f('-took', body); // exclusions are not supported: unfiltered
  });

  it('answers every item 429 (es_rejected_execution_exception) with Retry-After when the queue is full, and nothing is half-stored', async () => {
    queue.full = true;
    const before = queue.batches.length;
    try {
      const payload = nd({ index: { _index: 'a' } }, { message: 'm' }, { index: { _index: 'A' } }, { message: 'bad index' }, { create: { _index: 'b' } }, { message: 'n' });
      const res = await app.inject({ method: 'POST', url: '/_bulk', payload, headers: { 'content-type': 'application/x-ndjson' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['retry-after'], '2');
      assert.equal(res.headers['x-elastic-product'], 'Elasticsearch');
      const body = res.json();
      assert.equal(body.errors, true);
      const items = body.items as Array<Record<string, { status: number; error?: { type: string; reason: string } }>>;
      assert.deepEqual(items.map((it) => Object.keys(it)[0]), ['index', 'index', 'create']);
      assert.deepEqual(items.map((it) => Object.values(it)[0].status), [429, 400, 429]);
      assert.equal(items[0].index.error?.type, 'es_rejected_execution_exception');
      assert.match(items[0].index.error?.reason ?? '', /cannot accept push/);
      assert.equal(items[1].index.error?.type, 'invalid_index_name_exception');
      assert.equal(queue.batches.length, before);
    } finally {
      queue.full = false;
    }
  });

  it('answers whole-request errors in Elasticsearch shape', async () => {
    const f = async (payload: string | Buffer, headers: Record<string, string>, status: number, type: string, reason: RegExp): Promise<void> => {
      const res = await app.inject({ method: 'POST', url: '/_bulk', payload, headers: { 'content-type': 'application/x-ndjson', ...headers } });
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.headers['x-elastic-product'], 'Elasticsearch');
      const body = res.json();
      assert.equal(body.status, status);
      assert.equal(body.error.type, type);
      assert.match(body.error.reason, reason);
      assert.deepEqual(body.error.root_cause, [{ type, reason: body.error.reason }]);
    };
    await f('', {}, 400, 'action_request_validation_exception', /no requests added/);
    await f('{"index":{}}x\n', {}, 400, 'parse_exception', /Malformed action\/metadata line \[1\]/);
    await f(nd({ upsert: {} }), {}, 400, 'illegal_argument_exception', /expected one of \[create, delete, index, update\] but found \[upsert\]/);
    await f(Buffer.alloc(MAX_BODY + 1, 32), {}, 413, 'content_too_long_exception', /larger than the limit of 262144 bytes/);
    await f(gzipSync(Buffer.alloc(ctx.limits.maxDecompressedBodySize + 1, 32)), { 'content-encoding': 'gzip' }, 413, 'content_too_long_exception', /exceeds the limit/);
    await f('x', { 'content-encoding': 'br' }, 415, 'illegal_argument_exception', /Content-Encoding "br" not supported/);
    await f('{"index":{"_index":"a"}}\n{}\n', { 'x-scope-orgid': 'a|b' }, 400, 'illegal_argument_exception', /exactly one tenant/);
  });

  it('answers the endpoints shippers probe', async () => {
    const get = async (url: string, method: 'GET' | 'HEAD' | 'PUT' = 'GET', payload?: unknown): Promise<{ status: number; body: unknown }> => {
      const res = await app.inject({ method, url, payload: payload === undefined ? undefined : JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
      assert.equal(res.headers['x-elastic-product'], 'Elasticsearch', url);
      return { status: res.statusCode, body: res.body === '' ? undefined : res.json() };
    };
    const lic = await get('/_license?human=false');
    assert.deepEqual([lic.status, (lic.body as { license: { type: string; status: string } }).license.type, (lic.body as { license: { status: string } }).license.status], [200, 'basic', 'active']);
    const xpack = (await get('/_xpack')).body as { features: { ilm: { available: boolean } }; license: { mode: string } };
    assert.deepEqual([xpack.license.mode, xpack.features.ilm.available], ['basic', true]);
    assert.equal(((await get('/_cluster/health')).body as { status: string }).status, 'green');
    assert.equal(((await get('/_cluster/health/logs-*?wait_for_status=yellow')).body as { status: string }).status, 'green');
    const nodes = (await get('/_nodes/_all/http')).body as { nodes: Record<string, { http: { publish_address: string } }> };
    assert.equal(nodes.nodes.logsentinel.http.publish_address, 'localhost:80');

    assert.equal((await get('/_index_template/filebeat-8.17.0', 'HEAD')).status, 404);
    const missing = await get('/_index_template/filebeat-8.17.0');
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { error: { type: string } }).error.type, 'resource_not_found_exception');
    const tpl = { index_patterns: ['filebeat-8.17.0'], data_stream: {}, priority: 150 };
    assert.deepEqual(await get('/_index_template/filebeat-8.17.0', 'PUT', tpl), { status: 200, body: { acknowledged: true } });
    assert.equal((await get('/_index_template/filebeat-8.17.0', 'HEAD')).status, 200);
    assert.deepEqual((await get('/_index_template/filebeat-*')).body, { index_templates: [{ name: 'filebeat-8.17.0', index_template: tpl }] });

    assert.equal((await get('/_template/logstash', 'HEAD')).status, 404);
    assert.deepEqual((await get('/_template/logstash', 'PUT', { index_patterns: ['logstash-*'] })).body, { acknowledged: true });
    assert.deepEqual((await get('/_template/logstash')).body, { logstash: { index_patterns: ['logstash-*'] } });

    assert.equal((await get('/_ilm/policy/filebeat')).status, 404);
    const policy = { policy: { phases: { hot: { actions: {} } } } };
    assert.deepEqual((await get('/_ilm/policy/filebeat', 'PUT', policy)).body, { acknowledged: true });
    assert.deepEqual((await get('/_ilm/policy/filebeat')).body, { filebeat: { version: 1, modified_date: '2026-01-01T00:00:00.000Z', policy: policy.policy } });
    const bad = await app.inject({ method: 'PUT', url: '/_ilm/policy/x', payload: '{nope', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.type, 'parse_exception');
  });

  it('answers malformed bodies over HTTP with 200 per-item errors or a 4xx, never a crash', async () => {
    const gens = bodyGenerators(fuzzer(7));
    const names = Object.keys(gens).filter((n) => n !== 'gzipBomb' && n !== 'hugeArrays');
    const seen = new Map<number, number>();
    for (let i = 0; i < 700; i++) {
      const res = await app.inject({ method: 'POST', url: '/_bulk', payload: gens[names[i % names.length]](), headers: { 'content-type': 'application/x-ndjson' } });
      seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
      assert.equal(res.headers['x-elastic-product'], 'Elasticsearch');
      const body = res.json();
      if (res.statusCode === 200) {
        assert.equal(typeof body.errors, 'boolean');
        assert.ok(Array.isArray(body.items) && body.items.length > 0);
      } else {
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `case ${i}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        assert.equal(body.status, res.statusCode);
        assert.equal(typeof body.error.type, 'string');
      }
    }
    assert.deepEqual([...seen.keys()].sort(), [200, 400]);
  });
});
