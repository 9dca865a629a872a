import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addLineFilter, applyFilter, streamSelectorOf } from '../../ui/src/logql/rewrite.js';

describe('patterns tab query rewriting', () => {
  it('takes the first stream selector alone for the patterns API', () => {
    const f = (q: string, want: string | undefined): void => assert.equal(streamSelectorOf(q), want, q);
    f('{app="a"}', '{app="a"}');
    f('{app="a", env=~"p.*"} |= "x" | json | status >= 500', '{app="a", env=~"p.*"}');
    f('  {app="a"}  # comment', '{app="a"}');
    f('', undefined);
  });

  it('adds a clicked pattern as a |> line filter, quoting what needs it', () => {
    const f = (q: string, pattern: string, want: string): void => assert.equal(applyFilter(q, { kind: 'line', text: pattern, op: '|>' }), want);
    f('{app="a"}', 'user <_> logged in', '{app="a"} |> "user <_> logged in"');
    f('{app="a"} |= "x" | logfmt', 'level=<_> msg="done"', '{app="a"} |= "x" |> "level=<_> msg=\\"done\\"" | logfmt');
    // Already there: unchanged.
    assert.equal(addLineFilter('{app="a"} |> "x <_>"', 'x <_>', '|>'), '{app="a"} |> "x <_>"');
  });
});
