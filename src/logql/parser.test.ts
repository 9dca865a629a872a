import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogQLParseError } from '../errors.js';
import { parseExpr, parseLogSelector } from './parser.js';
import { formatExpr } from './format.js';
import type { Expr, LabelFilterExpr, Stage } from './ast.js';

describe('parseExpr: log queries', () => {
  const f = (q: string, want: Partial<Expr> & { stages?: Stage[] }): void => {
    assert.deepEqual(parseExpr(q), { type: 'log_selector', stages: [], ...want }, q);
  };
  it('parses selectors, line filters and parsers', () => {
    f('{app="foo"}', { matchers: [{ name: 'app', op: '=', value: 'foo' }] });
    f('{app="foo", env!="dev", ns=~"a|b", pod!~`x.*`}', {
      matchers: [
        { name: 'app', op: '=', value: 'foo' },
        { name: 'env', op: '!=', value: 'dev' },
        { name: 'ns', op: '=~', value: 'a|b' },
        { name: 'pod', op: '!~', value: 'x.*' },
      ],
    });
    f('{a="tab\\there \\"q\\" \\u00e9 \\x41"}', { matchers: [{ name: 'a', op: '=', value: 'tab\there "q" é A' }] });
    f('{a="b"} |= "x" != "y" |~ "z+" !~ `w\\d` |> "<_> e <_>" !> "<_>x"', {
      matchers: [{ name: 'a', op: '=', value: 'b' }],
      stages: [
        { type: 'line_filter', op: '|=', values: ['x'] },
        { type: 'line_filter', op: '!=', values: ['y'] },
        { type: 'line_filter', op: '|~', values: ['z+'] },
        { type: 'line_filter', op: '!~', values: ['w\\d'] },
        { type: 'line_filter', op: '|>', values: ['<_> e <_>'] },
        { type: 'line_filter', op: '!>', values: ['<_>x'] },
      ],
    });
    f('{a="b"} |= "x" or "y" or `z`', { matchers: [{ name: 'a', op: '=', value: 'b' }], stages: [{ type: 'line_filter', op: '|=', values: ['x', 'y', 'z'] }] });
    f('{a="b"} | json | logfmt --strict --keep-empty | unpack | decolorize', {
      matchers: [{ name: 'a', op: '=', value: 'b' }],
      stages: [{ type: 'json', params: [] }, { type: 'logfmt', strict: true, keepEmpty: true, params: [] }, { type: 'unpack' }, { type: 'decolorize' }],
    });
    f('{a="b"} | json first="servers[0]", ua="request.headers[\\"User-Agent\\"]", plain', {
      matchers: [{ name: 'a', op: '=', value: 'b' }],
      stages: [
        {
          type: 'json',
          params: [
            { name: 'first', expr: 'servers[0]' },
            { name: 'ua', expr: 'request.headers["User-Agent"]' },
            { name: 'plain', expr: 'plain' },
          ],
        },
      ],
    });
    f('{a="b"} | logfmt msg="message", lvl', {
      matchers: [{ name: 'a', op: '=', value: 'b' }],
      stages: [{ type: 'logfmt', strict: false, keepEmpty: false, params: [{ name: 'msg', expr: 'message' }, { name: 'lvl', expr: 'lvl' }] }],
    });
    f('{a="b"} | regexp `(?P<ip>\\S+) (?P<verb>\\w+)` | pattern "<ip> - <_>"', {
      matchers: [{ name: 'a', op: '=', value: 'b' }],
      stages: [
        { type: 'regexp', pattern: '(?P<ip>\\S+) (?P<verb>\\w+)' },
        { type: 'pattern', pattern: '<ip> - <_>' },
      ],
    });
    f('{a="b"} | line_format "{{.a}}" | label_format x=y, z="{{.w}}" | drop a, b="v", c=~"x.*" | keep d, e!="f"', {
      matchers: [{ name: 'a', op: '=', value: 'b' }],
      stages: [
        { type: 'line_format', template: '{{.a}}' },
        { type: 'label_format', ops: [{ dst: 'x', kind: 'rename', value: 'y' }, { dst: 'z', kind: 'template', value: '{{.w}}' }] },
        { type: 'drop', labels: [{ name: 'a' }, { name: 'b', matcher: { op: '=', value: 'v' } }, { name: 'c', matcher: { op: '=~', value: 'x.*' } }] },
        { type: 'keep', labels: [{ name: 'd' }, { name: 'e', matcher: { op: '!=', value: 'f' } }] },
      ],
    });
    f('{level="error"}', { matchers: [{ name: 'level', op: '=', value: 'error' }] });
    f('{a="b"} # a comment\n |= "x" # another', { matchers: [{ name: 'a', op: '=', value: 'b' }], stages: [{ type: 'line_filter', op: '|=', values: ['x'] }] });
    f('{a=~".+"}', { matchers: [{ name: 'a', op: '=~', value: '.+' }] });
    f('{a!=""}', { matchers: [{ name: 'a', op: '!=', value: '' }] });
  });

  it('parses label filters with precedence and value types', () => {
    const lf = (q: string, want: LabelFilterExpr): void => {
      const e = parseLogSelector('{a="b"} | ' + q);
      assert.deepEqual(e.stages, [{ type: 'label_filter', filter: want }], q);
    };
    const s = (name: string, op: '=' | '!=' | '=~' | '!~', value: string): LabelFilterExpr => ({ type: 'string', name, op, value });
    const n = (name: string, op: '>' | '>=' | '<' | '<=' | '==' | '!=' | '=', value: number): LabelFilterExpr => ({ type: 'number', name, op, value });
    lf('x="y"', s('x', '=', 'y'));
    lf('__error__=""', s('__error__', '=', ''));
    lf('status >= 400', n('status', '>=', 400));
    lf('status == 200', n('status', '==', 200));
    lf('status = 200', n('status', '=', 200));
    lf('x > -1.5e3', n('x', '>', -1500));
    lf('latency > 250ms', { type: 'duration', name: 'latency', op: '>', value: 250e6, text: '250ms' });
    lf('latency <= 1m30s', { type: 'duration', name: 'latency', op: '<=', value: 90e9, text: '1m30s' });
    lf('size > 20MB', { type: 'bytes', name: 'size', op: '>', value: 20e6, text: '20MB' });
    lf('size < 1KiB', { type: 'bytes', name: 'size', op: '<', value: 1024, text: '1KiB' });
    lf('a="1" and b="2"', { type: 'and', left: s('a', '=', '1'), right: s('b', '=', '2') });
    lf('a="1", b="2"', { type: 'and', left: s('a', '=', '1'), right: s('b', '=', '2') });
    lf('a="1" b="2"', { type: 'and', left: s('a', '=', '1'), right: s('b', '=', '2') });
    lf('a="1" or b="2" and c="3"', { type: 'or', left: s('a', '=', '1'), right: { type: 'and', left: s('b', '=', '2'), right: s('c', '=', '3') } });
    lf('(a="1" or b="2") and c="3"', { type: 'and', left: { type: 'or', left: s('a', '=', '1'), right: s('b', '=', '2') }, right: s('c', '=', '3') });
    lf('json="x"', s('json', '=', 'x'));
  });
});

