import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldStats, filterFor, percent, topValues, type FieldStat } from '../../ui/src/components/explore/field-stats.js';
import { columnValue, entryFields } from '../../ui/src/components/entry-fields.js';
import { applyFilter } from '../../ui/src/logql/rewrite.js';
import type { LogEntry } from '../../ui/src/types.js';

let n = 0;
const entry = (line: string, labels: Record<string, string>, metadata: Record<string, string> = {}, parsed?: Record<string, string>): LogEntry => {
  const e: LogEntry = { id: String(n++), ts: String(1_000 + n), line, labels, metadata, level: 'info' };
  if (parsed) e.parsed = parsed;
  return e;
};

/** Two JSON lines and three logfmt lines of two services, one free-text line, one with metadata. */
function sample(): LogEntry[] {
  return [
    entry('{"status":500,"user":{"id":7},"service":"inner"}', { service: 'api', env: 'prod' }),
    entry('{"status":200,"user":{"id":7}}', { service: 'api', env: 'staging' }, { trace_id: 'a' }),
    entry('method=GET status=200 path=/x', { service: 'web', env: 'prod' }),
    entry('method=GET status=404 path=/y', { service: 'web', env: 'prod' }),
    entry('method=POST status=200', { service: 'web', env: 'prod' }, { trace_id: 'b' }),
    entry('plain text, no fields', { service: 'worker' }),
  ];
}

const byKey = (fields: FieldStat[]): Map<string, FieldStat> => new Map(fields.map((f) => [`${f.source}:${f.name}`, f]));
const show = (f: FieldStat | undefined): string => (f ? `${f.count}/${f.distinct} ${f.top.map((v) => `${v.value}:${v.count}`).join(' ')}${f.parser ? ` ${f.parser}` : ''}` : 'absent');

test('fieldStats: labels, metadata and parsed fields with counts and top values', () => {
  const s = fieldStats(sample());
  assert.equal(s.total, 6);
  const m = byKey(s.fields);
  const f = (key: string, want: string): void => assert.equal(show(m.get(key)), want, key);
  f('label:service', '6/3 web:3 api:2 worker:1');
  f('label:env', '5/2 prod:4 staging:1');
  f('metadata:trace_id', '2/2 a:1 b:1');
  // status is in JSON and logfmt lines; its filter needs the parser of most of them.
  f('field:status', '5/3 200:3 404:1 500:1 logfmt');
  f('field:user_id', '2/1 7:2 json');
  f('field:method', '3/2 GET:2 POST:1 logfmt');
  f('field:path', '2/2 /x:1 /y:1 logfmt');
  // A JSON key that is a stream label of its line is named as `| json` names it.
  f('field:service_extracted', '1/1 inner:1 json');
  f('field:service', 'absent');
  // Sections in order, names in order within each.
  assert.deepEqual(
    s.fields.map((x) => `${x.source}:${x.name}`),
    ['label:env', 'label:service', 'metadata:trace_id', 'field:method', 'field:path', 'field:service_extracted', 'field:status', 'field:user_id'],
  );
});

test('fieldStats: the server\'s parsed labels are used as they are, without a parser', () => {
  const s = fieldStats([
    entry('{"status":500}', { app: 'a' }, {}, { status: '500', __error__: '' }),
    entry('not json', { app: 'a' }, {}, { __error__: 'JSONParserErr', __error_details__: 'x' }),
  ]);
  const m = byKey(s.fields);
  assert.equal(show(m.get('field:status')), '1/1 500:1');
  assert.equal(m.get('field:__error__'), undefined, 'parser errors are not fields');
});

test('fieldStats: top N, an empty list, and counting once per line', () => {
  const many = Array.from({ length: 30 }, (_, i) => entry(`v=${i % 7}`, { a: 'x' }));
  const s = fieldStats(many, 3);
  // 30 lines over 7 values: 0 and 1 five times, the others four.
  assert.equal(show(byKey(s.fields).get('field:v')), '30/7 0:5 1:5 2:4 logfmt');
  assert.deepEqual(fieldStats([]), { total: 0, fields: [] });
  // A duplicated key counts once (the first value wins, as in Loki 3).
  assert.equal(show(byKey(fieldStats([entry('k=1 k=2', {})]).fields).get('field:k')), '1/1 1:1 logfmt');
});

