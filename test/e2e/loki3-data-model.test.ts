/**
 * Loki 3's data model end to end, through /loki/api/v1/push and query_range on the real server:
 * an entry is (stream, timestamp, line, structured metadata), so entries differing only in
 * metadata are all kept while a retried push is stored once (also after `kill -9`); metadata
 * whose name is a stream label shows as `<name>_extracted`; every entry has Loki 3's
 * `detected_level` metadata while `level` keeps working.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, removeDir, tempDataDir, getJson, type ServerHandle } from './harness.js';

const now = BigInt(Date.now()) * 1_000_000n;
const T = (s: number): string => (now - 120_000_000_000n + BigInt(s) * 1_000_000_000n).toString();

async function push(s: ServerHandle, streams: unknown[]): Promise<number> {
  const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams }) });
  const text = await r.text();
  assert.equal(r.status, 204, text);
  return r.status;
}

type Result = Array<{ stream: Record<string, string>; values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]> }>;

async function logs(s: ServerHandle, query: string, categorize = false): Promise<Result> {
  const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query, since: '1h', limit: '1000', direction: 'forward' }, categorize ? { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } : {});
  assert.equal(status, 200, JSON.stringify(body));
  return body.data.result as Result;
}

/** `{labels} line` per entry, sorted. */
async function lines(s: ServerHandle, query: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of await logs(s, query)) {
    const l = Object.keys(r.stream).sort().map((k) => `${k}=${r.stream[k]}`).join(',');
    for (const v of r.values) out.push(`{${l}} ${v[1]}`);
  }
  return out.sort();
}

/** Instant metric query: `{labels} value` per series, sorted. */
async function metric(s: ServerHandle, query: string): Promise<string[]> {
  const { status, body } = await getJson(s, '/loki/api/v1/query', { query, time: String(Number(now / 1_000_000_000n)) });
  assert.equal(status, 200, JSON.stringify(body));
  return (body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>)
    .map((r) => `{${Object.keys(r.metric).sort().map((k) => `${k}=${r.metric[k]}`).join(',')}} ${r.value[1]}`)
    .sort();
}

