/**
 * Loki 3 log-pipeline semantics, case by case, from what Loki's pkg/logql/log and
 * pkg/logql/syntax tests specify (parser_test.go, ip_test.go, fmt_test.go): parsers,
 * `_extracted` collisions, duplicate keys, unpack, logfmt and json edge cases, ip() filters,
 * template functions and parse parity.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../model/labels.js';
import { runStages } from './stages/test-helpers.js';
import { parseExpr } from './parser.js';
import { formatExpr } from './format.js';
import { ipMatcher, parseIPPattern } from './stages/ip.js';

/** Runs `stages` over `line` and returns every label of the result (null when dropped). */
function labelsOf(stages: string, line: string, stream: Labels = { app: 'x' }, meta?: Labels): Labels | null {
  const r = runStages(stages, line, stream, meta);
  return r === null ? null : { ...r.labels };
}

describe('Loki 3: parsed labels that collide keep the original and add <name>_extracted', () => {
  const f = (stages: string, line: string, want: Labels): void => {
    assert.deepEqual(labelsOf(stages, line, { app: 'x' }, { trace_id: 'm1' }), want, `${stages} on ${line}`);
  };
  it('for every parser, against stream labels and structured metadata', () => {
    const want = { app: 'x', trace_id: 'm1', app_extracted: 'a', trace_id_extracted: 't' };
    f('| json', '{"app":"a","trace_id":"t"}', want);
    f('| logfmt', 'app=a trace_id=t', want);
    f('| regexp "(?P<app>\\\\w+) (?P<trace_id>\\\\w+)"', 'a t', want);
    f('| pattern "<app> <trace_id>"', 'a t', want);
    f('| unpack', '{"app":"a","trace_id":"t","_entry":"e"}', want);
    f('| json trace_id="trace_id"', '{"trace_id":"t"}', { app: 'x', trace_id: 'm1', trace_id_extracted: 't' });
    f('| logfmt trace_id', 'trace_id=t', { app: 'x', trace_id: 'm1', trace_id_extracted: 't' });
  });
  it('structured metadata colliding with a stream label is exposed as <name>_extracted', () => {
    assert.deepEqual(labelsOf('', 'l', { app: 'x' }, { app: 'm' }), { app: 'x', app_extracted: 'm' });
    const r = runStages('| logfmt', 'l', { foo: 'bar' }, { user: 'bob', foo: 'baz' });
    assert.deepEqual(r!.structuredMetadata, { user: 'bob', foo_extracted: 'baz' });
  });
  it('structured metadata with names that are not label names is normalized (pipeline_test.go)', () => {
    assert.deepEqual(labelsOf('', 'l', { foo: 'bar' }, { user: 'bob', 'zsomething-bad': 'foo', '9x': 'y' }), { foo: 'bar', user: 'bob', zsomething_bad: 'foo', key_9x: 'y' });
  });
  it('replays TestDropLabelsPipeline: dropping __error__ keeps __error_details__', () => {
    const q = '| logfmt --strict | json | drop __error__="LogfmtParserErr", status="200", app';
    assert.deepEqual(labelsOf(q, 'level=info ts=2020-10-18T18:04:22.147378997Z caller=metrics.go:81 status=200', {}), {
      level: 'info', ts: '2020-10-18T18:04:22.147378997Z', caller: 'metrics.go:81', __error__: 'JSONParserErr', __error_details__: "Value looks like object, but can't find closing '}' symbol",
    });
    assert.deepEqual(labelsOf(q, '{"app":"foo","namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar"}}}', {}), {
      namespace: 'prod', pod_uuid: 'foo', pod_deployment_ref: 'foobar', __error_details__: "logfmt syntax error at pos 2 : unexpected '\"'",
    });
  });
  it('a later parser error replaces an earlier one; numeric filters pass entries with an error', () => {
    assert.equal(labelsOf('| logfmt --strict | json', 'a"b', {})!.__error__, 'JSONParserErr');
    assert.ok(runStages('| json | status > 400', 'not json'));
    assert.ok(runStages('| json | latency > 1s', 'not json'));
    assert.ok(runStages('| json | size > 1KB', 'not json'));
    assert.equal(runStages('| json | status > 400', '{"status":200}'), null);
    assert.equal(runStages('| json | __error__=""', 'not json'), null);
  });
});

