import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runStages } from './test-helpers.js';

describe('line filter stage', () => {
  const keep = (stages: string, line: string, want: boolean): void => {
    assert.equal(runStages(stages, line) !== null, want, `${stages} on ${JSON.stringify(line)}`);
  };
  it('filters by substring, regex and pattern', () => {
    keep('|= "error"', 'an error occurred', true);
    keep('|= "error"', 'an ERROR occurred', false);
    keep('|= ""', 'anything', true);
    keep('!= "debug"', 'level=debug', false);
    keep('!= "debug"', 'level=info', true);
    keep('|~ "(?i)error"', 'an ERROR occurred', true);
    keep('|~ "err(or)?\\\\s\\\\d+"', 'err 42', true);
    keep('|~ "^GET"', 'POST /', false);
    keep('!~ "health|ready"', 'GET /ready', false);
    keep('!~ "health|ready"', 'GET /api', true);
    keep('|> "<_> GET <_>"', '10.0.0.1 GET /api', true);
    keep('|> "<_> GET <_>"', '10.0.0.1 POST /api', false);
    keep('!> "<_> GET <_>"', '10.0.0.1 POST /api', true);
    keep('|= "a" |= "b"', 'a b', true);
    keep('|= "a" |= "b"', 'a c', false);
    keep('|= "é"', 'café', true);
  });
  it('treats or as any for positive and none for negative filters', () => {
    keep('|= "a" or "b"', 'xbx', true);
    keep('|= "a" or "b"', 'xcx', false);
    keep('!= "a" or "b"', 'xbx', false);
    keep('!= "a" or "b"', 'xcx', true);
    keep('|~ "a+" or "b+"', 'bbb', true);
    keep('!~ "a+" or "b+"', 'bbb', false);
  });
  it('does not backtrack catastrophically on hostile regexes', () => {
    keep('|~ "(a+)+$"', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', false);
    keep('|~ "(x+x+)+y"', 'x'.repeat(5000), false);
    keep('| logfmt | v=~"(a|aa)+b"', 'v=' + 'a'.repeat(5000), false);
  });
});