test('topValues: most frequent first, ties by value, at most n', () => {
  const f = (counts: [string, number][], k: number, want: string): void =>
    assert.equal(topValues(new Map(counts), k).map((v) => `${v.value}:${v.count}`).join(' '), want);
  f([['a', 1], ['b', 3], ['c', 2], ['d', 3]], 2, 'b:3 d:3');
  f([['z', 1], ['y', 1], ['x', 1]], 5, 'x:1 y:1 z:1');
  f([['a', 1], ['b', 2], ['c', 3], ['d', 4], ['e', 5], ['f', 6]], 3, 'f:6 e:5 d:4');
  f([['a', 1]], 0, '');
  f([], 3, '');
});

test('filterFor: the query a click on a value runs', () => {
  const f = (field: Pick<FieldStat, 'source' | 'name' | 'parser'>, value: string, op: '=' | '!=', query: string, want: string): void =>
    assert.equal(applyFilter(query, filterFor(field, value, op)), want);
  f({ source: 'label', name: 'env', parser: undefined }, 'prod', '=', '{service="api"}', '{service="api", env="prod"}');
  f({ source: 'label', name: 'env', parser: undefined }, 'prod', '!=', '{service="api"}', '{service="api", env!="prod"}');
  f({ source: 'metadata', name: 'level', parser: undefined }, 'warn', '!=', '{a="b"}', '{a="b", level!="warn"}');
  f({ source: 'metadata', name: 'trace_id', parser: undefined }, 't1', '=', '{a="b"}', '{a="b"} | trace_id="t1"');
  f({ source: 'field', name: 'status', parser: 'json' }, '500', '=', '{a="b"}', '{a="b"} | json | status="500"');
  f({ source: 'field', name: 'status', parser: 'logfmt' }, '500', '!=', '{a="b"}', '{a="b"} | logfmt | status!="500"');
  // The query already parses: only the filter is added.
  f({ source: 'field', name: 'status', parser: 'json' }, '500', '!=', '{a="b"} | json', '{a="b"} | json | status!="500"');
  f({ source: 'field', name: 'status', parser: undefined }, 'x"y', '=', '{a="b"} | json', '{a="b"} | json | status="x\\"y"');
});

test('percent', () => {
  const f = (count: number, total: number, want: string): void => assert.equal(percent(count, total), want, `${count}/${total}`);
  f(5, 5, '100%');
  f(3, 8, '37.5%');
  f(1, 3, '33.3%');
  f(1, 5000, '<0.1%');
  f(4999, 5000, '>99.9%');
  f(0, 0, '0%');
});

test('entryFields: parsed once per entry; columnValue reads labels, then metadata, then fields', () => {
  const e = entry('{"status":500,"env":"inner","msg":"x"}', { service: 'api', env: 'prod' }, { trace_id: 't', msg: 'meta' });
  const a = entryFields(e);
  assert.equal(entryFields(e), a, 'the same object: the line is not parsed again');
  assert.deepEqual(a, { server: false, format: 'json', fields: [['status', '500'], ['env_extracted', 'inner'], ['msg_extracted', 'x']], errors: [] });
  const f = (name: string, want: string | undefined): void => assert.equal(columnValue(e, name), want, name);
  f('service', 'api');
  f('env', 'prod');
  f('env_extracted', 'inner');
  f('trace_id', 't');
  f('msg', 'meta');
  f('status', '500');
  f('nothing', undefined);
  const text = entry('free text', { app: 'x' });
  assert.deepEqual(entryFields(text), { server: false, fields: [], errors: [] });
  assert.equal(columnValue(text, 'status'), undefined);
  const server = entry('{"a":1}', { app: 'x' }, {}, { a: '1', __error__: 'E' });
  assert.deepEqual(entryFields(server), { server: true, fields: [['a', '1']], errors: [['__error__', 'E']] });
  assert.equal(columnValue(server, 'a'), '1');
});
