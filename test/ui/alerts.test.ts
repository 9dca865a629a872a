import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exploreHref, innerLogQuery, withLineFilter } from '../../ui/src/components/alerts/log-query.js';
import { countAlerts, countStates, exploreLinkForRule, filterAlerts, filterRules, rangeSecondsOf, ruleRows, type AlertJson, type RuleGroupJson } from '../../ui/src/components/alerts/rules-model.js';

describe('innerLogQuery', () => {
  it('finds the log query of metric and log expressions', () => {
    const f = (expr: string, want: string | undefined): void => assert.equal(innerLogQuery(expr), want, expr);
    f('sum by (service) (count_over_time({service="flappy"} |= "error" [3s])) > 0', '{service="flappy"} |= "error"');
    f('sum(count_over_time({service="api"} |= "error" [1m])) > 10', '{service="api"} |= "error"');
    f('rate({app="a", env=~"prod|stage"}[5m])', '{app="a", env=~"prod|stage"}');
    f('{app="a"} |= "x" != "y"', '{app="a"} |= "x" != "y"');
    f('  {app="a"}  ', '{app="a"}');
    // Parsers and label filters stay; unwrap and what follows go.
    f('avg_over_time({app="a"} | json | status >= 500 | unwrap latency | __error__="" [1m]) > 2', '{app="a"} | json | status >= 500');
    // Brackets, braces, pipes and parentheses inside strings do not end anything.
    f('count_over_time({app="a{b}"} |= "[x] (y)" |~ `\\d+ [z]` [5m])', '{app="a{b}"} |= "[x] (y)" |~ `\\d+ [z]`');
    f('count_over_time({app="a"} |= "say \\"hi\\" ]" [5m])', '{app="a"} |= "say \\"hi\\" ]"');
    // A function call inside the pipeline keeps its parentheses.
    f('count_over_time({app="a"} | logfmt | addr = ip("10.0.0.0/8") [5m])', '{app="a"} | logfmt | addr = ip("10.0.0.0/8")');
    // Offset and binary expressions: the first selector's query.
    f('sum(rate({a="1"}[5m] offset 1h)) / sum(rate({b="2"}[5m]))', '{a="1"}');
  });

  it('gives undefined without a selector', () => {
    const f = (expr: string): void => assert.equal(innerLogQuery(expr), undefined, expr);
    f('built-in: entries at level critical, evaluated on ingest');
    f('vector(1)');
    f('sum(rate(x{')
      ;
    f('');
  });
});

describe('filters and links', () => {
  it('appends line filters with LogQL string escapes', () => {
    assert.equal(withLineFilter('{a="b"} ', 'say "hi"'), '{a="b"} |= "say \\"hi\\""');
    assert.equal(withLineFilter('{a="b"}', 'x', '!='), '{a="b"} != "x"');
    assert.equal(exploreHref('{a="b"}', 'now-1h'), '/explore?query=%7Ba%3D%22b%22%7D&from=now-1h');
  });
});

const alert = (name: string, state: 'firing' | 'pending', activeAt: string, extra: Record<string, string> = {}): AlertJson => ({ labels: { alertname: name, ...extra }, annotations: {}, state, activeAt, value: '1e+00' });

const groups: RuleGroupJson[] = [
  {
    name: 'errors',
    file: 'ns1',
    interval: 1,
    lastEvaluation: '2026-11-22T07:00:00Z',
    evaluationTime: 0.001,
    rules: [
      { type: 'alerting', name: 'ManyErrors', query: 'sum(count_over_time({service="api"} |= "error" [1m])) > 10', state: 'firing', duration: 60, labels: { severity: 'page' }, annotations: {}, alerts: [], health: 'ok', lastError: '', lastEvaluation: '2026-11-22T07:00:00Z', evaluationTime: 0.001 },
      { type: 'recording', name: 'errors:rate1m', query: 'sum(rate({service="api"}[1m]))', health: 'ok', lastEvaluation: '2026-11-22T07:00:00Z', evaluationTime: 0.001 },
      { type: 'alerting', name: 'Broken', query: 'sum(rate({service="db"}[1m])) > 1', state: 'inactive', duration: 0, labels: {}, alerts: [], health: 'err', lastError: 'boom', lastEvaluation: '2026-11-22T07:00:00Z', evaluationTime: 0.002 },
    ],
  },
  {
    name: 'slow',
    file: 'ns2',
    interval: 60,
    lastEvaluation: '0001-01-01T00:00:00Z',
    evaluationTime: 0,
    rules: [{ type: 'alerting', name: 'Latency', query: 'avg_over_time({service="web"} | unwrap ms [5m]) > 100', state: 'pending', duration: 300, labels: { team: 'web' }, alerts: [], health: 'unknown', lastError: '', lastEvaluation: '0001-01-01T00:00:00Z', evaluationTime: 0 }],
  },
];

