import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../../model/labels.js';
import { runStages } from './test-helpers.js';

describe('label filter stage', () => {
  const keep = (stages: string, line: string, want: boolean, stream?: Labels): void => {
    const r = runStages(stages, line, stream);
    assert.equal(r !== null, want, `${stages} on ${line}`);
  };
  it('compares strings, missing labels as ""', () => {
    keep('| logfmt | method="GET"', 'method=GET', true);
    keep('| logfmt | method!="GET"', 'method=GET', false);
    keep('| logfmt | missing=""', 'method=GET', true);
    keep('| logfmt | missing!=""', 'method=GET', false);
    keep('| logfmt | method=~"GE"', 'method=GET', false); // anchored
    keep('| logfmt | method=~"G.*|P.*"', 'method=GET', true);
    keep('| logfmt | method!~"(?i)get"', 'method=GET', false);
    keep('| app="x"', '', true);
  });
  it('compares numbers, durations and bytes', () => {
    keep('| logfmt | status >= 400', 'status=404', true);
    keep('| logfmt | status >= 400', 'status=200', false);
    keep('| logfmt | status == 200', 'status=200.0', true);
    keep('| logfmt | status = 200', 'status=2e2', true);
    keep('| logfmt | status != 200', 'status=201', true);
    keep('| logfmt | status < 300', 'status=-5', true);
    keep('| logfmt | missing > 1', 'status=200', false);
    keep('| logfmt | dur > 250ms', 'dur=1.5s', true);
    keep('| logfmt | dur > 250ms', 'dur=100ms', false);
    keep('| logfmt | dur <= 1m30s', 'dur=90s', true);
    keep('| logfmt | size > 20MB', 'size=21MB', true);
    keep('| logfmt | size > 20MB', 'size=20MiB', true);
    keep('| logfmt | size < 1KiB', 'size=1000', true);
    keep('| logfmt | size >= 1KB', 'size=1kb', true);
  });
  it('keeps the line and sets LabelFilterErr when a value does not convert', () => {
    const r = runStages('| logfmt | status > 400', 'status=abc');
    assert.ok(r);
    assert.equal(r.labels.__error__, 'LabelFilterErr');
    assert.equal(r.labels.__error_details__, 'strconv.ParseFloat: parsing "abc": invalid syntax');
    const d = runStages('| logfmt | dur > 1s', 'dur=fast');
    assert.equal(d!.labels.__error__, 'LabelFilterErr');
    assert.equal(d!.labels.__error_details__, 'time: invalid duration "fast"');
    // An existing error is not overwritten.
    const j = runStages('| json | status > 400', '{"status":"abc","x":}');
    assert.equal(j!.labels.__error__, 'JSONParserErr');
    // ... and can be filtered out.
    keep('| logfmt | status > 400 | __error__=""', 'status=abc', false);
    keep('| logfmt | status > 400 | __error__!="LabelFilterErr"', 'status=abc', false);
    keep('| json | __error__="JSONParserErr"', 'nope', true);
    keep('| json | __error__!="JSONParserErr"', 'nope', false);
    keep('| json | __error__=""', '{"a":1}', true);
  });
  it('combines with and, or, comma, juxtaposition and parentheses', () => {
    const line = 'a=1 b=2 c=3';
    keep('| logfmt | a="1" and b="2"', line, true);
    keep('| logfmt | a="1", b="3"', line, false);
    keep('| logfmt | a="1" b="2" c="3"', line, true);
    keep('| logfmt | a="2" or b="2"', line, true);
    keep('| logfmt | a="2" or b="3" and c="3"', line, false);
    keep('| logfmt | (a="2" or b="2") and c="3"', line, true);
    keep('| logfmt | a > 0 and (b > 5 or c < 4)', line, true);
  });
  it('sees the detected level as metadata when the stream has none', () => {
    assert.ok(runStages('| level="error"', 'x', { app: 'x' }, undefined, 'error'));
    assert.equal(runStages('| level="error"', 'x', { app: 'x' }, undefined, 'info'), null);
    // A stream label wins over the detected level.
    assert.ok(runStages('| level="custom"', 'x', { app: 'x', level: 'custom' }, undefined, 'info'));
  });
});
