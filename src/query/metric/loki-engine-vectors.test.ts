/**
 * Metric-query parity with Loki 3's engine, case by case from what Loki's pkg/logql engine and
 * evaluator specify (evaluator.go `vectorBinop`, syntax/binop.go, range_vector.go, ast.go
 * `validate`): our own data, Loki's arithmetic and Loki's error texts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage, StoredRow, StreamInfo, SelectPlan } from '../../storage/storage.js';
import { LogSentinelError } from '../../errors.js';
import { labelsToString } from '../../model/labels.js';
import { evaluateInstantExpr, evaluateRangeExpr, parseMetricQuery } from './engine.js';
import { formatExpr } from '../../logql/format.js';

const S = 1_000_000_000n;
const T = 100n * S;

interface Row {
  labels: Record<string, string>;
  /** Seconds. */
  at: number;
  line: string;
}

/** Streams (distinct label sets) and their rows, served by `select` only (no push-down). */
function storage(rows: Row[]): Storage {
  const streams: StreamInfo[] = [];
  const stored: StoredRow[] = [];
  for (const r of rows) {
    const key = labelsToString(r.labels);
    let s = streams.find((x) => labelsToString(x.labels) === key);
    if (!s) {
      s = { tenant: 't', id: BigInt(streams.length + 1), labels: r.labels, firstTs: 0n, lastTs: 1000n * S };
      streams.push(s);
    }
    stored.push({ streamId: s.id, ts: BigInt(r.at * 1e9), line: r.line, level: 'unknown' });
  }
  return {
    name: 'vectors',
    open: async () => undefined,
    write: async () => undefined,
    streams: async (tenant) => (tenant === 't' ? streams : []),
    async *select(p: SelectPlan) {
      const out = stored.filter((r) => r.ts >= p.start && r.ts < p.end && p.streamIds.includes(r.streamId));
      out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      yield p.direction === 'backward' ? out.reverse() : out;
    },
    countBuckets: async () => {
      throw new Error('BUG: these tests read rows');
    },
    levels: async () => ['unknown'],
    stats: async () => ({ streams: 0, chunks: 0, entries: 0, bytes: 0 }),
    applyRetention: async () => 0,
    sizeBytes: async () => 0,
    close: async () => undefined,
  };
}

const opts = { tenants: ['t'], limits: { pushDown: false } };

/** Instant result as `labels=value` strings, sorted (Loki's vector order is not specified). */
async function instant(st: Storage, q: string, at = T): Promise<string[]> {
  const r = (await evaluateInstantExpr(st, parseMetricQuery(q), at, opts)).result;
  if (r.type === 'scalar') return [`scalar=${r.value}`];
  // The fake store's level column is `unknown` on every row; leave it (and the detected_level it
  // gives) out of the comparison.
  return r.samples.map((s) => `${labelsToString(withoutUnknownLevel(s.labels))}=${s.value}`).sort();
}

function withoutUnknownLevel(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!((k === 'level' || k === 'detected_level') && v === 'unknown')) out[k] = v;
  return out;
}

async function fails(p: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof LogSentinelError, String(err));
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

// Two lines of app a, three of app b split over two envs, in the minute before T.
const LINES = storage([
  { labels: { app: 'a', env: 'prod' }, at: 50, line: 'v=1' },
  { labels: { app: 'a', env: 'prod' }, at: 60, line: 'v=3' },
  { labels: { app: 'b', env: 'prod' }, at: 70, line: 'v=10' },
  { labels: { app: 'b', env: 'dev' }, at: 80, line: 'v=20' },
  { labels: { app: 'b', env: 'dev' }, at: 90, line: 'v=30' },
]);
const C = 'count_over_time({env=~".+"}[1m])';

