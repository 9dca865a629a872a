/**
 * Per-tenant limits against the real server, configured by a Loki-shaped overrides file: the
 * ingestion rate answers 429 with Loki's text in every push protocol's own shape, the active
 * stream limit and the line size refuse what they must, a tenant with max_query_parallelism 0
 * cannot query, every refusal is counted by Loki's reason, and a changed overrides file takes
 * effect without a restart (a broken one keeps the previous overrides).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, startServer, tempDataDir, type ServerHandle } from './harness.js';
import { replaceFile } from '../../src/testing/certs.js';

const OVERRIDES = `
overrides:
  slow:
    ingestion_rate_mb: 0.0001      # 104 bytes/s
    ingestion_burst_size_mb: 0.02  # 20971 bytes
  few:
    max_global_streams_per_user: 2
  short:
    max_line_size: 10
  noquery:
    max_query_parallelism: 0
`;

const RATE_TEXT = (lines: number, bytes: number): string =>
  `Ingestion rate limit exceeded for user slow (limit: 104 bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`;

const ns = (): string => `${Date.now()}000000`;

function lokiPush(s: ServerHandle, tenant: string, streams: Array<{ stream: Record<string, string>; values: string[][] }>): Promise<Response> {
  return fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json', 'x-scope-orgid': tenant }, body: JSON.stringify({ streams }) });
}

async function metric(s: ServerHandle, re: RegExp): Promise<number> {
  const text = await (await fetch(s.url + '/metrics')).text();
  const line = text.split('\n').find((l) => re.test(l));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

async function until(what: string, cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('per-tenant limits', () => {
  let s: ServerHandle;
  let dir: string;
  let file: string;
  before(async () => {
    dir = tempDataDir('ls-limits-');
    file = join(dir, 'overrides.yaml');
    writeFileSync(file, OVERRIDES);
    s = await startServer({ env: { LOGSENTINEL_LIMITS_OVERRIDES_FILE: file, LOGSENTINEL_LIMITS_OVERRIDES_PERIOD: '1s', LOGSENTINEL_SERVER_LOG_LEVEL: 'info' } });
  });
  after(async () => {
    await s?.stop();
    if (s) removeDir(s.dataDir);
    removeDir(dir);
  });

  it("answers the ingestion rate limit with Loki's text in every protocol's shape", async () => {
    const line = (n: number): string => 'x'.repeat(n);
    assert.equal((await lokiPush(s, 'slow', [{ stream: { app: 'r' }, values: [[ns(), line(15_000)]] }])).status, 204);

    const loki = await lokiPush(s, 'slow', [{ stream: { app: 'r' }, values: [[ns(), line(8_000)], [ns(), line(7_000)]] }]);
    assert.equal(loki.status, 429);
    assert.equal(await loki.text(), RATE_TEXT(2, 15_000) + '\n');
    assert.equal(loki.headers.get('retry-after'), '60');

    const jl = await fetch(s.url + '/api/v1/push/jsonlines', { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-scope-orgid': 'slow' }, body: JSON.stringify({ message: line(9_000) }) + '\n' });
    assert.equal(jl.status, 429);
    assert.deepEqual(await jl.json(), { status: 'error', errorType: 'rate_limited', error: RATE_TEXT(1, 9_000) });

    const otlpBody = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'r' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: ns(), body: { stringValue: line(9_000) } }] }] }] };
    const otlp = await fetch(s.url + '/otlp/v1/logs', { method: 'POST', headers: { 'content-type': 'application/json', 'x-scope-orgid': 'slow' }, body: JSON.stringify(otlpBody) });
    assert.equal(otlp.status, 429);
    const retryAfter = Number(otlp.headers.get('retry-after'));
    assert.ok(retryAfter > 0, 'Retry-After');
    // RESOURCE_EXHAUSTED with the retry delay as a google.rpc.RetryInfo detail, as the exporters read it.
    assert.deepEqual(await otlp.json(), {
      code: 8,
      message: RATE_TEXT(1, 9_000),
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` }],
    });

    const es = await fetch(s.url + '/_bulk', { method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'x-scope-orgid': 'slow' }, body: `{"index":{"_index":"r"}}\n${JSON.stringify({ message: line(9_000) })}\n` });
    assert.equal(es.status, 429);
    const esBody = (await es.json()) as { error: { type: string; reason: string }; status: number };
    assert.equal(esBody.error.type, 'es_rejected_execution_exception');
    assert.equal(esBody.error.reason, RATE_TEXT(1, 9_000));

    // larger than the burst: it can never pass, so no Retry-After
    const huge = await lokiPush(s, 'slow', [{ stream: { app: 'r' }, values: [[ns(), line(30_000)]] }]);
    assert.equal(huge.status, 429);
    assert.equal(huge.headers.get('retry-after'), null);
    await huge.arrayBuffer();

    // counted once per refused entry, nothing of the refused pushes stored; other tenants are not limited
    assert.equal(await metric(s, /^logs_rejected_total\{tenant="slow",protocol="loki",reason="rate_limited"\}/), 3);
    assert.equal(await metric(s, /^logs_rejected_total\{tenant="slow",protocol="otlp",reason="rate_limited"\}/), 1);
    assert.equal(await metric(s, /^logs_rejected_total\{tenant="slow",protocol="elasticsearch",reason="rate_limited"\}/), 1);
    assert.equal(await metric(s, /^logs_received_total\{tenant="slow",protocol="loki"\}/), 1);
    assert.equal((await lokiPush(s, 'default', [{ stream: { app: 'r' }, values: [[ns(), line(30_000)]] }])).status, 204);
  });

  it('refuses new streams past the active stream limit with 429, keeping the others', async () => {
    const r = await lokiPush(s, 'few', [1, 2, 3].map((i) => ({ stream: { app: `s${i}` }, values: [[ns(), `line ${i}`]] })));
    assert.equal(r.status, 429);
    assert.equal(
      await r.text(),
      `Maximum active stream limit exceeded when trying to create stream {app="s3"}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: 'few'\n`,
    );
    assert.equal((await lokiPush(s, 'few', [{ stream: { app: 's1' }, values: [[ns(), 'known stream']] }])).status, 204);
    const q = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{app=~"s.+"}', since: '1h' }), { headers: { 'x-scope-orgid': 'few' } });
    const body = (await q.json()) as { data: { result: Array<{ stream: { app: string } }> } };
    assert.deepEqual(body.data.result.map((x) => x.stream.app).sort(), ['s1', 's2']);
    assert.equal(await metric(s, /^logs_rejected_total\{tenant="few",protocol="loki",reason="stream_limit"\}/), 1);
  });

  it("applies a tenant's line size, counted as line_too_long", async () => {
    const r = await lokiPush(s, 'short', [{ stream: { app: 'l' }, values: [[ns(), 'fits'], [ns(), 'twenty bytes of text']] }]);
    assert.equal(r.status, 400);
    assert.equal(await r.text(), `Max entry size '10' bytes exceeded for stream '{app="l"}' while adding an entry with length '20' bytes\n`);
    assert.equal(await metric(s, /^logs_rejected_total\{tenant="short",protocol="loki",reason="line_too_long"\}/), 1);
    assert.equal((await lokiPush(s, 'default', [{ stream: { app: 'l' }, values: [[ns(), 'twenty bytes of text']] }])).status, 204);
  });

  it('refuses queries of a tenant whose max_query_parallelism is 0', async () => {
    const q = (tenant: string): Promise<Response> => fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{app="x"}', since: '5m' }), { headers: { 'x-scope-orgid': tenant } });
    const r = await q('noquery');
    assert.equal(r.status, 400);
    assert.equal(await r.text(), 'querying is disabled, please contact your Loki operator\n');
    assert.equal((await q('noquery|default')).status, 200, 'a tenant set takes the smallest positive parallelism');
    assert.equal((await q('default')).status, 200);
  });

  it('follows a changed overrides file without a restart, and keeps the last good one when it breaks', async () => {
    replaceFile(file, OVERRIDES.replace('max_global_streams_per_user: 2', 'max_global_streams_per_user: 10').replace('max_line_size: 10', 'max_line_size: 1KB'));
    await until('the new stream limit applies', async () => (await lokiPush(s, 'few', [{ stream: { app: 'reloaded' }, values: [[ns(), 'fits now']] }])).status === 204);
    assert.equal((await lokiPush(s, 'short', [{ stream: { app: 'l' }, values: [[ns(), 'twenty bytes of text']] }])).status, 204);

    replaceFile(file, 'overrides:\n  short:\n    max_line_sise: 10\n');
    await until('the broken file is logged', async () => s.output().includes('cannot reload per-tenant limit overrides: keeping the previous ones'));
    assert.match(s.output(), /unknown or unsupported limit \\"max_line_sise\\"/);
    assert.equal((await lokiPush(s, 'few', [{ stream: { app: 'still' }, values: [[ns(), 'previous overrides stay']] }])).status, 204);
    const slow = await lokiPush(s, 'slow', [{ stream: { app: 'r' }, values: [[ns(), 'x'.repeat(30_000)]] }]);
    assert.equal(slow.status, 429, 'the rate limit of the last good file still applies');
    await slow.arrayBuffer();
  });

  it('refuses to start with a broken overrides file, naming it', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'overrides:\n  a:\n    ingestion_rate_mb: fast\n');
    await assert.rejects(startServer({ env: { LOGSENTINEL_LIMITS_OVERRIDES_FILE: bad } }), /cannot start: cannot parse overrides file .*bad\.yaml: tenant a: ingestion_rate_mb: expected a number/);
  });
});
