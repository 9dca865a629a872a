import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exploreHref } from '../../ui/src/components/alerts/log-query.js';
import { chartStepS, chartWindow, earliestActiveMs, findRule, parseRulePath, ruleExploreLinks, ruleHref, ruleHrefForAlert, ruleSeries, splitThreshold, type RuleRef } from '../../ui/src/components/alerts/rule-page.js';
import { isBuiltInRule, ruleRows, type AlertJson, type AlertingRuleJson, type RuleGroupJson } from '../../ui/src/components/alerts/rules-model.js';

const alert = (labels: Record<string, string>, activeAt: string, state: 'firing' | 'pending' = 'firing'): AlertJson => ({ labels, annotations: {}, state, activeAt, value: '1e+00' });

const rule = (name: string, query: string, alerts: AlertJson[] = []): AlertingRuleJson => ({
  type: 'alerting',
  name,
  query,
  state: alerts.length ? 'firing' : 'inactive',
  duration: 0,
  labels: {},
  annotations: {},
  alerts,
  health: 'ok',
  lastError: '',
  lastEvaluation: '2026-12-05T10:00:00Z',
  evaluationTime: 0.001,
});

const group = (file: string, name: string, rules: RuleGroupJson['rules']): RuleGroupJson => ({ name, file, rules, interval: 1, lastEvaluation: '2026-12-05T10:00:00Z', evaluationTime: 0 });

const groups: RuleGroupJson[] = [
  group('ns/with slash', 'errors', [
    rule('Many Errors', 'sum(count_over_time({service="api"} |= "error" [1m])) > 10', [alert({ alertname: 'Many Errors', service: 'api' }, '2026-12-05T09:50:00Z'), alert({ alertname: 'Many Errors', service: 'web' }, '2026-12-05T09:40:00Z', 'pending')]),
    // Two rules of one name in a group (Prometheus allows it; e.g. a warning and a page).
    rule('Latency', 'avg_over_time({service="api"} | unwrap ms [5m]) > 100', [alert({ alertname: 'Latency', severity: 'warn' }, '2026-12-05T09:00:00Z')]),
    rule('Latency', 'avg_over_time({service="api"} | unwrap ms [5m]) > 500'),
    { type: 'recording', name: 'api:errors:rate1m', query: 'sum(rate({service="api"} |= "error" [1m]))', health: 'ok', lastEvaluation: '2026-12-05T10:00:00Z', evaluationTime: 0.001 },
  ]),
  group('logsentinel', 'critical-log-entries', [rule('CriticalLogEntry', 'built-in: entries at level critical, evaluated on ingest', [alert({ alertname: 'CriticalLogEntry', service: 'db', level: 'critical' }, '2026-12-05T09:59:00Z')])]),
];
const rows = ruleRows(groups);

