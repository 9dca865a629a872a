/** The query helpers of deploy/grafana/src/queries.ts: substitution, PromQL checks, exposition matching. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkLogQL, checkPromQL, exposedFamilies, isExposed, regexAlternation, substituteVariables } from '../../deploy/grafana/src/queries.js';

describe('substituteVariables', () => {
  const values = { job: '.+', service: 'api-gateway', request_id: '' };
  it('replaces every Grafana variable syntax and the built-ins', () => {
    const f = (expr: string, want: string): void => assert.equal(substituteVariables(expr, values), want, expr);
    f('rate(x{job=~"$job"}[$__rate_interval])', 'rate(x{job=~".+"}[1m])');
    f('{service="${service}"}', '{service="api-gateway"}');
    f('{service=~"${service:regex}"}', '{service=~"api-gateway"}');
    f('{service="[[service]]"}', '{service="api-gateway"}');
    f('{a="b"} |= "$request_id"', '{a="b"} |= ""');
    f('count_over_time({a="b"}[$__auto]) / $__range_s', 'count_over_time({a="b"}[1m]) / 900');
    f('no variables', 'no variables');
  });
  it('refuses a variable the dashboard does not define', () => {
    const f = (expr: string): void => assert.throws(() => substituteVariables(expr, values), /no such variable/, expr);
    f('x{job=~"$jobb"}');
    f('x[${__rate_intervall}]');
  });
});

describe('regexAlternation', () => {
  it('writes values as Grafana does into a regex matcher of a double-quoted string', () => {
    const f = (values: string[], want: string): void => assert.equal(regexAlternation(values), want, values.join(','));
    f(['logsentinel'], 'logsentinel');
    f(['a', 'b'], '(a|b)');
    f(['127.0.0.1:3100'], '127\\\\.0\\\\.0\\\\.1:3100');
    f(['/api/users', '/api/(x)'], '(/api/users|/api/\\\\(x\\\\))');
  });
  it('gives selectors that parse and match the values themselves', () => {
    const expr = `up{instance=~"${regexAlternation(['127.0.0.1:3100', 'a+b'])}"}`;
    assert.deepEqual(checkPromQL(expr).errors, []);
    const re = new RegExp(`^${JSON.parse(`"${regexAlternation(['127.0.0.1:3100', 'a+b'])}"`) as string}$`);
    assert.ok(re.test('127.0.0.1:3100') && re.test('a+b') && !re.test('127x0.0.1:3100') && !re.test('aab'));
  });
});

describe('checkPromQL', () => {
  it('lists the metric names of every selector', () => {
    const f = (expr: string, want: string[]): void => {
      const c = checkPromQL(expr);
      assert.deepEqual(c.errors, [], expr);
      assert.deepEqual(c.metrics, want, expr);
    };
    f('up == 0', ['up']);
    f('histogram_quantile(0.9, sum by (le) (rate(a_bucket{job="x"}[5m])))', ['a_bucket']);
    f('sum(rate(b_total[1m])) / (sum(rate(b_total[1m])) + sum(rate(c_total[1m])))', ['b_total', 'c_total']);
    f('{__name__="d", job="x"} + {"e"}', ['d', 'e']);
    f('f offset 5m and on (namespace) g', ['f', 'g']);
    f('vector(1)', []);
  });
  it('reports syntax errors', () => {
    const f = (expr: string): void => assert.notDeepEqual(checkPromQL(expr).errors, [], expr);
    f('sum(rate(x[1m])');
    f('rate(x[1m]) +');
    f('x{job=~".+"');
    f('');
    f('x[$__rate_interval]');
  });
});

describe('checkLogQL', () => {
  it('accepts what the dashboards use', () => {
    const f = (expr: string): void => assert.equal(checkLogQL(expr), undefined, expr);
    f('sum by (service) (count_over_time({service=~".+"}[1m]))');
    f('{service="demo-api"} |= "" | json');
    f('sum by (error_type) (count_over_time({service="demo-api"} | json | __error__="" | error_type!="" [1m]))');
  });
  it('reports errors with their position', () => {
    const f = (expr: string): void => assert.match(checkLogQL(expr) ?? '', /line 1, col \d+/, expr);
    f('{service="x"} |= ');
    f('sum by (service) (count_over_time({service="x"}))');
  });
});

describe('isExposed', () => {
  const families = exposedFamilies(
    ['# HELP a_total x', '# TYPE a_total counter', '# TYPE lat histogram', '# TYPE g gauge', '# TYPE s summary', '# TYPE c counter'].join('\n'),
  );
  it('matches names to their family', () => {
    const f = (name: string, want: boolean): void => assert.equal(isExposed(name, families), want, name);
    f('a_total', true);
    f('g', true);
    f('lat_bucket', true);
    f('lat_sum', true);
    f('lat_count', true);
    f('s', true);
    f('s_count', true);
    f('c_total', true);
    // A histogram has no sample under its bare name, a gauge no _bucket.
    f('lat', false);
    f('g_bucket', false);
    f('s_bucket', false);
    f('missing', false);
  });
});