describe('Loki 3: duplicate keys in one line, the first value wins', () => {
  const f = (stages: string, line: string, want: Labels): void => {
    assert.deepEqual(labelsOf(stages, line), { app: 'x', ...want }, `${stages} on ${line}`);
  };
  it('logfmt, json, json with parameters, and across parser stages', () => {
    f('| logfmt', 'a=1 a=2 b=3', { a: '1', b: '3' });
    f('| logfmt a', 'a=1 a=2', { a: '1' });
    f('| json', '{"a":"1","a":"2"}', { a: '1' });
    f('| json', '{"o":{"k":1},"o_k":2}', { o_k: '1' });
    f('| json v="a"', '{"a":"1","a":"2"}', { v: '1' });
    f('| logfmt | regexp "b=(?P<a>\\\\d)"', 'a=1 b=2', { a: '1', b: '2' });
    // A name extracted once stays extracted for the entry, even after drop (Loki's parser hints).
    f('| logfmt | drop a | logfmt', 'a=1 b=2', { b: '2' });
    // label_format is not a parser: it overwrites.
    f('| logfmt | label_format a="x{{.a}}"', 'a=1', { a: 'x1' });
  });
});

describe('Loki 3: unpack', () => {
  const f = (line: string, want: Labels, wantLine: string): void => {
    const r = runStages('| unpack', line, { cluster: 'c' });
    assert.ok(r);
    assert.deepEqual({ ...r.labels }, { cluster: 'c', ...want }, line);
    assert.equal(r.line, wantLine);
  };
  it('extracts string fields only when the object has _entry', () => {
    f('{"bar":1,"app":"foo","namespace":"prod","_entry":"some message","pod":{"uid":"1"}}', { app: 'foo', namespace: 'prod' }, 'some message');
    f('{"bar":1,"app":"foo","namespace":"prod","pod":{"uid":"1"}}', {}, '{"bar":1,"app":"foo","namespace":"prod","pod":{"uid":"1"}}');
    f('{"foo.bar":"10ms","test-dash":"foo","_entry":"m"}', { foo_bar: '10ms', test_dash: 'foo' }, 'm');
    f('{"_entry":"I0303 \\"Pod status updated\\" pod=\\"a\\""}', {}, 'I0303 "Pod status updated" pod="a"');
    f('', {}, '');
  });
  it('sets JSONParserErr on lines that are not JSON objects', () => {
    const err = { __error__: 'JSONParserErr', __error_details__: 'expecting json object(6), but it is not' };
    f('"app":"foo","_entry":"m"', err, '"app":"foo","_entry":"m"');
    f('["foo","bar"]', err, '["foo","bar"]');
  });
});