describe('Loki 3 data model over HTTP', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('keeps entries that differ only in structured metadata; a retried push is stored once', async () => {
    const batch = [
      {
        stream: { service: 'dup' },
        values: [
          [T(1), 'GET /cart 500', { user: 'u1' }],
          [T(1), 'GET /cart 500', { user: 'u2' }],
          [T(1), 'GET /cart 500', { user: 'u2', region: 'eu' }],
          [T(1), 'GET /cart 500'],
        ],
      },
    ];
    await push(s, batch);
    // The client retries the whole push, and another sends one entry with its keys in another order.
    await push(s, batch);
    await push(s, [{ stream: { service: 'dup' }, values: [[T(1), 'GET /cart 500', { region: 'eu', user: 'u2' }]] }]);
    const got = (await logs(s, '{service="dup"}', true)).flatMap((r) =>
      r.values.map((v) => {
        const { level: _l, detected_level: _d, ...sent } = v[2]?.structuredMetadata ?? {};
        return JSON.stringify(sent);
      }),
    );
    assert.deepEqual(got.sort(), ['{"region":"eu","user":"u2"}', '{"user":"u1"}', '{"user":"u2"}', '{}']);
    assert.deepEqual(await metric(s, 'sum(count_over_time({service="dup"}[10m]))'), ['{} 4']);
    assert.deepEqual(await metric(s, 'sum by (user) (count_over_time({service="dup"}[10m]))'), ['{user=u1} 1', '{user=u2} 2', '{} 1']);
  });

  it('shows structured metadata that collides with a stream label as <name>_extracted', async () => {
    await push(s, [
      {
        stream: { app: 'coll', service: 'api' },
        values: [
          [T(2), 'level=error charge failed', { service: 'checkout', trace_id: 't1' }],
          [T(3), 'level=info charge ok', { trace_id: 't2' }],
        ],
      },
    ]);
    assert.deepEqual(await lines(s, '{app="coll"}'), [
      '{app=coll,detected_level=error,level=error,service=api,service_extracted=checkout,trace_id=t1} level=error charge failed',
      '{app=coll,detected_level=info,level=info,service=api,trace_id=t2} level=info charge ok',
    ]);
    // Label filters: the stream label under its own name, the metadata under the new one.
    assert.deepEqual(await lines(s, '{app="coll"} | service="checkout"'), []);
    assert.equal((await lines(s, '{app="coll"} | service_extracted="checkout"')).length, 1);
    // categorize-labels: the stream keeps its labels; the renamed one is metadata.
    const cat = await logs(s, '{app="coll"} |= "failed"', true);
    assert.deepEqual(cat.map((r) => [r.stream, r.values[0][2]?.structuredMetadata]), [
      [{ app: 'coll', service: 'api' }, { level: 'error', service_extracted: 'checkout', trace_id: 't1', detected_level: 'error' }],
    ]);
    assert.deepEqual(await metric(s, 'sum by (service_extracted) (count_over_time({app="coll"}[10m]))'), ['{service_extracted=checkout} 1', '{} 1']);
    assert.deepEqual(await metric(s, 'sum by (service) (count_over_time({app="coll"}[10m]))'), ['{service=api} 2']);
  });

  it('exposes detected_level as Loki 3 does, and level filters keep working', async () => {
    await push(s, [
      { stream: { service: 'lv' }, values: [[T(4), 'ERROR db down'], [T(5), '{"level":"warn","msg":"slow"}'], [T(6), 'started'], [T(7), 'ok', { severity: 'NOTICE' }]] },
      // A client that sends the level as a stream label (Promtail, pino-loki): detected_level is its value as sent.
      { stream: { service: 'lv', level: 'ERROR' }, values: [[T(8), 'disk quota exceeded']] },
    ]);
    assert.deepEqual(await lines(s, '{service="lv"} | detected_level="error"'), ['{detected_level=error,level=error,service=lv} ERROR db down']);
    assert.deepEqual(await lines(s, '{service="lv"} | detected_level=~"(?i)error"'), [
      '{detected_level=ERROR,level=ERROR,service=lv} disk quota exceeded',
      '{detected_level=error,level=error,service=lv} ERROR db down',
    ]);
    assert.deepEqual(await metric(s, 'sum by (detected_level) (count_over_time({service="lv"}[10m]))'), [
      '{detected_level=ERROR} 1',
      '{detected_level=NOTICE} 1',
      '{detected_level=error} 1',
      '{detected_level=unknown} 1',
      '{detected_level=warn} 1',
    ]);
    assert.deepEqual(await metric(s, 'sum by (detected_level) (count_over_time({service="lv"} |~ "down|disk" [10m]))'), ['{detected_level=ERROR} 1', '{detected_level=error} 1']);
    // `level` as before: a stream selector matcher and a label filter on the detected level.
    assert.deepEqual(await lines(s, '{service="lv", level="warn"}'), ['{detected_level=warn,level=warn,service=lv} {"level":"warn","msg":"slow"}']);
    assert.deepEqual(await metric(s, 'sum by (level) (count_over_time({service="lv"} | level=~"error|ERROR" [10m]))'), ['{level=ERROR} 1', '{level=error} 1']);
  });
});

describe('Loki 3 data model: idempotent across kill -9', () => {
  it('a push retried after a crash is stored once, its metadata-only variants each once', async () => {
    const dataDir = tempDataDir();
    let s = await startServer({ dataDir });
    try {
      const values = [[T(10), 'same line', { k: 'a', z: '1' }], [T(10), 'same line', { k: 'b' }]];
      await push(s, [{ stream: { service: 'crash' }, values }]);
      await s.kill9();
      s = await startServer({ dataDir });
      // The client did not see the answer and retries (keys in another order), adding a variant.
      await push(s, [{ stream: { service: 'crash' }, values: [[T(10), 'same line', { z: '1', k: 'a' }], values[1], [T(10), 'same line', { k: 'c' }]] }]);
      assert.deepEqual(await metric(s, 'sum by (k) (count_over_time({service="crash"}[10m]))'), ['{k=a} 1', '{k=b} 1', '{k=c} 1']);
    } finally {
      await s.stop();
      removeDir(dataDir);
    }
  });
});
