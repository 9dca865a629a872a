import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlightTokens } from '../../ui/src/logql/tokens.js';

test('highlightTokens covers every character and classifies words by place', () => {
  const f = (q: string, want: string): void => {
    const toks = highlightTokens(q);
    assert.equal(toks.map((t) => t.text).join(''), q, 'tokens must cover the input');
    const got = toks.filter((t) => t.kind !== 'space').map((t) => `${t.kind}:${t.text}`).join(' ');
    assert.equal(got, want);
  };
  f('{app="api"}', 'brace:{ label:app operator:= string:"api" brace:}');
  f('{json="x"} | json', 'brace:{ label:json operator:= string:"x" brace:} pipe:| parser:json');
  f('{a=~"x.*"} |= "err" != `raw`', 'brace:{ label:a operator:=~ string:"x.*" brace:} operator:|= string:"err" operator:!= string:`raw`');
  f('sum by (level) (rate({a="b"}[5m]))', 'function:sum keyword:by paren:( ident:level paren:) paren:( function:rate paren:( brace:{ label:a operator:= string:"b" brace:} paren:[ duration:5m paren:] paren:) paren:)');
  f('{a="b"} | status >= 500 # note', 'brace:{ label:a operator:= string:"b" brace:} pipe:| ident:status operator:>= number:500 comment:# note');
  f('{a="unfinished', 'brace:{ label:a operator:= string:"unfinished');
  f('{a="b"} @', 'brace:{ label:a operator:= string:"b" brace:} error:@');
  f('', '');
});

test('highlightTokens marks unterminated strings', () => {
  const f = (q: string, want: boolean): void => {
    const s = highlightTokens(q).find((t) => t.kind === 'string');
    assert.equal(Boolean(s?.unterminated), want, q);
  };
  f('{a="x"}', false);
  f('{a="x}', true);
  f('{a="x\\"y"}', false);
  f('{a="x\n', true);
});