describe('Loki 3: logfmt edge cases', () => {
  const f = (stages: string, line: string, want: Labels, stream: Labels = { foo: 'bar' }): void => {
    assert.deepEqual(labelsOf(stages, line, stream), { ...stream, ...want }, `${stages} on ${JSON.stringify(line)}`);
  };
  it('values: U+FFFD becomes a space, quoted values keep newlines and escapes', () => {
    f('| logfmt', 'buzz=foo bar=\uFFFDf', { bar: ' f', buzz: 'foo' }, {});
    f('| logfmt', 'foobar="foo\\nbar\\tbaz"', { foobar: 'foo\nbar\tbaz' });
    f('| logfmt', 'foobar="foo\nbar\tbaz"', { foobar: 'foo\nbar\tbaz' });
    f('| logfmt', 'foobar="foo bar\nb\\\\az"', { foobar: 'foo bar\nb\\az' });
    f('| logfmt', 'foobar="foo ba\\\\r baz"', { foobar: 'foo ba\\r baz' });
  });
  it('keys: invalid characters are sanitized, a key holding U+FFFD drops its pair', () => {
    f('| logfmt', 'foo="foo bar" foo.bar=10ms test-dash=foo', { foo_extracted: 'foo bar', foo_bar: '10ms', test_dash: 'foo' });
    f('| logfmt', 'foo="foo bar" b\uFFFDr=10ms', { foo_extracted: 'foo bar' });
    f('| logfmt', 'foo="foo bar" =notkey bar=10ms', { foo_extracted: 'foo bar', bar: '10ms' });
    f('| logfmt', 'foobar====wqe=sdad1r', {});
  });
  it('--strict stops at the first error, with Loki\'s text and byte position', () => {
    const strict = (line: string, want: Labels, details: string): void =>
      f('| logfmt --strict', line, { ...want, __error__: 'LogfmtParserErr', __error_details__: details });
    strict('foobar====wqe=sdad1r', {}, "logfmt syntax error at pos 8 : unexpected '='");
    strict('foo="foo bar" =notkey bar=10ms', { foo_extracted: 'foo bar' }, "logfmt syntax error at pos 15 : unexpected '='");
    strict('foo="foo bar" b\uFFFDr=10ms', { foo_extracted: 'foo bar' }, 'logfmt syntax error at pos 20 : invalid key');
    strict('foo="foo bar" bu"zz=10ms', { foo_extracted: 'foo bar' }, `logfmt syntax error at pos 17 : unexpected '"'`);
    strict('bar=bu=zz foo="foo bar"', {}, "logfmt syntax error at pos 7 : unexpected '='");
  });
  it('--keep-empty keeps standalone keys and empty values', () => {
    f('| logfmt', 'foo bar=buzz', { bar: 'buzz' });
    f('| logfmt --keep-empty', 'foo bar=buzz', { foo_extracted: '', bar: 'buzz' });
    f('| logfmt --keep-empty', 'foo=b\uFFFDr bar=buzz', { foo_extracted: 'b r', bar: 'buzz' });
  });
  it('parameters: renamed, "" when absent, U+FFFD values empty', () => {
    const line = 'app=foo level=error spaces="value with ÜFT8👌" ts=2021-02-12T19:18:10.037940878Z';
    f('| logfmt lvl="level", timestamp="ts", nope', line, { lvl: 'error', timestamp: '2021-02-12T19:18:10.037940878Z', nope: '' }, {});
    f('| logfmt spaces', line, { spaces: 'value with ÜFT8👌' }, {});
    f('| logfmt app', line, { app_extracted: 'foo' }, { app: 'bar' });
    f('| logfmt v="k"', 'k=a\uFFFDb', { v: '' }, {});
  });
});