describe('parseExpr: metric queries', () => {
  it('parses range aggregations', () => {
    const e = parseExpr('count_over_time({a="b"} |= "x" [5m] offset 1h)');
    assert.deepEqual(e, {
      type: 'range_aggregation',
      op: 'count_over_time',
      range: { selector: { type: 'log_selector', matchers: [{ name: 'a', op: '=', value: 'b' }], stages: [{ type: 'line_filter', op: '|=', values: ['x'] }] }, rangeMs: 300000, offsetMs: 3600000 },
    });
    // The range may also come before the pipeline.
    assert.deepEqual(parseExpr('count_over_time({a="b"}[5m] offset 1h |= "x")'), e);
    assert.deepEqual(parseExpr('count_over_time(({a="b"} |= "x")[5m] offset 1h)'), e);
    const q = parseExpr('quantile_over_time(0.99, {a="b"} | json | unwrap duration(latency) | __error__="" [1m]) by (app)');
    assert.deepEqual(q, {
      type: 'range_aggregation',
      op: 'quantile_over_time',
      param: 0.99,
      range: {
        selector: { type: 'log_selector', matchers: [{ name: 'a', op: '=', value: 'b' }], stages: [{ type: 'json', params: [] }] },
        rangeMs: 60000,
        offsetMs: 0,
        unwrap: { label: 'latency', conversion: 'duration', postFilters: [{ type: 'string', name: '__error__', op: '=', value: '' }] },
      },
      grouping: { without: false, labels: ['app'] },
    });
    assert.equal(parseExpr('rate({a="b"}[1d])').type, 'range_aggregation');
  });

  it('parses vector aggregations with grouping before or after', () => {
    const a = parseExpr('sum by (app, env) (rate({a="b"}[5m]))');
    const b = parseExpr('sum(rate({a="b"}[5m])) by (app, env)');
    assert.deepEqual(a, b);
    assert.deepEqual(parseExpr('topk(3, count_over_time({a="b"}[1m]))'), {
      type: 'vector_aggregation',
      op: 'topk',
      param: 3,
      expr: { type: 'range_aggregation', op: 'count_over_time', range: { selector: { type: 'log_selector', matchers: [{ name: 'a', op: '=', value: 'b' }], stages: [] }, rangeMs: 60000, offsetMs: 0 } },
    });
  });

  it('applies PromQL precedence', () => {
    const lit = (value: number): Expr => ({ type: 'literal', value });
    assert.deepEqual(parseExpr('1 + 2 * 3'), { type: 'binary', op: '+', returnBool: false, left: lit(1), right: { type: 'binary', op: '*', returnBool: false, left: lit(2), right: lit(3) } });
    assert.deepEqual(parseExpr('2 ^ 3 ^ 2'), { type: 'binary', op: '^', returnBool: false, left: lit(2), right: { type: 'binary', op: '^', returnBool: false, left: lit(3), right: lit(2) } });
    assert.deepEqual(parseExpr('1 - 2 - 3'), { type: 'binary', op: '-', returnBool: false, left: { type: 'binary', op: '-', returnBool: false, left: lit(1), right: lit(2) }, right: lit(3) });
    assert.deepEqual(parseExpr('1 > bool 2'), { type: 'binary', op: '>', returnBool: true, left: lit(1), right: lit(2) });
    const e = parseExpr('vector(1) or vector(2) and vector(3)');
    assert.equal(e.type === 'binary' && e.op, 'or');
    const m = parseExpr('sum(rate({a="b"}[1m])) / ignoring (x) group_right (y) sum(rate({a="c"}[1m]))');
    assert.ok(m.type === 'binary');
    assert.deepEqual(m.matching, { on: false, labels: ['x'], card: 'one-to-many', include: ['y'] });
  });
});

