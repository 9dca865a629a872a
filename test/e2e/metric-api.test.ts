/**
 * End to end over HTTP: metric queries through Loki's query API (instant vector and scalar,
 * range matrix with the default step), Grafana's log volume endpoints, and the error texts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, removeDir, type ServerHandle, getJson } from './harness.js';

// A whole minute ten minutes ago, so step timestamps are round numbers of seconds.
const BASE_S = Math.floor(Date.now() / 60_000) * 60 - 600;
const ns = (s: number): string => (BigInt(BASE_S + s) * 1_000_000_000n).toString();

describe('metric queries end to end', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
    const r = await fetch(s.url + '/loki/api/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        streams: [
          { stream: { app: 'shop', env: 'prod' }, values: [[ns(10), 'level=info msg=ok latency=100'], [ns(20), 'level=error msg=fail latency=300'], [ns(30), 'level=info msg=ok latency=200']] },
          { stream: { app: 'shop', env: 'dev' }, values: [[ns(15), 'level=info msg=dev latency=x']] },
          { stream: { app: 'cart', env: 'prod' }, values: [[ns(25), 'level=warn slow']] },
        ],
      }),
    });
    assert.equal(r.status, 204);
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('instant query answers a vector with Loki\'s shape', async () => {
    const { status, body } = await getJson(s, '/loki/api/v1/query', { query: 'sum by (level) (count_over_time({app="shop"}[1m]))', time: String(BASE_S + 60) });
    assert.equal(status, 200);
    assert.equal(body.status, 'success');
    assert.equal(body.data.resultType, 'vector');
    const got = body.data.result.map((r: { metric: Record<string, string>; value: [number, string] }) => [r.metric, r.value]).sort((a: unknown[], b: unknown[]) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.deepEqual(got, [
      [{ level: 'error' }, [BASE_S + 60, '1']],
      [{ level: 'info' }, [BASE_S + 60, '3']],
    ]);
    assert.equal(typeof body.data.stats.summary.execTime, 'number');
    assert.equal(body.data.stats.summary.totalLinesProcessed, 4);
  });

  it('Grafana\'s health check vector(1)+vector(1) answers a vector with value 2', async () => {
    const { status, body } = await getJson(s, '/loki/api/v1/query', { query: 'vector(1)+vector(1)', time: '1700000000' });
    assert.equal(status, 200);
    assert.deepEqual(body.data.result, [{ metric: {}, value: [1700000000, '2'] }]);
    assert.equal(body.data.resultType, 'vector');
  });

  it('a scalar expression answers resultType scalar', async () => {
    const { body } = await getJson(s, '/loki/api/v1/query', { query: '1 + 2 / 4', time: '1700000000.5' });
    assert.deepEqual({ resultType: body.data.resultType, result: body.data.result }, { resultType: 'scalar', result: [1700000000.5, '1.5'] });
  });

  it('range query answers a matrix; the default step is max(floor((end-start)/250s), 1s)', async () => {
    // 1000s / 250 = 4s steps.
    const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query: 'sum(count_over_time({env="prod"}[4s]))', start: String(BASE_S), end: String(BASE_S + 1000) });
    assert.equal(status, 200);
    assert.equal(body.data.resultType, 'matrix');
    assert.equal(body.data.result.length, 1);
    assert.deepEqual(body.data.result[0].metric, {});
    // Entries at 10, 20, 25, 30 fall in the 4s windows ending at 12, 20, 28 and 32.
    assert.deepEqual(body.data.result[0].values, [
      [BASE_S + 12, '1'],
      [BASE_S + 20, '1'],
      [BASE_S + 28, '1'],
      [BASE_S + 32, '1'],
    ]);
  });

  it('range query with step, rate and unwrap', async () => {
    const { body } = await getJson(s, '/loki/api/v1/query_range', {
      query: 'max_over_time({app="shop", env="prod"} | logfmt | unwrap latency [1m]) by (app)',
      start: String(BASE_S + 30),
      end: String(BASE_S + 60),
      step: '30s',
    });
    assert.deepEqual(body.data.result, [{ metric: { app: 'shop' }, values: [[BASE_S + 30, '300'], [BASE_S + 60, '300']] }]);
    const rate = await getJson(s, '/loki/api/v1/query_range', { query: 'sum(rate({app="shop"}[1m]))', start: String(BASE_S + 60), end: String(BASE_S + 60), step: '1' });
    assert.deepEqual(rate.body.data.result, [{ metric: {}, values: [[BASE_S + 60, String(4 / 60)]] }]);
  });

  it('index/volume answers bytes per selector label set, largest first', async () => {
    const { status, body } = await getJson(s, '/loki/api/v1/index/volume', { query: '{app=~".+"}', start: String(BASE_S), end: String(BASE_S + 60) });
    assert.equal(status, 200);
    assert.equal(body.data.resultType, 'vector');
    const shop = ['level=info msg=ok latency=100', 'level=error msg=fail latency=300', 'level=info msg=ok latency=200', 'level=info msg=dev latency=x'].join('').length;
    assert.deepEqual(body.data.result, [
      { metric: { app: 'shop' }, value: [BASE_S + 60, String(shop)] },
      { metric: { app: 'cart' }, value: [BASE_S + 60, String('level=warn slow'.length)] },
    ]);
    const byEnv = await getJson(s, '/loki/api/v1/index/volume', { query: '{app="shop"}', targetLabels: 'env', start: String(BASE_S), end: String(BASE_S + 60) });
    assert.deepEqual(byEnv.body.data.result.map((r: { metric: unknown }) => r.metric), [{ env: 'prod' }, { env: 'dev' }]);
    const labels = await getJson(s, '/loki/api/v1/index/volume', { query: '{app="shop", env=~".+"}', aggregateBy: 'labels', start: String(BASE_S), end: String(BASE_S + 60) });
    assert.deepEqual(labels.body.data.result.map((r: { metric: unknown }) => r.metric).sort(), [{ app: '' }, { env: '' }]);
  });

  it('index/volume_range answers a matrix of bytes per step', async () => {
    const { status, body } = await getJson(s, '/loki/api/v1/index/volume_range', { query: '{app="cart"}', start: String(BASE_S), end: String(BASE_S + 60), step: '30' });
    assert.equal(status, 200);
    assert.equal(body.data.resultType, 'matrix');
    assert.deepEqual(body.data.result, [{ metric: { app: 'cart' }, values: [[BASE_S + 30, String('level=warn slow'.length)]] }]);
  });

  describe('errors', () => {
    it('unwrap of a non-numeric value is Loki\'s pipeline error', async () => {
      const { status, body } = await getJson(s, '/loki/api/v1/query', { query: 'sum_over_time({app="shop"} | logfmt | unwrap latency [1m])', time: String(BASE_S + 60) });
      assert.equal(status, 400);
      assert.match(body, /^pipeline error: 'SampleExtractionErr' for series: '\{__error__="SampleExtractionErr"/);
      assert.match(body, /Use a label filter to intentionally skip this error\. \(e\.g \| __error__!="SampleExtractionErr"\)/);
      const ok = await getJson(s, '/loki/api/v1/query', { query: 'sum(sum_over_time({app="shop"} | logfmt | unwrap latency | __error__="" [1m]))', time: String(BASE_S + 60) });
      assert.deepEqual(ok.body.data.result, [{ metric: {}, value: [BASE_S + 60, '600'] }]);
    });

    it('too many points, bad steps and syntax errors are 400s with Loki\'s texts', async () => {
      const f = async (params: Record<string, string>, want: RegExp): Promise<void> => {
        const { status, body } = await getJson(s, '/loki/api/v1/query_range', params);
        assert.equal(status, 400, JSON.stringify(params));
        assert.match(body, want);
      };
      const q = 'count_over_time({app="shop"}[1m])';
      await f({ query: q, start: String(BASE_S), end: String(BASE_S + 20_000), step: '1' }, /^exceeded maximum resolution of 11,000 points per timeseries\. Try decreasing the query resolution \(\?step=XX\)/);
      await f({ query: q, start: String(BASE_S), end: String(BASE_S + 60), step: '0' }, /^zero or negative query resolution step widths are not accepted/);
      await f({ query: q, start: String(BASE_S), end: String(BASE_S + 60), step: 'soon' }, /^cannot parse parameter step/);
      await f({ query: 'sum(count_over_time({app="shop"}[1m])', start: String(BASE_S), end: String(BASE_S + 60) }, /^parse error at line 1, col \d+/);
    });
  });
});

describe('metric queries with query.alignQueriesWithStep', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer({ env: { LOGSENTINEL_QUERY_ALIGN_QUERIES_WITH_STEP: 'true' } });
    const values = [10, 70, 130, 190].map((sec) => [ns(sec), `line at ${sec}`]);
    const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { app: 'al' }, values }] }) });
    assert.equal(r.status, 204);
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('moves start and end down to multiples of the step, as Loki does, and counts the same', async () => {
    // BASE_S is a whole minute: asked from 17 s past it, the points fall on whole minutes.
    const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query: 'sum(count_over_time({app="al"}[1m]))', start: String(BASE_S + 17), end: String(BASE_S + 200), step: '60' });
    assert.equal(status, 200);
    const values = body.data.result[0].values as Array<[number, string]>;
    assert.deepEqual(values, [
      [BASE_S + 60, '1'],
      [BASE_S + 120, '1'],
      [BASE_S + 180, '1'],
    ]);
  });
});