describe('rules model', () => {
  it('flattens groups and counts states', () => {
    const rows = ruleRows(groups);
    assert.deepEqual(rows.map((r) => [r.file, r.group, r.rule.name, r.state]), [
      ['ns1', 'errors', 'ManyErrors', 'firing'],
      ['ns1', 'errors', 'errors:rate1m', 'recording'],
      ['ns1', 'errors', 'Broken', 'inactive'],
      ['ns2', 'slow', 'Latency', 'pending'],
    ]);
    assert.deepEqual(countStates(rows), { all: 4, firing: 1, pending: 1, inactive: 1, recording: 1 });
    assert.equal(new Set(rows.map((r) => r.key)).size, 4);
  });

  it('counts active alerts apart from rules: one rule fires one alert per label set', () => {
    const alerts = [
      alert('CriticalLogEntry', 'firing', '2026-01-01T00:00:00Z', { service: 'a' }),
      alert('CriticalLogEntry', 'firing', '2026-01-01T00:00:01Z', { service: 'b' }),
      alert('CriticalLogEntry', 'firing', '2026-01-01T00:00:02Z', { service: 'c' }),
      alert('Latency', 'pending', '2026-01-01T00:00:03Z'),
    ];
    assert.deepEqual(countAlerts(alerts), { firing: 3, pending: 1 });
    assert.deepEqual(countAlerts([]), { firing: 0, pending: 0 });
  });

  it('filters rules by state and text, firing first', () => {
    const rows = ruleRows(groups);
    const f = (state: Parameters<typeof filterRules>[1], text: string, want: string[]): void => assert.deepEqual(filterRules(rows, state, text).map((r) => r.rule.name), want, `${state} ${JSON.stringify(text)}`);
    f('all', '', ['ManyErrors', 'Latency', 'Broken', 'errors:rate1m']);
    f('firing', '', ['ManyErrors']);
    f('inactive', '', ['Broken']);
    f('all', 'many', ['ManyErrors']);
    f('all', 'NS2', ['Latency']); // namespace
    f('all', 'web', ['Latency']); // label value
    f('pending', 'many', []);
  });

  it('filters alerts by state and label text, firing first then oldest', () => {
    const list = [alert('B', 'pending', '2026-11-22T07:00:00Z'), alert('A', 'firing', '2026-11-22T07:05:00Z'), alert('C', 'firing', '2026-11-22T07:01:00Z', { service: 'pay' })];
    assert.deepEqual(filterAlerts(list, 'all', '').map((a) => a.labels.alertname), ['C', 'A', 'B']);
    assert.deepEqual(filterAlerts(list, 'pending', '').map((a) => a.labels.alertname), ['B']);
    assert.deepEqual(filterAlerts(list, 'all', 'PAY').map((a) => a.labels.alertname), ['C']);
  });

  it('reads the range of an expression', () => {
    const f = (expr: string, want: number): void => assert.equal(rangeSecondsOf(expr), want, expr);
    f('rate({a="b"}[5m])', 300);
    f('count_over_time({a="b"} [ 90s ])', 90);
    f('count_over_time({a="b"}[1h]) > 0', 3600);
    f('{a="b"}', 0);
  });

  it('links a rule to Explore over the last hour, an alert from one range before it became active', () => {
    const expr = 'sum(count_over_time({service="api"} |= "error" [10m])) > 10';
    assert.equal(exploreLinkForRule(expr), '/explore?query=%7Bservice%3D%22api%22%7D+%7C%3D+%22error%22&from=now-1h');
    const a = alert('ManyErrors', 'firing', '2026-11-22T07:30:00Z');
    const u = new URL(exploreLinkForRule(expr, a)!, 'http://x');
    assert.equal(u.searchParams.get('query'), '{service="api"} |= "error"');
    assert.equal(Number(u.searchParams.get('from')), Date.parse('2026-11-22T07:20:00Z'));
    // A short range still looks 5 minutes back; the zero time means "unknown": last hour.
    const short = new URL(exploreLinkForRule('count_over_time({a="b"}[3s]) > 0', a)!, 'http://x');
    assert.equal(Number(short.searchParams.get('from')), Date.parse('2026-11-22T07:25:00Z'));
    assert.match(exploreLinkForRule(expr, alert('X', 'firing', '0001-01-01T00:00:00Z'))!, /from=now-1h$/);
    assert.equal(exploreLinkForRule('built-in: entries at level critical, evaluated on ingest'), undefined);
  });
});
