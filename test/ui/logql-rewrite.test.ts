import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addFieldFilter, addLabelMatcher, addLineFilter, applyFilter, isMetricQuery, lineFilterTerms, selectorWithLineFilters, unquote, volumeQuery } from '../../ui/src/logql/rewrite.js';

test('addLabelMatcher', () => {
  const f = (q: string, name: string, value: string, op: '=' | '!=', want: string): void => assert.equal(addLabelMatcher(q, name, value, op), want, q);
  f('{service="api"}', 'env', 'prod', '=', '{service="api", env="prod"}');
  f('{service="api"} |= "x"', 'env', 'prod', '!=', '{service="api", env!="prod"} |= "x"');
  f('{service="api"}', 'service', 'web', '=', '{service="web"}');
  f('{service="api"}', 'service', 'api', '=', '{service="api"}');
  f('{service="api"}', 'service', 'api', '!=', '{service="api", service!="api"}');
  f('{ service="api" }', 'a', 'b', '=', '{ service="api", a="b" }');
  f('{}', 'a', 'b', '=', '{a="b"}');
  f('', 'a', 'x"y', '=', '{a="x\\"y"}');
  f('{a="b"', 'c', 'd', '=', '{a="b", c="d"}');
  f('sum(rate({a="b"}[5m])) / sum(rate({a="c"}[5m]))', 'env', 'p', '=', 'sum(rate({a="b", env="p"}[5m])) / sum(rate({a="c", env="p"}[5m]))');
});

test('addLineFilter', () => {
  const f = (q: string, text: string, op: '|=' | '!=', want: string): void => assert.equal(addLineFilter(q, text, op), want, q);
  f('{a="b"}', 'timeout', '|=', '{a="b"} |= "timeout"');
  f('{a="b"} | json', 'x', '!=', '{a="b"} != "x" | json');
  f('{a="b"} |= "x"', 'x', '|=', '{a="b"} |= "x"');
  f('{a="b"} |= "x" or "y" | json', 'z', '!=', '{a="b"} |= "x" or "y" != "z" | json');
  f('{a="b"} | json |= "x"', 'z', '|=', '{a="b"} |= "z" | json |= "x"');
  f('rate({a="b"}[1m])', 'x', '|=', 'rate({a="b"} |= "x"[1m])');
  f('', 'x', '|=', '');
});

test('addFieldFilter', () => {
  const f = (q: string, name: string, value: string, parser: 'json' | 'logfmt' | undefined, want: string): void => assert.equal(addFieldFilter(q, name, value, '=', parser), want, q);
  f('{a="b"}', 'status', '500', 'json', '{a="b"} | json | status="500"');
  f('{a="b"} | json', 'status', '500', 'json', '{a="b"} | json | status="500"');
  f('{a="b"} | logfmt  # c', 'user', 'x', 'logfmt', '{a="b"} | logfmt | user="x"  # c');
  f('{a="b"} | json | status="500"', 'status', '500', 'json', '{a="b"} | json | status="500"');
  f('{a="b"}', 'trace_id', 'abc', undefined, '{a="b"} | trace_id="abc"');
  f('{a="b"}', 'user.id', '7', 'json', '{a="b"} | json | user_id="7"');
  f('sum by (x) (count_over_time({a="b"} | json [5m]))', 'status', '500', 'json', 'sum by (x) (count_over_time({a="b"} | json | status="500" [5m]))');
});

test('applyFilter dispatches on kind', () => {
  assert.equal(applyFilter('{a="b"}', { kind: 'label', name: 'c', value: 'd', op: '!=' }), '{a="b", c!="d"}');
  assert.equal(applyFilter('{a="b"}', { kind: 'line', text: 'e', op: '|=' }), '{a="b"} |= "e"');
  assert.equal(applyFilter('{a="b"}', { kind: 'field', name: 'f', value: 'g', op: '!=', parser: 'logfmt' }), '{a="b"} | logfmt | f!="g"');
});

test('isMetricQuery, selectorWithLineFilters, volumeQuery, unquote', () => {
  assert.equal(isMetricQuery('{a="b"} |= "x"'), false);
  assert.equal(isMetricQuery('  # c\n{a="b"}'), false);
  assert.equal(isMetricQuery('rate({a="b"}[1m])'), true);
  assert.equal(isMetricQuery('1 + 1'), true);
  assert.equal(isMetricQuery(''), false);
  assert.equal(selectorWithLineFilters('{a="b"} |= "x" or "y" != "z" | json | s="1"'), '{a="b"} |= "x" or "y" != "z"');
  assert.equal(selectorWithLineFilters('{a="b"} | json'), '{a="b"}');
  assert.equal(selectorWithLineFilters('nothing'), undefined);
  assert.equal(volumeQuery('{a="b"} # comment', 60), 'sum by (level) (count_over_time({a="b"} [60s]))');
  assert.equal(unquote('"a\\"b\\\\c\\n"'), 'a"b\\c\n');
  assert.equal(unquote('`raw\\n`'), 'raw\\n');
});

test('lineFilterTerms', () => {
  const f = (q: string, want: string[]): void => assert.deepEqual(lineFilterTerms(q), want, q);
  f('{a="b"} |= "GET" or "POST" != "x" |= `raw`', ['GET', 'POST', 'raw']);
  f('{a="b"} |~ "re.*" |= "" | json |= "late"', ['late']);
  f('rate({a="b"} |= "x" [1m])', ['x']);
  f('{a="b"}', []);
});
