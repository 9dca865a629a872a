import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../../model/labels.js';
import { runStages } from './test-helpers.js';

describe('logfmt stage', () => {
  const f = (stages: string, line: string, want: Labels): void => {
    const r = runStages(stages, line);
    assert.ok(r);
    assert.deepEqual(r.parsed, want, `${stages} on ${line}`);
  };
  it('decodes key/value pairs', () => {
    f('| logfmt', 'level=info msg="request done" status=200 dur=1.5ms', { level: 'info', msg: 'request done', status: '200', dur: '1.5ms' });
    f('| logfmt', 'ts=2024-01-01T00:00:00Z caller=main.go:12 msg="a \\"quoted\\" word"', { ts: '2024-01-01T00:00:00Z', caller: 'main.go:12', msg: 'a "quoted" word' });
    f('| logfmt', 'app=y my-key=1 9x=2', { app_extracted: 'y', my_key: '1', _9x: '2' });
    f('| logfmt', 'a=1 standalone b= c=3', { a: '1', c: '3' });
    f('| logfmt --keep-empty', 'a=1 standalone b= c=3', { a: '1', standalone: '', b: '', c: '3' });
    f('| logfmt msg="message", lvl="level"', 'level=warn message=hello other=x', { lvl: 'warn', msg: 'hello' });
  });
  it('skips malformed pairs unless --strict', () => {
    f('| logfmt', 'a=1 =bad b=2 c"d=3 e=4', { a: '1', b: '2', e: '4' });
    const r = runStages('| logfmt', 'a=1 =bad b=2');
    assert.equal(r!.labels.__error__, undefined);
    const s = runStages('| logfmt --strict', 'a=1 =bad b=2');
    assert.equal(s!.labels.__error__, 'LogfmtParserErr');
    assert.match(s!.labels.__error_details__, /logfmt syntax error at pos 5 : unexpected '='/);
    assert.equal(s!.labels.a, '1');
    assert.equal(s!.labels.b, undefined);
    const u = runStages('| logfmt --strict', 'a=1 msg="unterminated');
    assert.equal(u!.labels.__error__, 'LogfmtParserErr');
    assert.match(u!.labels.__error_details__, /unterminated quoted value/);
  });
});