describe('rule page paths', () => {
  it('round-trips every rule through its path, names with / and spaces included', () => {
    for (const row of rows) {
      const u = new URL(ruleHref(row, rows), 'http://x');
      const ref = parseRulePath(u.pathname, u.searchParams.get('n'));
      assert.ok(ref, u.href);
      assert.deepEqual(findRule(groups, ref), row, u.href);
    }
  });

  it('writes the path percent-encoded, with n for the second rule of a name', () => {
    const f = (i: number, want: string): void => assert.equal(ruleHref(rows[i], rows), want);
    f(0, '/alerts/rule/ns%2Fwith%20slash/errors/Many%20Errors');
    f(1, '/alerts/rule/ns%2Fwith%20slash/errors/Latency');
    f(2, '/alerts/rule/ns%2Fwith%20slash/errors/Latency?n=2');
    f(4, '/alerts/rule/logsentinel/critical-log-entries/CriticalLogEntry');
    assert.ok(isBuiltInRule(rows[4]));
  });

  it('reads no rule from other paths and ignores a bad n', () => {
    const f = (path: string, n: string | null, want: RuleRef | undefined): void => assert.deepEqual(parseRulePath(path, n), want, `${path} n=${n}`);
    f('/alerts', null, undefined);
    f('/alerts/rule/', null, undefined);
    f('/alerts/rule/a/b', null, undefined);
    f('/alerts/rule/a/b/c/d', null, undefined);
    f('/alerts/rule/a//c', null, undefined);
    f('/alerts/rule/a/b/%E0%A4%A', null, undefined); // a malformed escape
    f('/alerts/rule/a/b/c', null, { file: 'a', group: 'b', name: 'c', n: 1 });
    f('/alerts/rule/a/b/c', '3', { file: 'a', group: 'b', name: 'c', n: 3 });
    f('/alerts/rule/a/b/c', '0', { file: 'a', group: 'b', name: 'c', n: 1 });
    f('/alerts/rule/a/b/c', 'x', { file: 'a', group: 'b', name: 'c', n: 1 });
  });

  it('finds no rule that is not in the answer', () => {
    const f = (ref: RuleRef): void => assert.equal(findRule(groups, ref), undefined, JSON.stringify(ref));
    f({ file: 'ns/with slash', group: 'errors', name: 'Gone', n: 1 });
    f({ file: 'ns/with slash', group: 'other', name: 'Latency', n: 1 });
    f({ file: 'ns', group: 'errors', name: 'Latency', n: 1 });
    f({ file: 'ns/with slash', group: 'errors', name: 'Latency', n: 3 });
  });

  it('links an alert to the rule that lists it, else to the only rule of its name', () => {
    const f = (a: AlertJson, want: string | undefined): void => assert.equal(ruleHrefForAlert(a, rows), want, JSON.stringify(a.labels));
    f(alert({ alertname: 'Many Errors', service: 'web' }, '2026-12-05T09:40:00Z'), '/alerts/rule/ns%2Fwith%20slash/errors/Many%20Errors');
    // Listed by the first Latency rule: its labels pick it out of the two.
    f(alert({ severity: 'warn', alertname: 'Latency' }, '2026-12-05T09:00:00Z'), '/alerts/rule/ns%2Fwith%20slash/errors/Latency');
    f(alert({ alertname: 'CriticalLogEntry', service: 'db', level: 'critical' }, '2026-12-05T09:59:00Z'), '/alerts/rule/logsentinel/critical-log-entries/CriticalLogEntry');
    // Not listed (yet): by name when one rule has it.
    f(alert({ alertname: 'Many Errors', service: 'new' }, '2026-12-05T09:59:00Z'), '/alerts/rule/ns%2Fwith%20slash/errors/Many%20Errors');
    f(alert({ alertname: 'Latency', severity: 'page' }, '2026-12-05T09:59:00Z'), undefined);
    f(alert({ alertname: 'NewLogPattern' }, '2026-12-05T09:59:00Z'), undefined);
  });
});

