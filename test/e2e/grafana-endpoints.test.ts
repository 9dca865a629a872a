/**
 * The Loki 3 endpoints Grafana 11–12 calls, replayed against a fresh server with the exact
 * request shapes Grafana sends: the Logs Drilldown app (grafana/logs-drilldown
 * src/services/datasource.ts, TagValuesProviders.ts: ISO start/end, `X-Query-Tags`,
 * `detected_labels` with an empty `query`, `index/volume` with `limit=5000`) and the Loki data
 * source's language provider (public/app/plugins/datasource/loki/LanguageProvider.ts:
 * nanosecond start/end, `limit=1000`, `detected_field/<name>/values`, `label/<name>/values`
 * with `query`, `series` with `match[]`), plus `format_query` and `drilldown-limits`.
 * The data: logfmt lines, JSON lines and OTLP records with attributes (structured metadata).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, removeDir, getJson, type ServerHandle } from './harness.js';
import { clusterUnavailable, eventually, useCluster } from './cluster-fixture.js';

const NOW_MS = Date.now();
const ns = (msAgo: number): string => String(BigInt(NOW_MS - msAgo) * 1_000_000n);
// Drilldown sends `request.range.{from,to}.utc().toISOString()`.
const ISO_START = new Date(NOW_MS - 3_600_000).toISOString();
const ISO_END = new Date(NOW_MS + 1_000).toISOString();
// The language provider sends `getTimeRangeParams`: nanoseconds.
const NS_START = ns(3_600_000);
const NS_END = ns(-1_000);
const TAGS = { 'X-Query-Tags': 'Source=grafana-lokiexplore-app' };

const CHECKOUT = '{service_name="checkout"}';
const API = '{service_name="api"}';
const OTEL = '{service="otel-svc"}';

async function pushLoki(s: ServerHandle): Promise<void> {
  const r = await fetch(s.url + '/loki/api/v1/push', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      streams: [
        {
          stream: { service_name: 'checkout', env: 'prod', cluster: 'eu-1', pod: 'checkout-1' },
          values: [
            [ns(60_000), 'method=GET status=200 duration=12ms size=2048KiB msg="order placed"', { trace_id: 'abc' }],
            [ns(50_000), 'method=POST status=500 duration=1.5s size=10MB msg="payment declined"', { trace_id: 'def' }],
            [ns(40_000), 'method=GET status=200 duration=3ms size=5 msg="order placed"'],
          ],
        },
        {
          stream: { service_name: 'checkout', env: 'dev', cluster: 'eu-1', pod: 'checkout-2' },
          values: [[ns(30_000), 'method=PUT status=201 duration=7ms size=1KB msg=ok']],
        },
        {
          stream: { service_name: 'api', env: 'prod', request_id: '7' },
          values: [
            [ns(45_000), '{"user":{"id":7,"name":"ann"},"latency":0.25,"ok":true,"path":"/cart"}'],
            [ns(35_000), '{"user":{"id":8,"name":"bob"},"latency":1,"ok":false,"path":"/pay"}'],
          ],
        },
        { stream: { service_name: 'api', env: 'prod', request_id: '8' }, values: [[ns(34_000), '{"user":{"id":9,"name":"cy"},"latency":2,"ok":true,"path":"/"}']] },
      ],
    }),
  });
  assert.equal(r.status, 204, await r.text());
}

async function pushOtlp(s: ServerHandle): Promise<void> {
  const record = (msAgo: number, body: string, status: number, customer: string): unknown => ({
    timeUnixNano: ns(msAgo),
    severityNumber: 17,
    severityText: 'ERROR',
    body: { stringValue: body },
    attributes: [
      { key: 'http.status_code', value: { intValue: String(status) } },
      { key: 'customer', value: { stringValue: customer } },
    ],
  });
  const r = await fetch(s.url + '/otlp/v1/logs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-svc' } }] },
          scopeLogs: [{ logRecords: [record(20_000, 'charge failed order=17 amount=12.5', 503, 'acme'), record(10_000, 'charge failed order=18 amount=3', 502, 'globex')] }],
        },
      ],
    }),
  });
  assert.equal(r.status, 200, await r.text());
}

interface Field {
  label: string;
  type: string;
  cardinality: number;
  parsers: string[] | null;
  jsonPath?: string[];
}

function field(body: { fields?: Field[] }, label: string): Field | undefined {
  return body.fields?.find((f) => f.label === label);
}

describe('the endpoints Grafana 11–12 calls, with its request shapes', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
    await pushLoki(s);
    await pushOtlp(s);
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  describe('detected_labels', () => {
    it('Drilldown: empty query, ISO range → every stream label worth filtering on, with cardinality', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/detected_labels', { end: ISO_END, query: '', start: ISO_START }, TAGS);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(Object.keys(body), ['detectedLabels']);
      const byName = Object.fromEntries(body.detectedLabels.map((l: { label: string; cardinality: number }) => [l.label, l.cardinality]));
      // request_id's values are all numbers (IDs): Loki leaves it out; cluster and pod are static labels.
      assert.deepEqual(byName, { cluster: 1, env: 2, pod: 2, service: 1, service_name: 2 });
      for (const l of body.detectedLabels) assert.deepEqual(Object.keys(l), ['label', 'cardinality']);
    });

    it('Drilldown: a selector narrows the streams', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/detected_labels', { end: ISO_END, query: CHECKOUT, start: ISO_START }, TAGS);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(body, {
        detectedLabels: [
          { label: 'cluster', cardinality: 1 },
          { label: 'env', cardinality: 2 },
          { label: 'pod', cardinality: 2 },
          { label: 'service_name', cardinality: 1 },
        ],
      });
    });

    it('language provider probe: nanosecond start/end only', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/detected_labels', { start: NS_START, end: NS_END });
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(Array.isArray(body.detectedLabels));
    });

    it('nothing matching → {} (Loki omits the empty list); a pipeline is refused', async () => {
      const none = await getJson(s, '/loki/api/v1/detected_labels', { query: '{service_name="nope"}', start: NS_START, end: NS_END });
      assert.equal(none.status, 200);
      assert.deepEqual(none.body, {});
      const bad = await getJson(s, '/loki/api/v1/detected_labels', { query: CHECKOUT + ' | json', start: NS_START, end: NS_END });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /only label matchers are supported/);
    });
  });

  describe('detected_fields', () => {
    it('Drilldown: logfmt lines → fields with parser, type and cardinality; metadata with parsers null', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/detected_fields', { end: ISO_END, query: CHECKOUT, start: ISO_START }, TAGS);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.limit, 1000);
      assert.deepEqual(field(body, 'method'), { label: 'method', type: 'string', cardinality: 3, parsers: ['logfmt'] });
      assert.deepEqual(field(body, 'status'), { label: 'status', type: 'int', cardinality: 3, parsers: ['logfmt'] });
      assert.deepEqual(field(body, 'duration'), { label: 'duration', type: 'duration', cardinality: 4, parsers: ['logfmt'] });
      assert.deepEqual(field(body, 'msg'), { label: 'msg', type: 'string', cardinality: 3, parsers: ['logfmt'] });
      assert.deepEqual(field(body, 'trace_id'), { label: 'trace_id', type: 'string', cardinality: 2, parsers: null });
      assert.equal(field(body, 'service_name'), undefined, 'stream labels are not fields');
      for (const f of body.fields) {
        assert.ok(['string', 'int', 'float', 'boolean', 'duration', 'bytes'].includes(f.type), JSON.stringify(f));
        assert.equal(typeof f.cardinality, 'number');
      }
    });

    it('language provider: nanoseconds and limit=1000; JSON lines give jsonPath', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/detected_fields', { start: NS_START, end: NS_END, limit: '1000', query: API });
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(field(body, 'user_id'), { label: 'user_id', type: 'int', cardinality: 3, parsers: ['json'], jsonPath: ['user', 'id'] });
      assert.deepEqual(field(body, 'user_name'), { label: 'user_name', type: 'string', cardinality: 3, parsers: ['json'], jsonPath: ['user', 'name'] });
      assert.deepEqual(field(body, 'ok'), { label: 'ok', type: 'boolean', cardinality: 2, parsers: ['json'], jsonPath: ['ok'] });
      assert.deepEqual(field(body, 'path'), { label: 'path', type: 'string', cardinality: 3, parsers: ['json'], jsonPath: ['path'] });
      assert.equal(field(body, 'latency')?.cardinality, 3);
    });

    it('OTLP records: attributes are structured metadata (parsers null), the body parses as logfmt', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/detected_fields', { start: NS_START, end: NS_END, limit: '1000', query: OTEL });
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(field(body, 'customer'), { label: 'customer', type: 'string', cardinality: 2, parsers: null });
      assert.deepEqual(field(body, 'http_status_code'), { label: 'http_status_code', type: 'int', cardinality: 2, parsers: null });
      assert.deepEqual(field(body, 'severity_text'), { label: 'severity_text', type: 'string', cardinality: 1, parsers: null });
      assert.deepEqual(field(body, 'order'), { label: 'order', type: 'int', cardinality: 2, parsers: ['logfmt'] });
    });

    it('Drilldown field breakdown query: `| json | logfmt | drop __error__, __error_details__`', async () => {
      const q = CHECKOUT + ' | json | logfmt | drop __error__, __error_details__';
      const { status, body } = await getJson(s, '/loki/api/v1/detected_fields', { end: ISO_END, query: q, start: ISO_START }, TAGS);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(field(body, 'status'), { label: 'status', type: 'int', cardinality: 3, parsers: ['logfmt'] });
      assert.equal(field(body, '__error__'), undefined);
    });

    it("the query's own parsers count; line_limit and limit bound the sample and the answer", async () => {
      const parsed = await getJson(s, '/loki/api/v1/detected_fields', { start: NS_START, end: NS_END, query: API + ' | json | user_id > 7' });
      assert.equal(parsed.status, 200, JSON.stringify(parsed.body));
      assert.equal(field(parsed.body, 'user_id')?.cardinality, 2);
      const oneLine = await getJson(s, '/loki/api/v1/detected_fields', { start: NS_START, end: NS_END, query: API, line_limit: '1' });
      assert.equal(field(oneLine.body, 'user_name')?.cardinality, 1);
      const two = await getJson(s, '/loki/api/v1/detected_fields', { start: NS_START, end: NS_END, query: API, limit: '2' });
      assert.equal(two.body.fields.length, 2);
      assert.equal(two.body.limit, 2);
    });

    it('nothing matching → {}; bad parameters → 400 with the reason', async () => {
      const none = await getJson(s, '/loki/api/v1/detected_fields', { start: NS_START, end: NS_END, query: '{service_name="nope"}' });
      assert.equal(none.status, 200);
      assert.deepEqual(none.body, {});
      const f = async (params: Record<string, string>, want: RegExp): Promise<void> => {
        const r = await getJson(s, '/loki/api/v1/detected_fields', { start: NS_START, end: NS_END, ...params });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.match(r.body, want);
      };
      await f({}, /parameter query is required/);
      await f({ query: 'sum(rate({a="b"}[1m]))' }, /only log selector is supported/);
      await f({ query: API, line_limit: '0' }, /limit must be a positive value/);
      await f({ query: API, limit: 'x' }, /cannot parse parameter limit/);
      await f({ query: API, line_limit: '100000' }, /max entries limit per query exceeded, limit > max_entries_limit \(100000 > 5000\)/);
      await f({ query: API, step: '0' }, /zero or negative query resolution step widths are not accepted/);
      await f({ query: API, step: '0.1' }, /exceeded maximum resolution of 11,000 points per time series/);
    });
  });

  describe('detected_field/<name>/values', () => {
    it('language provider: limit=1000 → {"values": [...], "limit": 1000}', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/detected_field/method/values', { start: NS_START, end: NS_END, limit: '1000', query: CHECKOUT });
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(body, { values: ['GET', 'POST', 'PUT'], limit: 1000 });
    });

    it('byte sizes come back as go-humanize spells them; metadata values as stored', async () => {
      const size = await getJson(s, '/loki/api/v1/detected_field/size/values', { start: NS_START, end: NS_END, limit: '1000', query: CHECKOUT });
      assert.deepEqual(size.body, { values: ['1.0kB', '10MB', '2.1MB', '5'], limit: 1000 });
      const customer = await getJson(s, '/loki/api/v1/detected_field/customer/values', { start: NS_START, end: NS_END, limit: '1000', query: OTEL });
      assert.deepEqual(customer.body, { values: ['acme', 'globex'], limit: 1000 });
    });

    it('a URL-encoded name, and a field nobody has → {}', async () => {
      const user = await getJson(s, '/loki/api/v1/detected_field/' + encodeURIComponent('user_name') + '/values', { start: NS_START, end: NS_END, query: API });
      assert.deepEqual(user.body, { values: ['ann', 'bob', 'cy'], limit: 1000 });
      const none = await getJson(s, '/loki/api/v1/detected_field/nope/values', { start: NS_START, end: NS_END, query: API });
      assert.equal(none.status, 200);
      assert.deepEqual(none.body, {});
    });
  });

  describe('format_query', () => {
    it('GET → {"status":"success","data":<formatted as Loki prints it>}', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/format_query', { query: '{service_name="checkout"}|logfmt|status>=500' });
      assert.equal(status, 200);
      assert.deepEqual(body, { status: 'success', data: '{service_name="checkout"} | logfmt | status>=500' });
    });

    it('a query longer than 100 characters is split over lines as Loki splits it', async () => {
      const q = 'sum by (service_name) (count_over_time({service_name="checkout", env="prod"} |= "error" | logfmt | status >= 500 [5m]))';
      const { status, body } = await getJson(s, '/loki/api/v1/format_query', { query: q });
      assert.equal(status, 200);
      assert.equal(
        body.data,
        // The whole is 118 characters: split; its argument (91) fits on one line, in one-line form.
        'sum by (service_name)(\n  count_over_time({service_name="checkout", env="prod"} |= "error" | logfmt | status>=500[5m])\n)',
      );
    });

    it('POST form, and a metric query', async () => {
      const r = await fetch(s.url + '/loki/api/v1/format_query', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: 'sum by(env)(rate({service_name="api"}[5m]))' }),
      });
      assert.equal(r.status, 200);
      const body = (await r.json()) as { status: string; data: string };
      assert.equal(body.status, 'success');
      assert.equal(body.data, 'sum by (env)(rate({service_name="api"}[5m]))');
    });

    it('a parse error → 400 {"status":"invalid-query","error":<parse error>}', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/format_query', { query: '{service_name="checkout"' });
      assert.equal(status, 400);
      assert.equal(body.status, 'invalid-query');
      assert.match(body.error, /parse error/);
      assert.deepEqual(Object.keys(body), ['status', 'error']);
    });
  });

  describe('drilldown-limits', () => {
    it("Loki's shape: limits, pattern_ingester_enabled, version", async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/drilldown-limits', {}, { 'X-Scope-OrgID': 'default', ...TAGS });
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(Object.keys(body).sort(), ['limits', 'pattern_ingester_enabled', 'version']);
      assert.equal(body.pattern_ingester_enabled, true, 'serve mode serves patterns');
      assert.equal(typeof body.version, 'string');
      const l = body.limits;
      assert.deepEqual(Object.keys(l).sort(), [
        'discover_log_levels', 'discover_service_name', 'log_level_fields', 'max_entries_limit_per_query', 'max_line_size_truncate',
        'max_query_bytes_read', 'max_query_length', 'max_query_lookback', 'max_query_range', 'max_query_series', 'metric_aggregation_enabled',
        'otlp_config', 'pattern_persistence_enabled', 'query_timeout', 'retention_period', 'retention_stream', 'volume_enabled', 'volume_max_series',
      ]);
      assert.equal(l.discover_log_levels, true);
      assert.equal(l.volume_enabled, true);
      assert.equal(l.max_entries_limit_per_query, 5000);
      assert.equal(l.max_query_length, '4w2d1h');
      assert.equal(l.query_timeout, '1m');
      assert.equal(l.retention_period, '4w3d');
      assert.ok(Array.isArray(l.discover_service_name) && Array.isArray(l.log_level_fields) && Array.isArray(l.retention_stream));
      assert.ok(l.log_level_fields.includes('level'));
    });
  });

  describe('what else those screens call', () => {
    it('Drilldown services: index/volume with limit=5000 and {service_name=~".+"} → vector per service_name', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/index/volume', { end: ISO_END, limit: '5000', query: '{service_name=~".+"}', start: ISO_START }, TAGS);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.status, 'success');
      assert.equal(body.data.resultType, 'vector');
      const names = body.data.result.map((r: { metric: Record<string, string> }) => r.metric.service_name).sort();
      assert.deepEqual(names, ['api', 'checkout']);
      for (const r of body.data.result) assert.match(r.value[1], /^\d+$/);
    });

    it('index/volume_range with targetLabels and aggregateBy → matrix', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/index/volume_range', { query: '{service_name=~".+"}', start: NS_START, end: NS_END, step: '60', targetLabels: 'env', aggregateBy: 'series' });
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.data.resultType, 'matrix');
      assert.deepEqual(body.data.result.map((r: { metric: Record<string, string> }) => r.metric.env).sort(), ['dev', 'prod']);
    });

    it('index/stats as getQueryStats sends it', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/index/stats', { query: CHECKOUT, start: NS_START, end: NS_END });
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(Object.keys(body).sort(), ['bytes', 'chunks', 'entries', 'streams']);
      assert.equal(body.streams, 2);
      assert.equal(body.entries, 4);
    });

    it('Drilldown labels: ISO range only', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/labels', { end: ISO_END, start: ISO_START }, TAGS);
      assert.equal(status, 200, JSON.stringify(body));
      for (const l of ['cluster', 'env', 'pod', 'request_id', 'service', 'service_name']) assert.ok(body.data.includes(l), l);
    });

    it('label/<name>/values with a query, as fetchLabelValues sends it', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/label/env/values', { start: NS_START, end: NS_END, query: API });
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(body, { status: 'success', data: ['prod'] });
    });

    it('series: GET with match[] and POST with a form body', async () => {
      const get = await getJson(s, '/loki/api/v1/series', { 'match[]': CHECKOUT, start: NS_START, end: NS_END });
      assert.equal(get.status, 200, JSON.stringify(get.body));
      assert.equal(get.body.data.length, 2);
      const post = await fetch(s.url + '/loki/api/v1/series', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'match[]': CHECKOUT, start: NS_START, end: NS_END }),
      });
      assert.equal(post.status, 200);
      assert.deepEqual(await post.json(), get.body);
    });
  });
});

const clusterSkip = await clusterUnavailable();

describe('the Grafana endpoints on the cluster query pod', { skip: clusterSkip }, () => {
  const { start } = useCluster('grafana');

  it('detected_* read PostgreSQL; drilldown-limits says the query pod serves no patterns', { timeout: 150_000 }, async () => {
    const ingest = await start('ingest');
    await start('process');
    const query = await start('query');
    await pushLoki(ingest);
    // Wait for every pushed line, not the first batch the process role commits: on a loaded
    // machine the three API lines can land in different commits, and a cluster start can take
    // longer than the default 15 s.
    const fields = await eventually(
      async () => {
        const r = await getJson(query, '/loki/api/v1/detected_fields', { start: NS_START, end: NS_END, limit: '1000', query: API });
        return r.status === 200 && field(r.body, 'user_id')?.cardinality === 3 ? r.body : undefined;
      },
      'all pushed lines are queryable from the query pod',
      60_000,
    );
    assert.deepEqual(field(fields, 'user_id'), { label: 'user_id', type: 'int', cardinality: 3, parsers: ['json'], jsonPath: ['user', 'id'] });
    const labels = await getJson(query, '/loki/api/v1/detected_labels', { query: CHECKOUT, start: NS_START, end: NS_END });
    assert.deepEqual(labels.body.detectedLabels.map((l: { label: string }) => l.label), ['cluster', 'env', 'pod', 'service_name']);
    const values = await getJson(query, '/loki/api/v1/detected_field/method/values', { query: CHECKOUT, start: NS_START, end: NS_END });
    assert.deepEqual(values.body, { values: ['GET', 'POST', 'PUT'], limit: 1000 });
    const limits = await getJson(query, '/loki/api/v1/drilldown-limits');
    assert.equal(limits.status, 200);
    assert.equal(limits.body.pattern_ingester_enabled, false);
  });
});
