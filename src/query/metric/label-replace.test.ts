import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMetricExpr } from '../../logql/parser.js';
import type { LabelReplaceExpr } from '../../logql/ast.js';
import { labelReplacer } from './label-replace.js';

describe('label_replace', () => {
  const f = (args: string, labels: Record<string, string>, want: Record<string, string>): void => {
    const expr = parseMetricExpr(`label_replace(vector(1), ${args})`) as LabelReplaceExpr;
    assert.deepEqual(labelReplacer(expr)(labels), want, args);
  };

  it('replaces on a full match only', () => {
    f('"dst", "$1-x", "src", "(a+)"', { src: 'aaa' }, { dst: 'aaa-x', src: 'aaa' });
    f('"dst", "$1-x", "src", "(a+)"', { src: 'aab' }, { src: 'aab' });
    f('"dst", "${name}", "src", "(?P<name>b)c"', { src: 'bc' }, { dst: 'b', src: 'bc' });
    f('"src", "$2", "src", "(a)(b)?"', { src: 'a' }, {});
    f('"dst", "v", "missing", ""', { x: '1' }, { dst: 'v', x: '1' });
    f('"dst", "v", "missing", ".+"', { x: '1' }, { x: '1' });
  });
});
