import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGroupYaml, parseRuleFile } from './rule-file.js';

describe('rule files', () => {
  it('parses alerting and recording rules', () => {
    const groups = parseRuleFile(
      [
        'groups:',
        '  - name: api',
        '    interval: 30s',
        '    rules:',
        '      - alert: HighErrors',
        '        expr: sum by (service) (rate({service="api"} |= "error" [5m])) > 1',
        '        for: 2m',
        '        keep_firing_for: 1m',
        '        labels: {severity: page}',
        '        annotations:',
        '          summary: "{{ $labels.service }}: {{ $value }} errors/s"',
        '      - record: api:errors:rate5m',
        '        expr: sum by (service) (rate({service="api"} |= "error" [5m]))',
        '        labels: {team: core}',
      ].join('\n'),
      'f.yaml',
    );
    assert.equal(groups.length, 1);
    const g = groups[0];
    assert.equal(g.name, 'api');
    assert.equal(g.intervalMs, 30_000);
    assert.deepEqual(g.rules[0], {
      kind: 'alert',
      name: 'HighErrors',
      expr: 'sum by (service) (rate({service="api"} |= "error" [5m])) > 1',
      forMs: 120_000,
      keepFiringForMs: 60_000,
      labels: { severity: 'page' },
      annotations: { summary: '{{ $labels.service }}: {{ $value }} errors/s' },
    });
    assert.deepEqual(g.rules[1], { kind: 'record', name: 'api:errors:rate5m', expr: 'sum by (service) (rate({service="api"} |= "error" [5m]))', labels: { team: 'core' } });
    assert.deepEqual(parseRuleFile('', 'empty.yaml'), []);
  });

  it('rejects invalid files naming the file, group, rule and reason', () => {
    const f = (yaml: string, want: RegExp): void => assert.throws(() => parseRuleFile(yaml, 'dir/t/ns.yaml'), want, yaml);
    const rule = (body: string): string => `groups:\n  - name: g\n    rules:\n      - ${body.split('\n').join('\n        ')}\n`;
    f('groups: [', /^Error: cannot load rule file dir\/t\/ns\.yaml: invalid YAML/);
    f('rules: []', /cannot load rule file dir\/t\/ns\.yaml: expected a map with a "groups" list/);
    f('groups: []\nextra: 1', /unknown field "extra"/);
    f('groups:\n  - rules: []', /group: field "name" must be set/);
    f('groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []', /group "a": groupname must be unique/);
    f('groups:\n  - name: a\n    intervall: 1m\n    rules: []', /group "a": unknown field "intervall"/);
    f('groups:\n  - name: a\n    interval: soon\n    rules: []', /group "a": invalid interval "soon"/);
    f('groups:\n  - name: a', /group "a": field "rules" must be a list/);
    f(rule('alert: A\nrecord: b\nexpr: vector(1)'), /group "g" rule 1 \(alert "A"\): a rule has exactly one of "alert" and "record"/);
    f(rule('alert: A'), /rule 1 \(alert "A"\): field "expr" must be set/);
    f(rule('alert: A\nexpr: \'{service="x"}\''), /rule 1 \(alert "A"\): expr "\{service=\\"x\\"\}" is a log query/);
    f(rule('alert: A\nexpr: sum(rate({a="b"}[5m]) >'), /rule 1 \(alert "A"\): cannot parse expr .*parse error at line 1/);
    f(rule('alert: A\nexpr: vector(1)\nfor: often'), /invalid for "often"/);
    f(rule('alert: A\nexpr: vector(1)\nkeep_firing_for: x'), /invalid keep_firing_for "x"/);
    f(rule('alert: A\nexpr: vector(1)\nlabels: {"bad-name": x}'), /invalid label name "bad-name"/);
    f(rule('alert: A\nexpr: vector(1)\nannotations: {summary: "{{ $labels.x"}'), /cannot parse template of annotation summary/);
    f(rule('alert: A\nexpr: vector(1)\nannotations: {summary: "{{ range .Alerts }}"}'), /annotation summary: unsupported/);
    f(rule('alert: A\nexpr: vector(1)\nexprr: 1'), /unknown field "exprr"/);
    f(rule('record: "bad name"\nexpr: vector(1)'), /record "bad name"\): invalid recording rule name/);
    f(rule('record: ok\nexpr: vector(1)\nfor: 1m'), /field "for" is only for alerting rules/);
    f(rule('record: ok\nexpr: vector(1)\nannotations: {a: b}'), /field "annotations" is only for alerting rules/);
    // Every problem of the file is reported at once.
    f(`groups:\n  - name: g\n    rules:\n      - alert: A\n      - record: "x y"\n        expr: vector(1)\n`, /rule 1 \(alert "A"\).*; group "g" rule 2 \(record "x y"\)/);
  });

  it('parses one group as the rules API receives it', () => {
    assert.equal(parseGroupYaml('name: g\nrules:\n  - alert: A\n    expr: vector(1) > 0\n').rules.length, 1);
    assert.throws(() => parseGroupYaml('name: g\nrules:\n  - alert: A\n'), /^Error: cannot load rule group: group "g" rule 1 \(alert "A"\): field "expr" must be set/);
    assert.throws(() => parseGroupYaml('- a'), /a group must be a map/);
  });
});