describe('rule chart', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');
  const min = 60_000;

  it('starts from the earliest active alert', () => {
    assert.equal(earliestActiveMs(groups[0].rules[0] as AlertingRuleJson), Date.parse('2026-12-05T09:40:00Z'));
    assert.equal(earliestActiveMs(rule('X', 'x')), undefined);
    assert.equal(earliestActiveMs(rule('X', 'x', [alert({}, '0001-01-01T00:00:00Z')])), undefined);
  });

  it('charts 30 minutes before the alert to now, ±30 minutes for an old one, the last hour without one', () => {
    const f = (activeAt: number | undefined, want: { startMs: number; endMs: number; activeAtMs?: number }): void => assert.deepEqual(chartWindow(activeAt, now), want, String(activeAt));
    f(now - 10 * min, { startMs: now - 40 * min, endMs: now, activeAtMs: now - 10 * min });
    f(now - 30 * min, { startMs: now - 60 * min, endMs: now, activeAtMs: now - 30 * min });
    f(now - 3 * 60 * min, { startMs: now - 210 * min, endMs: now - 150 * min, activeAtMs: now - 180 * min });
    f(undefined, { startMs: now - 60 * min, endMs: now });
    // Ahead of the browser's clock: as if now.
    f(now + 5 * min, { startMs: now - 30 * min, endMs: now, activeAtMs: now });
    // Every window contains its firing time.
    for (const ago of [0, 1, 29, 31, 600, 100_000]) {
      const w = chartWindow(now - ago * min, now);
      assert.ok(w.startMs < w.activeAtMs! && w.activeAtMs! <= w.endMs, String(ago));
    }
    assert.equal(chartStepS(chartWindow(undefined, now)), 30);
  });

  it('splits a comparison with a number into the charted query and its threshold', () => {
    const f = (expr: string, query: string, threshold?: { op: string; value: number }): void => assert.deepEqual(splitThreshold(expr), threshold ? { query, threshold } : { query }, expr);
    f('sum(count_over_time({a="b"} [1m])) > 10', 'sum(count_over_time({a="b"} [1m]))', { op: '>', value: 10 });
    f('sum by (s) (rate({a="b"}[5m])) >= 0.5', 'sum by (s) (rate({a="b"}[5m]))', { op: '>=', value: 0.5 });
    f('rate({a="b"}[5m]) < bool 1e3\n', 'rate({a="b"}[5m])', { op: '<', value: 1000 });
    f('count_over_time({a="b"}[1m]) != -1', 'count_over_time({a="b"}[1m])', { op: '!=', value: -1 });
    // Charted whole: no number on the right, strings that only look like a comparison, log queries.
    f('sum(rate({a="b"}[1m])) > sum(rate({c="d"}[1m]))', 'sum(rate({a="b"}[1m])) > sum(rate({c="d"}[1m]))');
    f('count_over_time({a="b"} |= "x) > 5" [1m])', 'count_over_time({a="b"} |= "x) > 5" [1m])');
    f('{a="b"} | logfmt | status > 500', '{a="b"} | logfmt | status > 500');
    f('10 < sum(rate({a="b"}[1m]))', '10 < sum(rate({a="b"}[1m]))');
    f('sum(rate({a="b"}[1m])) > 1 and sum(rate({c="d"}[1m]))', 'sum(rate({a="b"}[1m])) > 1 and sum(rate({c="d"}[1m]))');
  });

  it("fills a count's missing buckets with 0, leaves an unwrap's as gaps, and adds the threshold", () => {
    const w = { startMs: now - 60 * min, endMs: now };
    const startS = w.startMs / 1000;
    const stepS = chartStepS(w);
    const result = [{ metric: { service: 'api' }, values: [[startS + stepS, '3'], [startS + 3 * stepS, '5']] as [number, string][] }];
    const counts = ruleSeries(result, 'sum by (service) (count_over_time({a="b"}[1m]))', w, { op: '>', value: 4 });
    assert.deepEqual(counts.map((s) => s.name), ['{service="api"}', 'threshold > 4']);
    assert.equal(counts[0].points.length, 121, 'every bucket from start to end');
    assert.deepEqual(counts[0].points.slice(0, 5), [[startS, 0], [startS + stepS, 3], [startS + 2 * stepS, 0], [startS + 3 * stepS, 5], [startS + 4 * stepS, 0]]);
    assert.equal(counts[0].points.at(-1)![0], now / 1000);
    assert.ok(counts[1].points.every(([, v]) => v === 4) && counts[1].points.length === 121);
    const gaps = ruleSeries(result, 'avg_over_time({a="b"} | unwrap ms [1m])', w);
    assert.deepEqual(gaps.map((s) => s.points), [[[startS + stepS, 3], [startS + 3 * stepS, 5]]]);
    // Without labels, the series is named by its query; with no answer, only the threshold.
    assert.equal(ruleSeries([{ metric: {}, values: [] }], 'sum(rate({a="b"}[1m]))', w)[0].name, 'sum(rate({a="b"}[1m]))');
    assert.deepEqual(ruleSeries([], 'q', w, { op: '<', value: 1 }).map((s) => s.name), ['threshold < 1']);
  });

  it('links the expression and its logs to Explore over the window', () => {
    const w = { startMs: Date.parse('2026-12-05T09:10:00Z'), endMs: now + 0.4 };
    const links = ruleExploreLinks(' sum(count_over_time({service="api"} |= "error" [1m])) > 10 ', w);
    const e = new URL(links.expression, 'http://x');
    assert.equal(e.pathname, '/explore');
    assert.equal(e.searchParams.get('query'), 'sum(count_over_time({service="api"} |= "error" [1m])) > 10');
    assert.equal(e.searchParams.get('from'), String(w.startMs));
    assert.equal(e.searchParams.get('to'), String(now + 1));
    assert.equal(new URL(links.logs!, 'http://x').searchParams.get('query'), '{service="api"} |= "error"');
    assert.equal(ruleExploreLinks('vector(1) > 0', w).logs, undefined);
    assert.equal(exploreHref('{a="b"}', '1', '2'), '/explore?query=%7Ba%3D%22b%22%7D&from=1&to=2');
  });
});
