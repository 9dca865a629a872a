import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpr } from './parser.js';
import { goDurationString, goFormatFloatF, goSprintFloat, lokiString, prettify } from './prettify.js';

describe("prettify: Loki's format_query output (pkg/logql/syntax prettier and String())", () => {
  // Loki's prettier tests run with a 20-character line limit so that short queries split.
  const f20 = (q: string, want: string): void => {
    assert.equal(prettify(parseExpr(q), 20), want, q);
  };
  const f = (q: string, want: string): void => {
    assert.equal(prettify(parseExpr(q)), want, q);
  };

  it('log queries split one stage per line', () => {
    f20('{job="loki", instance="localhost"}', '{job="loki", instance="localhost"}');
    f20('{job="loki", instance="localhost"}|logfmt|level="error" ', '{job="loki", instance="localhost"}\n  | logfmt\n  | level="error"');
    f20('{job="loki", instance="localhost"}|= "error" != "memcached" |logfmt', '{job="loki", instance="localhost"}\n  |= "error"\n  != "memcached"\n  | logfmt');
    f20('{job="loki", instance="localhost"}|logfmt|line_format "{{.error}}"', '{job="loki", instance="localhost"}\n  | logfmt\n  | line_format "{{.error}}"');
    f20('{job="loki", instance="localhost"}|logfmt|label_format dst="{{.src}}"', '{job="loki", instance="localhost"}\n  | logfmt\n  | label_format dst="{{.src}}"');
    f20(
      '{job="loki", namespace="loki-prod", container="nginx-ingress"}| json first_server="servers[0]", ua="request.headers[\\"User-Agent\\"]" | level="error"',
      '{job="loki", namespace="loki-prod", container="nginx-ingress"}\n  | json first_server="servers[0]",ua="request.headers[\\"User-Agent\\"]"\n  | level="error"',
    );
  });

  it('a chain of line filters splits from its tail: the head stays on one line while it fits', () => {
    f20('{job="loki"} |= "a" != "b" |= "cccccccccccccccc" | logfmt', '{job="loki"}\n  |= "a" != "b"\n  |= "cccccccccccccccc"\n  | logfmt');
  });

  it('range aggregations, offset and unwrap', () => {
    f20('count_over_time({job="loki", instance="localhost"}|logfmt[1m])', 'count_over_time(\n  {job="loki", instance="localhost"}\n    | logfmt [1m]\n)');
    f20('count_over_time({job="loki", instance="localhost"}|= "error"[5m] offset 20m)', 'count_over_time(\n  {job="loki", instance="localhost"}\n    |= "error" [5m] offset 20m\n)');
    f20(
      'quantile_over_time(0.99,{container="ingress-nginx",service="hosted-grafana"}| json| unwrap response_latency_seconds| __error__=""[1m]) by (cluster)',
      'quantile_over_time(\n  0.99,\n  {container="ingress-nginx", service="hosted-grafana"}\n    | json\n    | unwrap response_latency_seconds\n    | __error__="" [1m]\n) by (cluster)',
    );
  });

  it('vector aggregations and label_replace', () => {
    f20(
      'sum(count_over_time({foo="bar",namespace="loki",instance="localhost"}[5m])) by (container)',
      'sum by (container)(\n  count_over_time(\n    {foo="bar", namespace="loki", instance="localhost"} [5m]\n  )\n)',
    );
    f20(
      'topk(5, count_over_time({foo="bar",namespace="loki",instance="localhost"}[5m])) by (container)',
      'topk by (container)(\n  5,\n  count_over_time(\n    {foo="bar", namespace="loki", instance="localhost"} [5m]\n  )\n)',
    );
    f20(
      'label_replace(rate({job="api-server",service="a:c"}|= "err" [5m]), "foo", "$1", "service", "(.*):.*")',
      'label_replace(\n  rate(\n    {job="api-server", service="a:c"}\n      |= "err" [5m]\n  ),\n  "foo",\n  "$1",\n  "service",\n  "(.*):.*"\n)',
    );
  });

  it('binary operations: the operator on its own line, operands one level deeper', () => {
    f20(
      'sum(rate({job="loki"}[5m])) + sum(rate({job="loki-dev"}[5m])) / sum(rate({job="loki-prod"}[5m]))',
      '  sum(\n    rate(\n      {job="loki"} [5m]\n    )\n  )\n+\n    sum(\n      rate(\n        {job="loki-dev"} [5m]\n      )\n    )\n  /\n    sum(\n      rate(\n        {job="loki-prod"} [5m]\n      )\n    )',
    );
    f20(
      'sum(rate({job="loki"}[5m])) * on(instance, job) group_left (node) sum(rate({job="loki-prod"}[5m]))',
      '  sum(\n    rate(\n      {job="loki"} [5m]\n    )\n  )\n* on (instance, job) group_left (node)\n  sum(\n    rate(\n      {job="loki-prod"} [5m]\n    )\n  )',
    );
  });

  it('short queries stay on one line, in Loki\'s String() form', () => {
    f('{service_name="checkout"}|logfmt|status>=500', '{service_name="checkout"} | logfmt | status>=500');
    f('sum by(env)(rate({service_name="api"}[5m]))', 'sum by (env)(rate({service_name="api"}[5m]))');
    f('sum(rate({a="b"}[5m])) by (x, y) / 2', '(sum by (x,y)(rate({a="b"}[5m])) / 2)');
    f('topk(5, count_over_time({a="b"} |= "x" [1m]))', 'topk(5,count_over_time({a="b"} |= "x"[1m]))');
    f('rate({a="b"}[5m] offset 1h)', 'rate({a="b"}[5m] offset 1h0m0s)');
    f('{a="b"} | status = 200 and latency > 1m', '{a="b"} | ( status==200 , latency>1m0s )');
    f('{a="b"} | size > 1KiB', '{a="b"} | size>1.0kB');
    f('{a="b"} != "x" or "y" |= "p" or "q"', '{a="b"} != "x" != "y" |= "p" or "q"');
    f('count_over_time({a="b"}[1m]) > 1000000', '(count_over_time({a="b"}[1m]) > 1e+06)');
    f('1 + 1', '2');
    f('vector(1)', 'vector(1.000000)');
    f('sum_over_time({a="b"} | logfmt | unwrap bytes(size) | __error__="" [5m])', 'sum_over_time({a="b"} | logfmt | unwrap bytes(size) | __error__=""[5m])');
    f('{a="b"} | logfmt --strict x="y"', '{a="b"} | logfmt --strict x="y"');
    f('{a="b"} | drop x, y="z"', '{a="b"} | drop x,y="z"');
    f('{a="b"} |= ip("10.0.0.0/8") | addr != ip("1.2.3.4")', '{a="b"} |= ip("10.0.0.0/8") | addr!=ip("1.2.3.4")');
  });

  it('Go number and duration spellings', () => {
    assert.equal(goSprintFloat(100000), '100000');
    assert.equal(goSprintFloat(1e6), '1e+06');
    assert.equal(goSprintFloat(0.0001), '0.0001');
    assert.equal(goSprintFloat(0.00001), '1e-05');
    assert.equal(goSprintFloat(1.5), '1.5');
    assert.equal(goFormatFloatF(1e21), '1000000000000000000000');
    assert.equal(goFormatFloatF(1e-7), '0.0000001');
    assert.equal(goDurationString(3_600_000), '1h0m0s');
    assert.equal(goDurationString(90_000), '1m30s');
    assert.equal(goDurationString(250), '250ms');
    assert.equal(goDurationString(1500), '1.5s');
    assert.equal(lokiString(parseExpr('{a="b"}')), '{a="b"}');
  });
});
