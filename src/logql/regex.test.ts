import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileAnchoredRegex, compileRegex, expandTemplate, isLiteralPattern, regexError, regexReplaceAll } from './regex.js';

describe('regex', () => {
  it('uses RE2 syntax', () => {
    assert.equal(compileRegex('(?i)error').test('ERROR x'), true);
    assert.deepEqual({ ...compileRegex('(?P<n>\\d+)').namedGroups() }, { n: 1 });
    assert.equal(compileAnchoredRegex('a|b').test('ab'), false);
    assert.equal(compileAnchoredRegex('a|b').test('b'), true);
    assert.match(regexError('a(') ?? '', /missing closing \)/);
    assert.match(regexError('(?=x)') ?? '', /error parsing regexp/);
    assert.equal(regexError('a+'), undefined);
  });
  it('matches hostile patterns in linear time', () => {
    assert.equal(compileRegex('(a+)+$').test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'), false);
    assert.equal(compileRegex('(a|a)*b').test('a'.repeat(10000)), false);
    assert.equal(compileRegex('^(\\w+\\s?)*$').test('word '.repeat(2000) + '!'), false);
  });
  it('expands Go replacement templates', () => {
    assert.equal(expandTemplate('$1-${2}x-$name-$$-$9', ['all', 'a', 'b'], { name: 1 }), 'a-bx-a-$-');
    assert.equal(regexReplaceAll(compileRegex('(\\w)(\\d)'), 'a1 b2', '$2$1'), '1a 2b');
    assert.equal(regexReplaceAll(compileRegex('(?P<k>\\w+)=(?P<v>\\w+)'), 'a=1', '${v}=${k}'), '1=a');
    assert.equal(regexReplaceAll(compileRegex('o'), 'foo', '$0', true), 'f$0$0');
  });
  it('detects literal patterns', () => {
    assert.equal(isLiteralPattern('hello world'), true);
    assert.equal(isLiteralPattern('a.b'), false);
    assert.equal(isLiteralPattern('(?i)x'), false);
  });
});