describe('Loki 3: json edge cases', () => {
  const f = (stages: string, line: string, want: Labels): void => {
    assert.deepEqual(labelsOf(stages, line, {}), want, `${stages} on ${line}`);
  };
  it('keys made of spaces add no level; U+FFFD becomes a space', () => {
    f('| json', '{" ": {"foo":"bar"}}', { foo: 'bar' });
    f('| json', '{" ": {" ":"bar"}}', { '': 'bar' });
    f('| json', '{" ": {"":"bar"}}', { '': 'bar' });
    f('| json', '{"": {"":"bar"}}', { '': 'bar' });
    f('| json', '{"counter":1,"foo":"\uFFFD", "price": {"_net_":5.56909}}', { counter: '1', foo: ' ', price__net_: '5.56909' });
    f('| json', '{"counter":1, "price": {"net_":["10","20"]}}', { counter: '1' });
    f('| json', '{"cou-nter":1}', { cou_nter: '1' });
  });
  it('malformed lines: jsonparser error texts, fields read before the error kept', () => {
    const err = (d: string): Labels => ({ __error__: 'JSONParserErr', __error_details__: d });
    f('| json', '{n}', err("Value looks like object, but can't find closing '}' symbol"));
    f('| json', 'not json', err("Value looks like object, but can't find closing '}' symbol"));
    f('| json', '{"a":"1","b":tru}', { a: '1', ...err('Unknown value type') });
    f('| json', '{"a":"1","b":"x', { a: '1', ...err(`Value is string, but can't find closing '"' symbol`) });
    f('| json', '{"a":"1" "b":2}', { a: '1', ...err("Value looks like object, but can't find closing '}' symbol") });
    // jsonparser does not validate numbers, nor escapes inside values (an invalid one reads as "").
    f('| json', '{"a":1x,"b":"\\q"}', { a: '1x', b: '' });
    f('| json', '{"a":"b"} trailing', { a: 'b' });
    // jsonparser's ObjectEach texts, including its "array" text for an object cut short.
    f('| json', '{', err('Malformed JSON error'));
    f('| json', '{"a', err('Malformed JSON error'));
    f('| json', '{"a":', err('Malformed JSON error'));
    f('| json', '{"a":}', err('Unknown value type'));
    f('| json', '{"a":"b"', { a: 'b', ...err("Value is array, but can't find closing ']' symbol") });
    f('| json', '{"a":{"b":1}', { a_b: '1', ...err("Value is array, but can't find closing ']' symbol") });
    f('| json', '{"a":[1,2}', err("Value is array, but can't find closing ']' symbol"));
  });
  it('with parameters: invalid JSON sets only __error__; a later break keeps what was found', () => {
    f('| json uuid="will.not.work"', 'invalid json', { __error__: 'JSONParserErr' });
    f('| json uuid="pod.uuid"', '', {});
    f('| json uuid="pod.uuid"', '{}', { uuid: '' });
    f('| json a="a", b="b"', '{"a":"1", "b":', { a: '1', b: '' });
    f('| json app="app"', '{"app":{"name":"great \\"loki\\""}}', { app: '{"name":"great \\"loki\\""}' });
    f('| json v="v"', '{"v":"\uFFFDx"}', { v: ' x' });
  });
});