describe('parseExpr: errors', () => {
  const f = (q: string, line: number, col: number, msg: string | RegExp): void => {
    assert.throws(
      () => parseExpr(q),
      (err: unknown) => {
        assert.ok(err instanceof LogQLParseError, `${q}: ${String(err)}`);
        assert.equal(err.line, line, `${q}: line in ${err.message}`);
        assert.equal(err.column, col, `${q}: column in ${err.message}`);
        if (typeof msg === 'string') assert.equal(err.message, `parse error at line ${line}, col ${col}: ${msg}`);
        else assert.match(err.message, msg);
        return true;
      },
      q,
    );
  };
  it('reports Loki-style messages with positions', () => {
    f('{app=foo}', 1, 6, 'syntax error: unexpected IDENTIFIER, expecting STRING');
    f('{app="foo"', 1, 11, 'syntax error: unexpected $end, expecting , or }');
    f('', 1, 1, 'syntax error: unexpected $end');
    f('{app="foo"} | json | status > "x"', 1, 31, 'syntax error: unexpected STRING, expecting NUMBER or DURATION or BYTES');
    f('{app="foo"} |= 3', 1, 16, 'syntax error: unexpected NUMBER, expecting STRING');
    f('{app="foo"}\n | unwrap x', 2, 4, /unwrap is only allowed in range aggregations/);
    f('rate({a="b"})', 1, 13, 'syntax error: unexpected ), expecting [');
    f('sum(rate({a="b"}[5m])', 1, 22, 'syntax error: unexpected $end, expecting )');
    f('{a="b"} + 1', 1, 9, 'syntax error: unexpected +');
    f('{a="b"} |= "\\q"', 1, 13, 'invalid char escape');
    f('{a="b"} |= "x', 1, 12, 'literal not terminated');
  });
  it('rejects selectors that match every stream', () => {
    const msg = /queries require at least one regexp or equality matcher that does not have an empty-compatible value/;
    f('{}', 1, 1, msg);
    f('{a=""}', 1, 1, msg);
    f('{a=~".*"}', 1, 1, msg);
    f('{a!="x"}', 1, 1, msg);
    f('{level=~".*"}', 1, 1, msg);
    f('sum(rate({a=~".*"}[5m]))', 1, 10, msg);
  });
  it('validates regexes, templates, patterns and aggregations', () => {
    f('{a=~"("}', 1, 5, /error parsing regexp: missing closing \)/);
    f('{a="b"} |~ "a(b"', 1, 12, /error parsing regexp/);
    f('{a="b"} | regexp "(\\\\d+)"', 1, 18, 'at least one named capture must be supplied');
    f('{a="b"} | pattern "<_> foo"', 1, 19, /at least one capture is required/);
    f('{a="b"} | pattern "<a><b>"', 1, 19, /consecutive capture/);
    f('{a="b"} | line_format "{{ nope .x }}"', 1, 23, 'template: line:1: function "nope" not defined');
    f('{a="b"} | line_format "{{ .x "', 1, 23, /unclosed action/);
    f('{a="b"} | label_format a=b, a="c"', 1, 29, /multiple label name 'a'/);
    f('{a="b"} |= ip("10.0.0")', 1, 15, /ip: invalid pattern: "10.0.0"/);
    f('sum_over_time({a="b"}[5m])', 1, 1, 'invalid aggregation sum_over_time without unwrap');
    f('count_over_time({a="b"} | unwrap x [5m])', 1, 1, 'invalid aggregation count_over_time with unwrap');
    f('count_over_time({a="b"}[5m]) by (x)', 1, 1, 'grouping not allowed for count_over_time aggregation');
    f('topk(0.5, rate({a="b"}[5m]))', 1, 6, /invalid parameter topk\(0\.5,$/);
    f('{a="b"} | json x="a..b"', 1, 18, /cannot parse json expression/);
    f('{a="b"} | logfmt --nope', 1, 18, /unexpected --nope/);
    f('rate({a="b"}[5])', 1, 14, 'syntax error: unexpected NUMBER, expecting DURATION');
    f('1 and bool 2', 1, 7, /bool modifier can only be used on comparison operators/);
  });
});

