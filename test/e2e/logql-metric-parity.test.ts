/**
 * End to end over HTTP against a fresh server: metric queries replayed the way Loki 3's engine
 * answers them (division by zero, vector matching errors, rate_counter and avg_over_time
 * arithmetic, approx_topk, hex literals, negative offset, absent_over_time with unwrap, grouping
 * refused on range aggregations) and the instant endpoint refusing log queries.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, removeDir, type ServerHandle, getJson } from './harness.js';

// A whole minute ten minutes ago, so that times are round numbers of seconds.
const BASE_S = Math.floor(Date.now() / 60_000) * 60 - 600;
const ns = (s: number): string => (BigInt(BASE_S + s) * 1_000_000_000n).toString();
const AT = String(BASE_S + 60);

describe('LogQL metric parity with Loki 3, over HTTP', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
    const r = await fetch(s.url + '/loki/api/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        streams: [
          { stream: { app: 'pay', env: 'prod' }, values: [[ns(10), 'n=10 v=1'], [ns(20), 'n=20 v=3']] },
          { stream: { app: 'web', env: 'prod' }, values: [[ns(30), 'n=30 v=+Inf']] },
          { stream: { app: 'web', env: 'dev' }, values: [[ns(40), 'n=5 v=2'], [ns(50), 'n=6 v=4']] },
        ],
      }),
    });
    assert.equal(r.status, 204);
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  /** Instant query: the `metric=value` pairs, sorted, or the plain-text error with its status. */
  const instant = async (query: string): Promise<{ status: number; result: string[]; error?: string }> => {
    const { status, body } = await getJson(s, '/loki/api/v1/query', { query, time: AT });
    if (status !== 200) return { status, result: [], error: String(body).trim() };
    const data = body.data as { resultType: string; result: unknown };
    if (data.resultType === 'scalar') return { status, result: [`scalar=${(data.result as [number, string])[1]}`] };
    const rows = (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => {
      const m = Object.entries(r.metric)
        // The level column and Loki 3's detected_level ride along on ungrouped series; the
        // arithmetic is what is compared here.
        .filter(([k]) => k !== 'level' && k !== 'detected_level')
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return `{${m}}=${r.value[1]}`;
    });
    return { status, result: rows.sort() };
  };
  const C = 'count_over_time({env=~".+"}[1m])';

  it('replays arithmetic and matching as Loki computes it', async () => {
    const f = async (query: string, want: string[]): Promise<void> => {
      const got = await instant(query);
      assert.equal(got.status, 200, `${query}: ${got.error}`);
      assert.deepEqual(got.result, want, query);
    };
    await f('1 / 0', ['scalar=NaN']);
    await f(`sum(${C}) / 0`, ['{}=NaN']);
    await f(`sum(${C}) % 0`, ['{}=NaN']);
    await f(`sum by (app, env) (${C}) / on (app) group_left sum by (app) (${C})`, ['{app=pay,env=prod}=1', '{app=web,env=dev}=0.6666666666666666', '{app=web,env=prod}=0.3333333333333333']);
    await f(`sum by (app, env) (${C}) > bool ignoring (env) group_left sum by (app) (${C}) / 2`, ['{app=pay,env=prod}=1', '{app=web,env=dev}=1', '{app=web,env=prod}=0']);
    await f(`sum by (app) (${C}) * 0x1p-1`, ['{app=pay}=1', '{app=web}=1.5']);
    await f(`label_replace(sum by (app) (${C}), "svc", "s-$1", "app", "(.*)")`, ['{app=pay,svc=s-pay}=2', '{app=web,svc=s-web}=3']);
    await f(`approx_topk(1, sum by (app) (${C}))`, ['{app=web}=3']);
    await f('avg_over_time({app="web"} | logfmt v | unwrap v [1m])', ['{app=web,env=dev}=3', '{app=web,env=prod}=+Inf']);
    await f('quantile_over_time(2, {app="pay"} | logfmt | unwrap v [1m]) by (app)', ['{app=pay}=+Inf']);
    // Loki's rate_counter: increase 10 over a 10e9/1000 sampled interval, stretched by the 60s range.
    await f('rate_counter({app="pay"} | logfmt n | unwrap n [1m])', [`{app=pay,env=prod}=${(10 * (1e7 + 60)) / 1e7 / 60}`]);
    await f('count_over_time({app="pay"}[30s] offset -20s)', []);
    await f('absent_over_time({app="nope"} | logfmt | unwrap n [1m])', ['{app=nope}=1']);
    await f('sum(count_over_time({app="pay"} | logfmt | __error__ > 0 [1m]))', []);
  });

  it('a negative offset reads after the evaluation time', async () => {
    const { status, body } = await getJson(s, '/loki/api/v1/query', { query: 'count_over_time({app="pay"}[30s] offset -20s)', time: String(BASE_S) });
    assert.equal(status, 200);
    assert.equal(body.data.result.length, 1);
    assert.equal(body.data.result[0].value[1], '2');
  });

  it('answers Loki\'s errors with their texts as 400s', async () => {
    const f = async (query: string, error: string | RegExp): Promise<void> => {
      const got = await instant(query);
      assert.equal(got.status, 400, query);
      if (typeof error === 'string') assert.equal(got.error, error, query);
      else assert.match(got.error ?? '', error, query);
    };
    await f(`sum by (app, env) (${C}) / on (app) sum by (app) (${C})`, 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    await f(`sum by (app, env) (${C}) / on (app) group_left (env) sum by (app) (${C})`, 'multiple matches for labels: grouping labels must ensure unique matches');
    await f(`sum by (app) (${C}) / on (app) group_left sum by (app, env) (${C})`, 'found duplicate series on the right hand-side;many-to-many matching not allowed: matching labels must be unique on one side');
    await f('sum_over_time({app="pay"} | logfmt | unwrap n [1m]) by (app)', /^parse error at line 1, col 1: grouping not allowed for sum_over_time aggregation$/);
    await f('rate_counter({app="pay"} | logfmt | unwrap n [1m]) by (app)', /grouping not allowed for rate_counter aggregation$/);
    await f('approx_topk(1, sum by (app) (count_over_time({app="pay"}[1m]))) by (app)', /grouping not allowed for approx_topk aggregation$/);
    await f('vector(1) * 0x10', /unable to parse literal as a float: strconv\.ParseFloat: parsing "0x10": invalid syntax$/);
    await f('{app="pay"}', 'log queries are not supported as an instant query type, please change your query to a range query type');
    await f('{app="pay"} | logfmt | n > 5', 'log queries are not supported as an instant query type, please change your query to a range query type');
  });

  it('approx_topk is an instant query only, as Loki has it', async () => {
    const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query: `approx_topk(1, ${C})`, start: String(BASE_S), end: AT, step: '10' });
    assert.equal(status, 400);
    assert.equal(String(body).trim(), 'approx_topk error: count min sketches are only supported on instant queries');
  });

  it('query_range still answers the log query the instant endpoint refuses', async () => {
    const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query: '{app="pay"}', start: String(BASE_S), end: AT });
    assert.equal(status, 200);
    assert.equal(body.data.resultType, 'streams');
    assert.equal(body.data.result[0].values.length, 2);
  });
});