describe('Loki 3: ip() filters', () => {
  it('matches single addresses, CIDR prefixes and ranges, IPv4 and IPv6', () => {
    const f = (pattern: string, text: string, want: boolean): void => assert.equal(ipMatcher(pattern)(text), want, `${pattern} in ${text}`);
    f('192.168.0.1', 'ip=192.168.0.1 ok', true);
    f('192.168.0.1', 'ip=192.168.0.10', false);
    f('192.168.0.0/16', 'from 192.168.4.5:80', true);
    f('192.168.0.0/16', 'from 192.169.4.5', false);
    f('192.168.4.5/16', 'from 192.168.200.1', true);
    f('192.168.0.1-192.168.0.23', 'x 192.168.0.23 y', true);
    f('192.168.0.1-192.168.0.23', 'x 192.168.0.24 y', false);
    f('::1', 'addr [::1]:8080', true);
    f('2001:db8::/32', 'client 2001:db8:85a3::8a2e:370:7334 connected', true);
    f('2001:db8::/32', 'client 2001:db9::1 connected', false);
    f('2001:db8::1-2001:db8::ff', 'h 2001:db8::a0', true);
    f('192.168.0.0/16', 'no address here', false);
    f('192.168.0.0/16', 'v6 ::ffff:192.168.0.1 only', false);
    f('10.0.0.1', 'several 10.0.0.2, 10.0.0.1', true);
    f('10.0.0.1', '', false);
  });
  it('replays ip_test.go: which lines of each input match', () => {
    const f = (pattern: string, input: string[], want: number[]): void => {
      const m = ipMatcher(pattern);
      assert.deepEqual(input.flatMap((l, i) => (m(l) ? [i] : [])), want, pattern);
    };
    const tail = ['x', 'hello world!', ''];
    f('192.168.0.1', ['vpn 192.168.0.5 connected to vm', 'vpn 192.168.0.1 connected to vm', ...tail], [1]);
    f('::1', ['vpn ::1 connected to vm', 'vpn 192.168.0.1 connected to vm', ...tail], [0]);
    f('192.168.0.1-192.189.10.12', ['vpn 192.168.0.0 connected to vm', 'vpn 192.168.0.0 192.168.0.1 connected to vm', 'vpn 192.172.6.1 connected to vm', 'vpn 192.255.255.255 connected to vm', ...tail], [1, 2]);
    f('2001:db8::1-2001:db8::8', ['vpn 192.168.0.0 connected to vm', 'vpn 2001:db8::2 connected to vm', 'vpn 2001:db8::9 connected to vm', 'vpn 2001:db8::5 connected to vm', ...tail], [1, 3]);
    f('192.168.4.5/16', ['vpn 192.168.0.0 connected to vm', 'vpn 192.168.0.1 connected to vm', 'vpn 192.172.6.1 connected to vm', 'vpn 192.168.255.255 connected to vm', ...tail], [0, 1, 3]);
    f('2001:db8::/32', ['vpn 2001:db8::1 connected to vm', 'vpn 2001:db9::3 connected to vm', 'vpn 2001:dc8::1 and 2001:db8::2 connected to vm', 'vpn 192.168.255.255 connected to vm', ...tail], [0, 2]);
    assert.throws(() => parseIPPattern('192.168.0.1 - 192.189.10.12'), /ip: invalid pattern/);
    assert.throws(() => parseIPPattern('192.168.0.2-1.0.0.0'), /ip: invalid pattern/);
  });
  it('refuses invalid patterns and operators with Loki\'s texts', () => {
    for (const p of ['192.168.0', '192.168.0.1/33', '192.168.0.23-192.168.0.1', '192.168.0.1-::1', '01.2.3.4', 'abc'])
      assert.throws(() => parseIPPattern(p), { message: `ip: invalid pattern: ${JSON.stringify(p)}` });
    assert.throws(() => parseExpr('{app="x"} |~ ip("1.2.3.4")'), /ip: invalid operation/);
    assert.throws(() => parseExpr('{app="x"} | logfmt | addr > ip("1.2.3.4")'), /syntax error: unexpected IP/);
    assert.throws(() => parseExpr('{app="x"} | logfmt | addr == ip("1.2.3.4")'), /syntax error: unexpected IP/);
    assert.throws(() => parseExpr('{app="x"} |= ip("1.2.3")'), /ip: invalid pattern: "1.2.3"/);
  });
  it('line filters and label filters run in the pipeline and round-trip', () => {
    assert.ok(runStages('|= ip("192.168.0.0/16")', 'from 192.168.4.5 ok'));
    assert.equal(runStages('|= ip("192.168.0.0/16")', 'from 10.1.1.1 ok'), null);
    assert.ok(runStages('!= ip("192.168.0.0/16")', 'from 10.1.1.1 ok'));
    assert.ok(runStages('| logfmt | addr = ip("10.0.0.0/8")', 'addr=10.2.3.4'));
    assert.equal(runStages('| logfmt | addr != ip("10.0.0.0/8")', 'addr=10.2.3.4'), null);
    assert.equal(runStages('| logfmt | addr = ip("10.0.0.0/8")', 'other=10.2.3.4'), null);
    assert.equal(runStages('| logfmt | addr != ip("10.0.0.0/8")', 'other=10.2.3.4'), null);
    // An entry with an error passes an ip label filter (Loki).
    assert.ok(runStages('| json | addr = ip("10.0.0.0/8")', 'not json'));
    for (const q of ['{app="x"} |= ip("192.168.0.0/16")', '{app="x"} != ip("::1") | logfmt | addr=ip("10.0.0.1-10.0.0.9") or addr!=ip("1.2.3.4")'])
      assert.equal(formatExpr(parseExpr(q)), q);
  });
});