describe('formatExpr round trip', () => {
  const queries = [
    '{app="foo"}',
    '{app="foo", env=~"prod|staging", pod!~"x-.*", ns!="kube"}',
    '{a="quote \\" backslash \\\\ newline \\n tab \\t"}',
    '{a=`raw \\d+ "q"`}',
    '{a="b"} |= "x" != "y" |~ "(?i)err" !~ "debug|trace" |> "<_> GET <_>" !> "<_>health<_>"',
    '{a="b"} |= "x" or "y" != "a" or "b"',
    '{a="b"} | json',
    '{a="b"} | json first="servers[0]", ua="request.headers[\\"User-Agent\\"]"',
    '{a="b"} | logfmt --strict --keep-empty msg="message"',
    '{a="b"} | regexp "(?P<ip>\\\\S+) (?P<status>\\\\d{3})"',
    '{a="b"} | pattern `<ip> - - [<_>] "<method> <path> <_>" <status> <size>`',
    '{a="b"} | unpack | decolorize',
    '{a="b"} | json | status >= 400 and method="GET" or latency > 1m30s, size < 20MB',
    '{a="b"} | json | (a="1" or b="2") and (c="3" or d=~"x.*")',
    '{a="b"} | logfmt | x > -1.5 | y == 2 | z != 3 | w = 4',
    '{a="b"} | line_format "{{.a}} {{ .b | ToUpper }} {{ if eq .c \\"x\\" }}yes{{ else }}no{{ end }}"',
    '{a="b"} | label_format dst=src, t="{{.x}}-{{.y}}"',
    '{a="b"} | drop a, b="v", c=~"x.*" | keep d, e!="f", __error__',
    '{level="error"} | __error__=""',
    'count_over_time({a="b"}[5m])',
    'count_over_time({a="b"} |= "x" [5m] offset 1h)',
    'rate({a="b"} | json [1m])',
    'bytes_over_time({a="b"}[1h30m])',
    'bytes_rate({a="b"}[30s])',
    'absent_over_time({a="b"}[1d])',
    'max_over_time({a="b"} | logfmt | unwrap bytes(size) [5m]) by (host)',
    'avg_over_time({a="b"} | json | unwrap duration(latency) | __error__="" [5m]) without (pod)',
    'max_over_time({a="b"} | json | unwrap duration_seconds(latency) [5m])',
    'min_over_time({a="b"} | json | unwrap x [5m])',
    'stddev_over_time({a="b"} | json | unwrap x [5m])',
    'stdvar_over_time({a="b"} | json | unwrap x [5m])',
    'quantile_over_time(0.99, {a="b"} | json | unwrap x [5m]) by (a)',
    'first_over_time({a="b"} | json | unwrap x [5m])',
    'last_over_time({a="b"} | json | unwrap x [5m])',
    'rate_counter({a="b"} | json | unwrap x [5m])',
    'rate({a="b"} | json | unwrap x [5m])',
    'sum by (app) (rate({a="b"}[5m]))',
    'sum without (pod) (rate({a="b"}[5m]))',
    'avg(rate({a="b"}[5m])) by (x)',
    'min(rate({a="b"}[5m]))',
    'max(rate({a="b"}[5m]))',
    'count(rate({a="b"}[5m]))',
    'stddev(rate({a="b"}[5m]))',
    'stdvar(rate({a="b"}[5m]))',
    'topk(10, sum by (x) (rate({a="b"}[5m])))',
    'bottomk(2, rate({a="b"}[5m]))',
    'sort(rate({a="b"}[5m]))',
    'sort_desc(rate({a="b"}[5m]))',
    'sum(rate({a="b"}[5m])) / sum(rate({a="c"}[5m])) * 100',
    '(1 + 2) * 3',
    '1 - (2 - 3)',
    '(2 ^ 3) ^ 2',
    '2 ^ 3 ^ 2',
    '-1 + 2',
    '2 * -1',
    'sum(rate({a="b"}[5m])) > bool 10',
    'sum(rate({a="b"}[5m])) > 10 and sum(rate({a="c"}[5m])) < 5 or vector(0)',
    'rate({a="b"}[5m]) unless rate({a="c"}[5m])',
    'sum by (a) (rate({a="b"}[5m])) / on (a) group_left (c) sum by (a, c) (rate({a="c"}[5m]))',
    'sum(rate({a="b"}[5m])) * ignoring (x) group_right sum(rate({a="c"}[5m]))',
    'sum(rate({a="b"}[5m])) == on () vector(1)',
    'label_replace(rate({a="b"}[5m]), "dst", "$1-x", "src", "(.*)-y")',
    'vector(1)',
    '42',
    '1e+21 + 1e-7',
    '(sum(rate({a="b"}[5m])) + 1) % 2',
  ];
  for (const q of queries) {
    it(q, () => {
      const a = parseExpr(q);
      const printed = formatExpr(a);
      assert.deepEqual(parseExpr(printed), a, printed);
      // Formatting is canonical: a second round prints the same text.
      assert.equal(formatExpr(parseExpr(printed)), printed);
    });
  }
});
