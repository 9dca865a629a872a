/**
 * End to end over HTTP: push with Loki JSON (plain and gzip), protobuf+snappy and JSON lines,
 * then read back through Loki's query API and check Loki's exact response shapes.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, removeDir, type ServerHandle, getJson } from './harness.js';
import { encodeLokiPushProtobuf } from '../../src/ingest/loki-push.js';

const now = BigInt(Date.now()) * 1_000_000n;
// A timestamp with all nine sub-second digits significant, to check none is lost.
const T1 = (now - 60_000_000_000n + 123_456_789n).toString();
const T2 = (now - 50_000_000_000n + 1n).toString();

async function push(s: ServerHandle, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(s.url + '/loki/api/v1/push', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body),
  });
}

describe('Loki API end to end', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('accepts a Loki JSON push with structured metadata (204)', async () => {
    const r = await push(s, {
      streams: [
        {
          stream: { service: 'checkout', env: 'prod' },
          values: [
            [T1, 'level=error msg="payment declined" order=17', { trace_id: 'abc123' }],
            [T2, 'INFO order 18 shipped'],
          ],
        },
      ],
    });
    assert.equal(r.status, 204, await r.text());
  });

  it('query_range returns Loki streams with string nanosecond timestamps and stats', async () => {
    const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="checkout"}', limit: '10' });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.status, 'success');
    assert.equal(body.data.resultType, 'streams');
    const values = body.data.result.flatMap((r: { values: string[][] }) => r.values);
    assert.deepEqual(values.map((v: string[]) => v[0]).sort(), [T1, T2].sort());
    const err = body.data.result.find((r: { stream: Record<string, string> }) => r.stream.level === 'error');
    assert.deepEqual(err.stream, { service: 'checkout', env: 'prod', level: 'error', trace_id: 'abc123', detected_level: 'error' });
    assert.equal(typeof body.data.stats.summary.execTime, 'number');
    assert.ok(body.data.stats.summary.totalLinesProcessed >= 2);
  });

  it('categorize-labels separates stream labels, structured metadata and parsed labels', async () => {
    const { body } = await getJson(
      s,
      '/loki/api/v1/query_range',
      { query: '{service="checkout"} |= "payment" | logfmt', limit: '10' },
      { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
    );
    assert.deepEqual(body.data.encodingFlags, ['categorize-labels']);
    assert.equal(body.data.result.length, 1);
    const r = body.data.result[0];
    assert.deepEqual(r.stream, { env: 'prod', service: 'checkout' });
    const [ts, line, extra] = r.values[0];
    assert.equal(ts, T1);
    assert.equal(line, 'level=error msg="payment declined" order=17');
    // The parsed `level` hides the detected level offered as metadata `level`; Loki 3's
    // `detected_level` stays.
    assert.deepEqual(extra.structuredMetadata, { trace_id: 'abc123', detected_level: 'error' });
    assert.deepEqual(extra.parsed, { msg: 'payment declined', order: '17', level: 'error' });
  });

  it('accepts protobuf+snappy pushes as Promtail sends them', async () => {
    const body = encodeLokiPushProtobuf([
      { stream: { service: 'billing', env: 'prod' }, values: [[BigInt(T2), 'WARN invoice retry', { user_id: 'u9' }]] },
    ]);
    const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(body) });
    assert.equal(r.status, 204, await r.text());
    const { body: q } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="billing"}' });
    assert.deepEqual(q.data.result, [{ stream: { env: 'prod', service: 'billing', level: 'warn', user_id: 'u9', detected_level: 'warn' }, values: [[T2, 'WARN invoice retry']] }]);
  });

  it('accepts gzip JSON pushes', async () => {
    const body = gzipSync(JSON.stringify({ streams: [{ stream: { service: 'gz' }, values: [[T1, 'zipped line']] }] }));
    const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: new Uint8Array(body) });
    assert.equal(r.status, 204, await r.text());
    const { body: q } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="gz"}' });
    assert.equal(q.data.result[0].values[0][1], 'zipped line');
  });

  it('accepts JSON lines', async () => {
    const lines = [
      JSON.stringify({ timestamp: new Date(Number(BigInt(T1) / 1_000_000n)).toISOString(), service: 'jl', level: 'warning', message: 'disk 91% full', host: 'n1' }),
      JSON.stringify({ service: 'jl', msg: 'no time given', user: 'x' }),
    ].join('\n');
    const r = await fetch(s.url + '/api/v1/push/jsonlines', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines });
    assert.equal(r.status, 204, await r.text());
    const { body } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="jl"} | level="warn"' });
    assert.equal(body.data.result.length, 1);
    assert.equal(body.data.result[0].values[0][1], 'disk 91% full');
  });

  it('the tenant header separates data', async () => {
    const r = await push(s, { streams: [{ stream: { service: 'checkout' }, values: [[T1, 'tenant b line']] }] }, { 'X-Scope-OrgID': 'team-b' });
    assert.equal(r.status, 204);
    const { body: a } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="checkout"} |= "tenant b"' });
    assert.deepEqual(a.data.result, []);
    const { body: b } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="checkout"} |= "tenant b"' }, { 'X-Scope-OrgID': 'team-b' });
    assert.equal(b.data.result.length, 1);
  });

  it('labels, label values, series and index/stats answer in Loki shapes', async () => {
    const labels = await getJson(s, '/loki/api/v1/labels');
    assert.deepEqual(labels.body, { status: 'success', data: ['env', 'host', 'service'] });
    const values = await getJson(s, '/loki/api/v1/label/service/values');
    assert.deepEqual(values.body, { status: 'success', data: ['billing', 'checkout', 'gz', 'jl'] });
    const levels = await getJson(s, '/loki/api/v1/label/level/values', { query: '{service="checkout"}' });
    assert.deepEqual(levels.body.data, ['error', 'info']);
    const series = await getJson(s, '/loki/api/v1/series', { 'match[]': '{env="prod"}' });
    assert.deepEqual(
      series.body.data.sort((a: { service: string }, b: { service: string }) => a.service.localeCompare(b.service)),
      [
        { env: 'prod', service: 'billing' },
        { env: 'prod', service: 'checkout' },
      ],
    );
    const stats = await getJson(s, '/loki/api/v1/index/stats', { query: '{service="checkout"}' });
    assert.deepEqual(Object.keys(stats.body).sort(), ['bytes', 'chunks', 'entries', 'streams']);
    assert.equal(stats.body.entries, 2);
    assert.equal(stats.body.streams, 1);
  });

  it('instant /query refuses a log query as Loki 3 does; query_range answers it', async () => {
    const refused = await getJson(s, '/loki/api/v1/query', { query: '{service="checkout"} |= "shipped"' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.trim(), 'log queries are not supported as an instant query type, please change your query to a range query type');
    const { body } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="checkout"} |= "shipped"' });
    assert.equal(body.data.resultType, 'streams');
    assert.equal(body.data.result[0].values[0][1], 'INFO order 18 shipped');
  });

  it('POST form bodies work like query strings', async () => {
    const r = await fetch(s.url + '/loki/api/v1/query_range', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: '{service="gz"}', direction: 'forward' }).toString(),
    });
    const body = (await r.json()) as { data: { result: unknown[] } };
    assert.equal(body.data.result.length, 1);
  });

  it('/logs/query searches by service, level and substring', async () => {
    const r = await fetch(s.url + '/logs/query', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'checkout', level: 'error', contains: 'payment' }),
    });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { data: { entries: Array<Record<string, unknown>> } };
    assert.equal(body.data.entries.length, 1);
    const e = body.data.entries[0];
    assert.equal(e.ts, T1);
    assert.equal(e.level, 'error');
    assert.deepEqual(e.labels, { env: 'prod', service: 'checkout' });
    assert.deepEqual(e.metadata, { trace_id: 'abc123', detected_level: 'error' });
    const bad = await fetch(s.url + '/logs/query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ level: 'loud' }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /level "loud"/);
  });

  describe('errors', () => {
    it('a LogQL syntax error is a 400 naming line and column', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="checkout"} |= ' });
      assert.equal(status, 400);
      assert.match(body, /^parse error at line 1, col \d+: /);
    });

    it('an empty-compatible selector is refused', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query: '{service=~".*"}' });
      assert.equal(status, 400);
      assert.match(body, /at least one/);
    });

    it('limit and time range limits are enforced with Loki wording', async () => {
      const lim = await getJson(s, '/loki/api/v1/query_range', { query: '{service="x"}', limit: '100000' });
      assert.equal(lim.status, 400);
      assert.match(lim.body, /max entries limit per query exceeded/);
      const range = await getJson(s, '/loki/api/v1/query_range', { query: '{service="x"}', start: '0', end: String(now) });
      assert.equal(range.status, 400);
      assert.match(range.body, /the query time range exceeds the limit/);
      const bad = await getJson(s, '/loki/api/v1/query_range', { query: '{service="x"}', start: 'yesterday' });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /parameter start/);
    });

    it('malformed pushes get a 400 that says what was wrong, and the server keeps running', async () => {
      const cases: Array<[string, Record<string, string>, RegExp]> = [
        ['{not json', {}, /cannot parse/],
        [JSON.stringify({ streams: [{ stream: {}, values: [[T1, 'x']] }] }), {}, /at least one label pair/],
        [JSON.stringify({ streams: [{ stream: { 'bad-name': 'x' }, values: [[T1, 'x']] }] }), {}, /bad-name/],
        [JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [['notatime', 'x']] }] }), {}, /notatime|timestamp/],
        ['\x00\x01garbage', { 'content-type': 'application/x-protobuf' }, /cannot/],
      ];
      for (const [body, headers, re] of cases) {
        const r = await push(s, body, headers);
        assert.equal(r.status, 400, body);
        assert.match(await r.text(), re);
      }
      const health = await fetch(s.url + '/health/liveness');
      assert.equal(health.status, 200);
    });

    it('a push with some invalid entries keeps the valid ones and answers 400', async () => {
      const future = (now + 3_600_000_000_000n).toString();
      const r = await push(s, {
        streams: [{ stream: { service: 'partial' }, values: [[T1, 'valid one'], [future, 'from the future']] }],
      });
      assert.equal(r.status, 400);
      assert.match(await r.text(), /timestamp too new/);
      const { body } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="partial"}' });
      assert.deepEqual(body.data.result.flatMap((x: { values: string[][] }) => x.values.map((v) => v[1])), ['valid one']);
    });

    it('a hostile regular expression returns promptly', async () => {
      const { status } = await getJson(s, '/loki/api/v1/query_range', { query: '{service="checkout"} |~ "(a+)+$" | regexp "(?P<x>(a|aa)+)+b"' });
      assert.equal(status, 200);
    });

    it('unknown routes are 404', async () => {
      const r = await fetch(s.url + '/loki/api/v1/nope');
      assert.equal(r.status, 404);
    });
  });

  describe('operations', () => {
    it('health endpoints answer', async () => {
      assert.equal((await fetch(s.url + '/health/liveness')).status, 200);
      assert.equal((await fetch(s.url + '/health/readiness')).status, 200);
      const ready = await fetch(s.url + '/ready');
      assert.equal(await ready.text(), 'ready\n');
    });

    it('/metrics exposes the ingest and HTTP metrics', async () => {
      const text = await (await fetch(s.url + '/metrics')).text();
      for (const name of ['logs_received_total', 'logs_processed_total', 'log_processing_latency_seconds_bucket', 'http_requests_total', 'http_request_duration_seconds_bucket', 'http_request_errors_total', 'http_requests_in_flight', 'storage_size_bytes', 'queue_depth_entries', 'storage_memory_bytes']) {
        assert.match(text, new RegExp('^' + name, 'm'), name);
      }
      const received = /^logs_received_total\{tenant="default",protocol="loki"\} (\d+)/m.exec(text);
      assert.ok(received && Number(received[1]) >= 4, 'logs_received_total counts pushed entries');
      // The embedded store holds the rows it has not checkpointed yet, or caches them.
      const held = [...text.matchAll(/^storage_memory_bytes\{tag="(BASE_TABLE|IN_MEMORY_TABLE)"\} (\d+)/gm)].reduce((n, m) => n + Number(m[2]), 0);
      assert.ok(held > 0, 'storage_memory_bytes shows the table data DuckDB holds');
    });

    it('/metrics passes promtool check metrics', async (t) => {
      const which = spawnSync('sh', ['-c', 'command -v promtool']);
      if (which.status !== 0) {
        if (process.env.CI === 'true') assert.fail('promtool is required in CI (installed by .ci/run)');
        t.skip('promtool is not installed (apt-get install prometheus); .ci/run installs it');
        return;
      }
      const text = await (await fetch(s.url + '/metrics')).text();
      const file = join(s.dataDir, 'metrics.txt');
      writeFileSync(file, text);
      const out = execFileSync('sh', ['-c', `promtool check metrics < ${file} 2>&1; echo "exit=$?"`]).toString();
      assert.match(out, /exit=0/, out);
    });
  });
});