describe('Loki engine parity: binary operators', () => {
  it('x / 0 and x % 0 are NaN in every combination, as Loki guards them', async () => {
    const f = async (q: string, want: string[]): Promise<void> => assert.deepEqual(await instant(LINES, q), want, q);
    await f('1 / 0', ['scalar=NaN']);
    await f('-1 / 0', ['scalar=NaN']);
    await f('0 / 0', ['scalar=NaN']);
    await f('5 % 0', ['scalar=NaN']);
    await f('7 % 4', ['scalar=3']);
    await f(`sum(${C}) / 0`, ['{}=NaN']);
    await f(`0 / sum(${C})`, ['{}=0']);
    await f(`sum(${C}) % 0`, ['{}=NaN']);
    await f(`sum by (app) (${C}) / (sum by (app) (${C}) - sum by (app) (${C}))`, ['{app="a"}=NaN', '{app="b"}=NaN']);
    await f(`sum by (app) (${C}) / sum by (app) (${C})`, ['{app="a"}=1', '{app="b"}=1']);
  });

  it('group_left/group_right join the "one" side and take its included labels', async () => {
    const f = async (q: string, want: string[]): Promise<void> => assert.deepEqual(await instant(LINES, q), want, q);
    await f(`sum by (app, env) (${C}) / on (app) group_left sum by (app) (${C})`, [
      '{app="a", env="prod"}=1',
      '{app="b", env="dev"}=0.6666666666666666',
      '{app="b", env="prod"}=0.3333333333333333',
    ]);
    await f(`sum by (app) (${C}) / on (app) group_right sum by (app, env) (${C})`, ['{app="a", env="prod"}=1', '{app="b", env="dev"}=1.5', '{app="b", env="prod"}=3']);
    await f(`sum by (app, env) (${C}) > bool ignoring (env) group_left sum by (app) (${C}) / 2`, [
      '{app="a", env="prod"}=1',
      '{app="b", env="dev"}=1',
      '{app="b", env="prod"}=0',
    ]);
    // A comparison without bool keeps the left-hand value of the pairs that pass.
    await f(`sum by (app, env) (${C}) > ignoring (env) group_left sum by (app) (${C}) / 2`, ['{app="a", env="prod"}=2', '{app="b", env="dev"}=2']);
  });

  it('a match that is not unique fails with Loki\'s "multiple matches for labels" texts', async () => {
    const f = (q: string, message: string): Promise<void> => fails(instant(LINES, q), 'BAD_REQUEST', message);
    // Two left series share the signature {app="b"}: Loki wants group_left.
    await f(`sum by (app, env) (${C}) / on (app) sum by (app) (${C})`, 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    // Loki checks before the comparison would have filtered the pair out.
    await f(`sum by (app, env) (${C}) > on (app) sum by (app) (${C}) * 100`, 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    // group_left(env) takes env from the right side, which has none: both b series become {app="b"}.
    await f(`sum by (app, env) (${C}) / on (app) group_left (env) sum by (app) (${C})`, 'multiple matches for labels: grouping labels must ensure unique matches');
    // The "one" side itself is not unique.
    await f(`sum by (app) (${C}) / on (app) group_left sum by (app, env) (${C})`, 'found duplicate series on the right hand-side;many-to-many matching not allowed: matching labels must be unique on one side');
    await f(`sum by (app, env) (${C}) / on (app) group_right sum by (app) (${C})`, 'found duplicate series on the left hand-side;many-to-many matching not allowed: matching labels must be unique on one side');
  });

  it('set operators match on signatures and keep the left sample', async () => {
    const f = async (q: string, want: string[]): Promise<void> => assert.deepEqual(await instant(LINES, q), want, q);
    await f(`sum by (app, env) (${C}) and on (app) sum by (app) (count_over_time({app="a"}[1m]))`, ['{app="a", env="prod"}=2']);
    await f(`sum by (app, env) (${C}) unless on (app) sum by (app) (count_over_time({app="a"}[1m]))`, ['{app="b", env="dev"}=2', '{app="b", env="prod"}=1']);
    await f(`sum by (app) (count_over_time({app="a"}[1m])) or sum by (app) (${C}) * 10`, ['{app="a"}=2', '{app="b"}=30']);
  });

  it('label_replace sets, overwrites and deletes labels as Loki does', async () => {
    const f = async (q: string, want: string[]): Promise<void> => assert.deepEqual(await instant(LINES, q), want, q);
    await f(`label_replace(sum by (app) (${C}), "svc", "x-$1", "app", "(.*)")`, ['{app="a", svc="x-a"}=2', '{app="b", svc="x-b"}=3']);
    await f(`label_replace(sum by (app) (${C}), "app", "", "app", "a")`, ['{app="b"}=3', '{}=2']);
    await f(`label_replace(sum by (app) (${C}), "svc", "$1", "nope", "(.+)")`, ['{app="a"}=2', '{app="b"}=3']);
  });
});

describe('Loki engine parity: range aggregations', () => {
  // Counter values of one stream, 10s apart; one reset (30 → 5).
  const counter = storage([
    { labels: { app: 'c' }, at: 50, line: 'n=10' },
    { labels: { app: 'c' }, at: 60, line: 'n=20' },
    { labels: { app: 'c' }, at: 70, line: 'n=30' },
    { labels: { app: 'c' }, at: 80, line: 'n=5' },
  ]);

  it('rate_counter runs Loki\'s extrapolatedRate (start distance = range, end distance 0, ns/1000 intervals)', async () => {
    // Increase: (5 - 10) + 30 (reset) = 25. Sampled 30e9 ns / 1000 = 3e7, average gap 1e7;
    // the zero point (3e7 × 10/25 = 1.2e7) is not nearer than the 60s range; 60 < 1.1e7, so the
    // interval grows by 60 and the result is 25 × (3e7 + 60) / 3e7 / 60.
    const got = await instant(counter, 'rate_counter({app="c"} | logfmt | unwrap n [1m])');
    assert.deepEqual(got, [`{app="c"}=${(25 * (3e7 + 60)) / 3e7 / 60}`]);
    assert.deepEqual(await instant(counter, 'rate_counter({app="c"} | logfmt | unwrap n [1m])', 55n * S), ['{app="c"}=0']);
  });

  it('avg_over_time over infinities follows Loki\'s running mean', async () => {
    const f = async (values: string[], want: string): Promise<void> => {
      const st = storage(values.map((v, i) => ({ labels: { app: 'i' }, at: 50 + i, line: `v=${v}` })));
      assert.deepEqual(await instant(st, 'avg_over_time({app="i"} | logfmt | unwrap v [1m])'), [`{app="i"}=${want}`], values.join(','));
    };
    await f(['1', '2', '3', '4'], '2.5');
    await f(['+Inf', '1', '2'], 'Infinity');
    await f(['1', '+Inf', '2'], 'Infinity');
    await f(['-Inf', '1', '-Inf'], '-Infinity');
    await f(['+Inf', '-Inf'], 'NaN');
    await f(['1', 'NaN', '2'], 'NaN');
  });

  it('quantile_over_time with φ above 1 is +Inf; a negative φ does not parse, as in Loki\'s grammar', async () => {
    assert.deepEqual(await instant(LINES, 'quantile_over_time(1.5, {app="b"} | logfmt | unwrap v [1m])'), ['{app="b", env="dev"}=Infinity', '{app="b", env="prod"}=Infinity']);
    assert.deepEqual(await instant(LINES, 'quantile_over_time(0.5, {app="b"} | logfmt | unwrap v [1m])'), ['{app="b", env="dev"}=25', '{app="b", env="prod"}=10']);
    assert.throws(() => parseMetricQuery('quantile_over_time(-0.5, {app="b"} | logfmt | unwrap v [1m])'), /syntax error: unexpected -/);
  });

  it('a negative offset looks forward; absent_over_time takes an unwrap', async () => {
    assert.deepEqual(await instant(LINES, 'count_over_time({app="a"}[30s] offset -20s)', 40n * S), ['{app="a", env="prod"}=2']);
    assert.deepEqual(await instant(LINES, 'count_over_time({app="a"}[30s])', 40n * S), []);
    assert.deepEqual(await instant(LINES, 'absent_over_time({app="zzz"} | logfmt | unwrap v [1m])'), ['{app="zzz"}=1']);
    assert.deepEqual(await instant(LINES, 'absent_over_time({app="a"} | logfmt | unwrap v [1m])'), []);
  });

  it('hexadecimal float literals are numbers, as strconv.ParseFloat reads them', async () => {
    assert.deepEqual(await instant(LINES, `sum(${C}) * 0x1p-2`), ['{}=1.25']);
    assert.deepEqual(await instant(LINES, '0x1.8p1 + 0X_Ap0'), ['scalar=13']);
    assert.throws(() => parseMetricQuery('vector(1) * 0x10'), /unable to parse literal as a float: strconv\.ParseFloat: parsing "0x10": invalid syntax/);
  });
});

describe('Loki engine parity: vector aggregations', () => {
  it('approx_topk answers the exact top k on instant queries and refuses range queries as Loki does', async () => {
    assert.deepEqual(await instant(LINES, `approx_topk(1, sum by (app) (${C}))`), ['{app="b"}=3']);
    assert.deepEqual(await instant(LINES, `approx_topk(5, ${C})`), ['{app="a", env="prod"}=2', '{app="b", env="dev"}=2', '{app="b", env="prod"}=1']);
    await fails(
      evaluateRangeExpr(LINES, parseMetricQuery(`approx_topk(1, ${C})`), 60n * S, T, 10n * S, opts),
      'LOGQL_UNSUPPORTED',
      'approx_topk error: count min sketches are only supported on instant queries',
    );
  });

  it('stddev and stdvar start from the first value as Loki does (infinities give NaN, not a crash)', async () => {
    const [v] = await instant(LINES, `stdvar(${C})`);
    assert.ok(Math.abs(Number(v.slice(3)) - 2 / 9) < 1e-15, v);
    const inf = storage([
      { labels: { app: 'x' }, at: 50, line: 'v=+Inf' },
      { labels: { app: 'y' }, at: 50, line: 'v=1' },
    ]);
    assert.deepEqual(await instant(inf, 'stddev(max_over_time({app=~"x|y"} | logfmt | unwrap v [1m]) by (app))'), ['{}=NaN']);
    // Loki's vector avg has no guard for infinities (unlike avg_over_time): Inf then 1 is NaN.
    assert.deepEqual(await instant(inf, 'avg(max_over_time({app=~"x|y"} | logfmt | unwrap v [1m]) by (app))'), ['{}=NaN']);
  });
});

describe('Loki parse parity for metric queries', () => {
  const ok = (q: string): void => assert.doesNotThrow(() => parseMetricQuery(q), q);
  const bad = (q: string, message: RegExp): void => assert.throws(() => parseMetricQuery(q), message, q);

  it('accepts what Loki accepts', () => {
    ok('count_over_time({a="b"}[5m] offset -1h)');
    ok('sum(rate({a="b"} | json [5m] offset -30s))');
    ok('absent_over_time({a="b"} | unwrap x [5m])');
    ok('count_over_time({a="b"} | json | __error__ > 0 [5m])');
    ok('sum(count_over_time({a="b"}[5m])) * 0x1p-2');
    ok('approx_topk(3, sum by (a) (count_over_time({a="b"}[5m])))');
    ok('quantile_over_time(2, {a="b"} | unwrap x [5m]) by (a)');
    for (const op of ['avg', 'min', 'max', 'stddev', 'stdvar', 'first', 'last']) ok(`${op}_over_time({a="b"} | unwrap x [5m]) by (a)`);
    ok('rate({a="b"} | unwrap x [5m])');
    ok('rate_counter({a="b"} | unwrap x [5m])');
  });

  it('prints the new forms back so that they parse to the same tree', () => {
    for (const q of ['approx_topk(3, sum by (a) (count_over_time({a="b"}[5m])))', 'count_over_time({a="b"}[5m] offset -1h)', 'sum(count_over_time({a="b"}[5m])) * 0x1p-2', 'absent_over_time({a="b"} | unwrap x [5m])']) {
      assert.deepEqual(parseMetricQuery(formatExpr(parseMetricQuery(q))), parseMetricQuery(q), q);
    }
  });

  it('refuses what Loki refuses, with its texts', () => {
    for (const op of ['sum_over_time', 'rate_counter', 'rate']) {
      bad(`${op}({a="b"} | unwrap x [5m]) by (a)`, new RegExp(`grouping not allowed for ${op} aggregation$`));
    }
    bad('count_over_time({a="b"}[5m]) without (a)', /grouping not allowed for count_over_time aggregation$/);
    bad('absent_over_time({a="b"}[5m]) by (a)', /grouping not allowed for absent_over_time aggregation$/);
    bad('bytes_rate({a="b"} | unwrap x [5m])', /invalid aggregation bytes_rate with unwrap$/);
    bad('sum_over_time({a="b"}[5m])', /invalid aggregation sum_over_time without unwrap$/);
    bad('approx_topk(2, count_over_time({a="b"}[5m])) by (a)', /grouping not allowed for approx_topk aggregation$/);
    bad('approx_topk by (a) (2, count_over_time({a="b"}[5m]))', /grouping not allowed for approx_topk aggregation$/);
    bad('approx_topk(count_over_time({a="b"}[5m]))', /parameter required for operation approx_topk$/);
    bad('topk(0, count_over_time({a="b"}[5m]))', /invalid parameter \(must be greater than 0\) topk\(0$/);
    bad('bottomk(1.5, count_over_time({a="b"}[5m]))', /invalid parameter bottomk\(1\.5,$/);
    bad('sum(2, count_over_time({a="b"}[5m]))', /unsupported parameter for operation sum\(2,$/);
    bad('rate(0.5, {a="b"}[5m])', /parameter 0\.5 not supported for operation rate$/);
    bad('quantile_over_time({a="b"} | unwrap x [5m])', /parameter required for operation quantile_over_time$/);
  });

  it('answers TestParse error cases with Loki\'s texts and positions', () => {
    const f = (q: string, want: string): void => assert.throws(() => parseMetricQuery(q), (err: Error) => err.message === want, q);
    f('unk({ foo = "bar" }[5m])', 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER');
    f('min({ foo = "bar" }[5m])', 'parse error at line 1, col 20: syntax error: unexpected RANGE');
    f('stddev({ foo = "bar" })', 'parse error at line 1, col 23: syntax error: unexpected )');
    f('bottomk(he,count_over_time({ foo = "bar" }[5h]))', 'parse error at line 1, col 9: syntax error: unexpected IDENTIFIER');
    f('label_replace(rate({ foo = "bar" }[5m]),"")', 'parse error at line 1, col 43: syntax error: unexpected ), expecting ,');
    // Loki reports these at line 0, col 0 ("parse error : …"); the message after the position is the same.
    const g = (q: string, msg: string): void => assert.throws(() => parseMetricQuery(q), (err: Error) => err.message.endsWith(': ' + msg), q);
    g('label_replace(rate({ foo = "bar" }[5m]),"foo","$1","bar","^^^^x43\\\\q")', 'invalid regex in label_replace: error parsing regexp: invalid escape sequence: `\\q`');
    g('label_replace(rate({ foo = "bar" }[5m]),"foo","$1","bar","(")', 'invalid regex in label_replace: error parsing regexp: missing closing ): `^(?:()$`');
    g('sum(3 ,count_over_time({ foo = "bar" }[5h]))', 'unsupported parameter for operation sum(3,');
    g('topk(count_over_time({ foo = "bar" }[5h]))', 'parameter required for operation topk');
    g('bottomk(1.2,count_over_time({ foo = "bar" }[5h]))', 'invalid parameter bottomk(1.2,');
    g('absent_over_time({ foo = "bar" }[5h]) by (foo)', 'grouping not allowed for absent_over_time aggregation');
    g('approx_topk(2, count_over_time({ foo = "bar" }[5h])) by (foo)', 'grouping not allowed for approx_topk aggregation');
  });
});

/**
 * Loki's TestEngine_InstantQuery vectors over the same data: `newSeries(300, f, labels)` is one
 * line per i in [0, 300) at time f(i) seconds — identity: i, factor(n): i×n, offset(n): i+n.
 * The result order is compared only for sort/sort_desc (elsewhere Loki's order is a map's).
 */
describe('Loki engine parity: TestEngine_InstantQuery vectors', () => {
  const identity = (i: number): number => i;
  const factor = (n: number) => (i: number): number => i * n;
  const offset = (n: number) => (i: number): number => i + n;
  const series = (labels: Record<string, string>, f: (i: number) => number): Row[] =>
    Array.from({ length: 300 }, (_, i) => ({ labels, at: f(i), line: 'x bar' })).filter((r) => r.at <= 400);
  const st = storage([
    ...series({ app: 'foo' }, factor(10)),
    ...series({ app: 'bar' }, offset(46)),
    ...series({ app: 'fuzz' }, factor(5)),
    ...series({ app: 'buzz' }, identity),
    ...series({ app: 'ns', namespace: 'a' }, factor(10)),
    ...series({ app: 'nsb', namespace: 'b' }, factor(2)),
    ...series({ app: 'm', machine: 'fuzz' }, identity),
    ...series({ app: 'm', machine: 'buzz' }, identity),
    ...series({ app: 'm', pool: 'foo' }, identity),
  ]);
  const at60 = 60n * S;
  const R = 'rate(({app=~"foo|bar|fuzz|buzz"} |~".+bar")[1m])';
  const f = async (q: string, want: string[], at = at60): Promise<void> => assert.deepEqual(await instant(st, q, at), [...want].sort(), q);
  const ordered = async (q: string, want: string[]): Promise<void> => {
    const r = (await evaluateInstantExpr(st, parseMetricQuery(q), at60, opts)).result;
    assert.ok(r.type === 'vector');
    assert.deepEqual(
      r.samples.map((x) => `${x.labels.app}=${x.value}`),
      want,
      q,
    );
  };

  it('range aggregations and their vector aggregations', async () => {
    await f('rate({app="foo"} |~".+bar" [1m])', ['{app="foo"}=0.1']);
    await f('rate({app="bar"}[30s])', ['{app="bar"}=0.5']);
    await f('count_over_time({app="foo"} |~".+bar" [1m])', ['{app="foo"}=6']);
    await f('count_over_time(({app="foo"} |~".+bar")[5m])', ['{app="foo"}=30'], 300n * S);
    await f('avg(count_over_time({app=~"foo|ns"} |~".+bar" [1m]))', ['{}=6']);
    await f('min(rate({app=~"foo|fuzz"} |~".+bar" [1m]))', ['{}=0.1']);
    await f('max by (app) (rate({app=~"foo|fuzz"} |~".+bar" [1m]))', ['{app="foo"}=0.1', '{app="fuzz"}=0.2']);
    await f('max(rate({app=~"foo|fuzz"} |~".+bar" [1m]))', ['{}=0.2']);
    await f('sum(rate({app=~"foo|ns"} |~".+bar" [1m]))', ['{}=0.2']);
    await f('sum(count_over_time({app=~"foo|ns"} |~".+bar" [1m])) by (app)', ['{app="foo"}=6', '{app="ns"}=6']);
    await f('sum(count_over_time({app=~"ns|nsb"} |~".+bar" [1m])) by (namespace,app)', ['{app="ns", namespace="a"}=6', '{app="nsb", namespace="b"}=30']);
    await f('sum(count_over_time({app=~"ns|nsb"} |~".+bar" [1m] offset 30s)) by (namespace,app)', ['{app="ns", namespace="a"}=6', '{app="nsb", namespace="b"}=30'], 90n * S);
    await f('label_replace(sum(count_over_time({app=~"foo|bar"} |~".+bar" [1m])) by (namespace,app), "new", "$1", "app", "f(.*)")', ['{app="bar"}=15', '{app="foo", new="oo"}=6']);
    await f('count(count_over_time({app=~"foo|ns"} |~".+bar" [1m])) without (app)', ['{namespace="a"}=1', '{}=1']);
    await f('stdvar without (app) (count_over_time(({app=~"foo|fuzz"} |~".+bar")[1m]))', ['{}=9']);
    await f('stddev(count_over_time(({app=~"foo|nsb"} |~".+bar")[1m]))', ['{}=12']);
    await f(R, ['{app="bar"}=0.25', '{app="buzz"}=1', '{app="foo"}=0.1', '{app="fuzz"}=0.2']);
  });

  it('unwrapped rate, rate_counter and first_over_time (TestEngine_InstantQuery)', async () => {
    // offset(46, incValue(1)): a line per second from 46s whose value is its time + 1.
    const inc = storage(Array.from({ length: 300 }, (_, i) => ({ labels: { app: 'foo' }, at: 46 + i, line: `foo=${47 + i}` })));
    const two = storage(Array.from({ length: 300 }, (_, i) => ({ labels: { app: 'foo' }, at: 46 + i, line: 'foo=2' })));
    const g = async (st2: Storage, q: string, want: string[]): Promise<void> => assert.deepEqual(await instant(st2, q, at60), want, q);
    await g(inc, 'rate({app="foo"} | logfmt | unwrap foo [30s])', ['{app="foo"}=27']);
    await g(two, 'rate({app="foo"} | logfmt | unwrap foo [30s])', ['{app="foo"}=1']);
    await g(two, 'rate_counter({app="foo"} | logfmt | unwrap foo [30s])', ['{app="foo"}=0']);
    // Loki's own expected value, to the last digit: (61 - 47) / 30 stretched by its extrapolation.
    await g(inc, 'rate_counter({app="foo"} | logfmt | unwrap foo [30s])', ['{app="foo"}=0.46666766666666665']);
    await g(inc, 'first_over_time({app="foo"} | logfmt | unwrap foo [1m])', ['{app="foo"}=47']);
    await f('absent_over_time(({app="nope"} |~".+bar")[5m])', ['{app="nope"}=1'], 300n * S);
    await f('absent_over_time(({app="foo"} |~".+bar")[5m])', [], 300n * S);
  });

  it('a range query steps the same windows (TestEngine_RangeQuery)', async () => {
    const two = storage(Array.from({ length: 300 }, (_, i) => ({ labels: { app: 'foo' }, at: 2 * i, line: 'x' })));
    const r = (await evaluateRangeExpr(two, parseMetricQuery('rate({app="foo"}[30s])'), 60n * S, 120n * S, 15n * S, opts)).result;
    assert.deepEqual(
      r.series.map((x) => x.points.map(([t, v]) => `${t / S}:${v}`)),
      [['60:0.5', '75:0.5', '90:0.5', '105:0.5', '120:0.5']],
    );
  });

  it('topk, bottomk, sort and sort_desc', async () => {
    await f(`topk(2,${R})`, ['{app="bar"}=0.25', '{app="buzz"}=1']);
    await f(`topk(1,${R})`, ['{app="buzz"}=1']);
    await f(`topk(1,${R}) by (app)`, ['{app="bar"}=0.25', '{app="buzz"}=1', '{app="foo"}=0.1', '{app="fuzz"}=0.2']);
    await f(`bottomk(2,${R})`, ['{app="foo"}=0.1', '{app="fuzz"}=0.2']);
    await f(`bottomk(3,${R}) without (app)`, ['{app="bar"}=0.25', '{app="foo"}=0.1', '{app="fuzz"}=0.2']);
    await f(`bottomk(3,${R}) without (app) + 1`, ['{app="bar"}=1.25', '{app="foo"}=1.1', '{app="fuzz"}=1.2']);
    await ordered(`sort(${R}) + 1`, ['foo=1.1', 'fuzz=1.2', 'bar=1.25', 'buzz=2']);
    await ordered(`sort_desc(${R}) + 1`, ['buzz=2', 'bar=1.25', 'fuzz=1.2', 'foo=1.1']);
  });

  it('literals, comparisons and vector matching', async () => {
    await f('1+1', ['scalar=2']);
    await f('2', ['scalar=2']);
    await f('vector(2)', ['{}=2']);
    await f('1 == 1', ['scalar=1']);
    await f('1 == bool 1', ['scalar=1']);
    await f('10 / 5 / 2', ['scalar=1']);
    await f('10 / (5 / 2)', ['scalar=4']);
    await f('10 / ((rate({app="buzz"} |~".+bar" [1m]) /5))', ['{app="buzz"}=50']);
    await f('count_over_time({app="buzz"}[1m]) > 1', ['{app="buzz"}=60']);
    await f('1 < count_over_time({app="buzz"}[1m])', ['{app="buzz"}=60']);
    await f('count_over_time({app="buzz"}[1m]) > count_over_time({app="nope"}[1m])', []);
    await f('count_over_time({app="buzz"}[1m]) > bool count_over_time({app="nope"}[1m])', []);
    await f('sum without(app) (count_over_time({app="buzz"}[1m])) >= sum without(app) (count_over_time({app="foo"}[1m]))', ['{}=60']);
    await f('sum by (app) (count_over_time({app="buzz"}[1m])) + sum by (app) (count_over_time({app="foo"}[1m]))', []);
    await f('sum by (app) (count_over_time({app="buzz"}[1m])) + sum by (app) (count_over_time({app="buzz"}[1m]))', ['{app="buzz"}=120']);
    const M = (sel: string): string => `count_over_time({app="m", ${sel}}[1m])`;
    await f(`sum by (app,machine) (${M('machine="fuzz"')}) + on () sum by (app) (${M('pool="foo"')})`, ['{}=120']);
    await f(`sum by (app,machine) (${M('machine="fuzz"')}) + on (app) sum by (app) (${M('pool="foo"')})`, ['{app="m"}=120']);
    await f(`sum by (app,machine) (${M('machine="fuzz"')}) > bool ignoring (machine) sum by (app) (${M('pool="foo"')})`, ['{app="m"}=0']);
    await fails(
      instant(st, `sum by (app,machine) (${M('machine=~".+"')}) > bool ignoring (machine) sum by (app) (${M('pool="foo"')})`),
      'BAD_REQUEST',
      'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    );
    await f(`sum by (app,machine) (${M('machine=~".+"')}) > bool on () group_left sum by (app) (${M('pool="foo"')})`, ['{app="m", machine="buzz"}=0', '{app="m", machine="fuzz"}=0']);
    await f(`sum by (app,machine) (${M('machine=~".+"')}) > bool on () group_left () sum by (app) (${M('pool="foo"')})`, ['{app="m", machine="buzz"}=0', '{app="m", machine="fuzz"}=0']);
    await f(`sum by (app,machine) (${M('machine=~".+"')}) > bool on (app) group_left (pool) sum by (app,pool) (${M('pool="foo"')})`, [
      '{app="m", machine="buzz", pool="foo"}=0',
      '{app="m", machine="fuzz", pool="foo"}=0',
    ]);
    await f(`sum by (app,pool) (${M('pool="foo"')}) > bool on (app) group_right (pool) sum by (app,machine) (${M('machine=~".+"')})`, [
      '{app="m", machine="buzz", pool="foo"}=0',
      '{app="m", machine="fuzz", pool="foo"}=0',
    ]);
  });
});
