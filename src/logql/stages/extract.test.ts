import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../../model/labels.js';
import { runStages } from './test-helpers.js';
import { compilePattern } from './pattern-matcher.js';

describe('regexp, pattern and unpack stages', () => {
  const f = (stages: string, line: string, want: Labels, wantLine = line): void => {
    const r = runStages(stages, line);
    assert.ok(r);
    assert.deepEqual(r.parsed, want, `${stages} on ${line}`);
    assert.equal(r.line, wantLine);
  };
  it('regexp extracts named groups (RE2 syntax)', () => {
    f('| regexp "(?P<ip>\\\\S+) - (?P<user>\\\\S+) \\\\[(?P<ts>[^\\\\]]+)\\\\]"', '10.0.0.1 - bob [10/Oct/2000:13:55:36]', { ip: '10.0.0.1', user: 'bob', ts: '10/Oct/2000:13:55:36' });
    f('| regexp "(?i)status=(?P<status>\\\\d+)"', 'STATUS=500 x', { status: '500' });
    f('| regexp "(?P<app>\\\\w+)"', 'hello', { app_extracted: 'hello' });
    f('| regexp "(?P<a>x)?(?P<b>y)"', 'y', { a: '', b: 'y' });
    f('| regexp "(?P<n>\\\\d+)"', 'no digits', {});
  });
  it('pattern captures between literals', () => {
    const access = '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326';
    f('| pattern `<ip> - - [<ts>] "<method> <path> <_>" <status> <size>`', access, {
      ip: '127.0.0.1',
      ts: '10/Oct/2000:13:55:36 -0700',
      method: 'GET',
      path: '/apache_pb.gif',
      status: '200',
      size: '2326',
    });
    f('| pattern "<a> <b>"', 'only', {});
    f('| pattern "<a> <b> end"', 'x y z', { a: 'x' });
    f('| pattern "[<level>] <msg>"', '[warn] disk is full', { level: 'warn', msg: 'disk is full' });
    f('| pattern "<app> <_>"', 'x y', { app_extracted: 'x' });
  });
  it('pattern matcher tests whole lines', () => {
    const p = compilePattern('<_> GET <_> 200', { filterOnly: true });
    assert.equal(p.test('1.1.1.1 GET /x 200'), true);
    assert.equal(p.test('1.1.1.1 GET /x 2001'), false);
    assert.equal(p.test('1.1.1.1 POST /x 200'), false);
    assert.throws(() => compilePattern('<a><b>', { filterOnly: false }), /consecutive capture/);
    assert.throws(() => compilePattern('<a> <a>', { filterOnly: false }), /duplicate capture name/);
    assert.throws(() => compilePattern('no captures', { filterOnly: false }), /at least one capture/);
  });
  it('unpack replaces the line with _entry and adds string fields', () => {
    f('| unpack', '{"_entry":"original line","pod":"p1","n":1,"app":"y"}', { pod: 'p1', app_extracted: 'y' }, 'original line');
    // Loki 3: an object without _entry is left unchanged and adds nothing.
    f('| unpack', '{"pod":"p1"}', {});
    const r = runStages('| unpack', 'not json');
    assert.equal(r!.labels.__error__, 'JSONParserErr');
    assert.equal(r!.line, 'not json');
    f('| unpack | json', '{"_entry":"{\\"inner\\":\\"v\\"}","k":"w"}', { k: 'w', inner: 'v' }, '{"inner":"v"}');
  });
});