describe('Loki 3: template functions', () => {
  const f = (tpl: string, want: string, stream: Labels = { app: 'x' }, ts = 0n): void => {
    const r = runStages('| line_format ' + JSON.stringify(tpl), 'orig', stream, undefined, undefined, ts);
    assert.ok(r);
    assert.equal(r.labels.__error__, undefined, `${tpl}: ${r.labels.__error_details__}`);
    assert.equal(r.line, want, tpl);
  };
  it('bytes, duration, duration_seconds', () => {
    f('{{ "1.5KB" | bytes }}', '1500');
    f('{{ .size | bytes }}', '2048', { app: 'x', size: '2KiB' });
    f('{{ "1m30s" | duration }}', '90');
    f('{{ "250ms" | duration_seconds }}', '0.25');
  });
  it('toDateInZone, unixEpochMillis, unixEpochNanos', () => {
    f('{{ toDateInZone "2006-01-02 15:04" "America/New_York" "2024-07-01 12:00" | unixEpoch }}', '1719849600');
    f('{{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2024-01-01 01:00" | unixEpoch }}', '1704067200');
    f('{{ toDateInZone "2006-01-02" "Not/AZone" "2024-01-01" | unixEpoch }}', '1704067200');
    f('{{ __timestamp__ | unixEpochMillis }}', '1700000000123', { app: 'x' }, 1_700_000_000_123_456_789n);
    f('{{ __timestamp__ | unixEpochNanos }}', '1700000000123456789', { app: 'x' }, 1_700_000_000_123_456_789n);
  });
  it('replays fmt_test.go line_format cases', () => {
    f('{{ .foo | bytes }}', '3000', { foo: '3 kB' });
    f('{{ .foo | bytes }}', '3e+06', { foo: '3MB' });
    f('{{ .foo | duration }}', '0.003', { foo: '3ms' });
    f('{{ .foo | duration_seconds }}', '190', { foo: '3m10s' });
    f('{{ addf .foo 1.5 | subf .bar 1.5 | mulf .baz | divf .bazz }}', '3.8476190476190477', { foo: '1.5', bar: '5', baz: '10.5', bazz: '20.2' });
    f('{{ round (addf .foo 1.5 | subf .bar | mulf .baz | divf .bazz) 5 .2}}', '3.88572', { foo: '1.5', bar: '3.5', baz: '10.5', bazz: '20.4' });
    f('minf is {{ minf .foo .bar .baz }} and maxf is {{maxf .foo .bar .baz}}', 'minf is 5.3 and maxf is 15.2', { foo: '5.3', bar: '10.5', baz: '15.2' });
    f('ceil is {{ ceil .foo }} and floor is {{floor .foo }}', 'ceil is 6 and floor is 5', { foo: '5.3' });
    f('{{ "2.5" | float64 | int | add 10}}', '12');
    f('{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochMillis }}', '1678411960340', { foo: '2023-03-10T01:32:40.340485723Z' });
    f('{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochNanos }}', '1678411960340485723', { foo: '2023-03-10T01:32:40.340485723Z' });
    f('{{ mul 1000 1000 }}', '1000000');
    f('{{ mulf 1000 1000 }}', '1e+06');
  });
  it('addf/subf/mulf/divf compute in decimal and round like sprig', () => {
    f('{{ addf 1.1 2.2 }}', '3.3');
    f('{{ subf 0.3 0.1 }}', '0.2');
    f('{{ mulf 1.1 3 }}', '3.3');
    f('{{ divf 1 3 }}', '0.3333333333333333');
    f('{{ divf 10 4 }}', '2.5');
    f('{{ round 3.14159 2 }}', '3.14');
    f('{{ round 2.5 0 }}', '3');
    f('{{ round -1.5 0 }}', '-2');
    f('{{ round 1.234 2 0.3 }}', '1.24');
  });
});

describe('Loki 3: parse parity for log pipelines', () => {
  it('accepts |> "" (matches only empty lines) and !> ""', () => {
    assert.equal(formatExpr(parseExpr('{app="x"} |> ""')), '{app="x"} |> ""');
    assert.ok(runStages('|> ""', ''));
    assert.equal(runStages('|> ""', 'x'), null);
    assert.ok(runStages('!> ""', 'x'));
  });
  it('templates Loki parses but that fail when run set TemplateFormatErr and keep the line', () => {
    for (const tpl of ['{{ template "x" }}', '{{ ToUpper "a" "b" }}', '{{ "x" | duration }}', '{{ divf 1 0 }}', '{{.foo Replace "foo"}}', '{{.foo | now}}']) {
      const r = runStages('| line_format ' + JSON.stringify(tpl), 'orig');
      assert.ok(r, tpl);
      assert.equal(r.line, 'orig', tpl);
      assert.equal(r.labels.__error__, 'TemplateFormatErr', tpl);
    }
    const r = runStages('| label_format v=' + JSON.stringify('{{ template "y" }}'), 'orig');
    assert.equal(r!.labels.__error__, 'TemplateFormatErr');
  });
  it('reports template failures with Go\'s exec prefix (fmt_test.go)', () => {
    const f = (stages: string, stream: Labels, details: string): void => {
      const r = runStages(stages, 'orig', stream);
      assert.ok(r);
      assert.equal(r.labels.__error__, 'TemplateFormatErr', stages);
      assert.equal(r.labels.__error_details__, details, stages);
    };
    f('| line_format ' + JSON.stringify('{{.foo Replace "foo"}}'), { foo: 'blip' }, 'template: line:1:2: executing "line" at <.foo>: foo is not a method but has arguments');
    f('| line_format ' + JSON.stringify('{{.foo | now}}'), { foo: 'blip' }, 'template: line:1:9: executing "line" at <now>: wrong number of args for now: want 0 got 1');
    f('| label_format bar=' + JSON.stringify('{{replace "test" .foo}}'), { foo: 'blip' }, 'template: label:1:2: executing "label" at <replace>: wrong number of args for replace: want 3 got 2');
  });
  it('runs range, with, variables, break and continue as Go does', () => {
    const f = (tpl: string, want: string): void => {
      const r = runStages('| line_format ' + JSON.stringify(tpl), 'orig', { app: 'x', b: '2', a: '1' });
      assert.ok(r);
      assert.equal(r.labels.__error__, undefined, `${tpl}: ${r.labels.__error_details__}`);
      assert.equal(r.line, want, tpl);
    };
    f('{{range $k, $v := .}}{{$k}}={{$v}} {{end}}', 'a=1 app=x b=2 ');
    f('{{range .}}[{{.}}]{{end}}', '[1][x][2]');
    f('{{with .a}}a is {{.}}{{else}}no a{{end}}', 'a is 1');
    f('{{with .zz}}{{.}}{{else}}no zz{{end}}', 'no zz');
    f('{{with $x := .b}}{{$x}}{{.}}{{end}}', '22');
    f('{{$x := .a}}{{$x}}-{{$x = "q"}}{{$x}}', '1-q');
    f('{{range $v := .}}{{if eq $v "x"}}{{continue}}{{end}}{{if eq $v "2"}}{{break}}{{end}}{{$v}}{{end}}', '1');
    f('{{ $.a }} {{ with .b }}{{ $.app }}{{ end }}', '1 x');
    const r = runStages('| line_format ' + JSON.stringify('{{range .a}}{{.}}{{end}}'), 'orig', { a: '1' });
    assert.equal(r!.labels.__error__, 'TemplateFormatErr');
    assert.equal(r!.line, 'orig');
  });
  it('refuses logfmt parameters whose keys are not identifiers, with Loki\'s text', () => {
    const f = (q: string, msg: string): void => assert.throws(() => parseExpr(q), (e: Error) => e.message.endsWith(msg), q);
    f('{app="x"} | logfmt a="field with spaces"', 'cannot parse expression [field with spaces]: syntax error: unexpected KEY');
    f('{app="x"} | logfmt a="x.y"', 'cannot parse expression [x.y]: unexpected char .');
    f('{app="x"} | logfmt a="fieldwithÜFT8"', 'cannot parse expression [fieldwithÜFT8]: unexpected char Ü');
    f('{app="x"} | logfmt a="9lives"', 'cannot parse expression [9lives]: unexpected char 9');
    assert.doesNotThrow(() => parseExpr('{app="x"} | logfmt a="id8", b'));
  });
});
