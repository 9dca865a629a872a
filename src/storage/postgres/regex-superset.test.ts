import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toPostgresRegexSuperset } from './regex-superset.js';

describe('RE2 to PostgreSQL regex superset', () => {
  it('translates constructs whose ARE meaning is the same or broader', () => {
    const f = (re2: string, want: string): void => assert.equal(toPostgresRegexSuperset(re2), want, re2);
    f('dead|slow', 'dead|slow');
    f('\\d+ms$', '[0-9]+ms$');
    f('^GET /api/v\\d\\.', '^GET /api/v[0-9]\\.');
    f('(?i)DEADLOCK', '(?i)DEADLOCK'.replace('K', '[kK\u212A]'));
    f('(?i)error', '(?i)error');
    f('(?i)status', '(?i)[sS\u017F]tatu[sS\u017F]');
    f('(?s)a.b', 'a.b');
    f('a.*?b', 'a.*?b');
    f('(?P<code>[45]\\d\\d)', '([45][0-9][0-9])');
    f('(?:GET|POST) /x{2,3}', '(?:GET|POST) /x{2,3}');
    f('a{', 'a\\{');
    f('{foo}', '\\{foo}');
    f('[a-z_\\-]+=\\w+', '[a-z_\\-]+=\\w+');
    f('[^\\d ]', '[^0-9 ]');
    f('\\s+took\\s', '\\s+took\\s');
    f('ünï€', 'ünï€');
    f('tab\\there', 'tab\\there');
  });

  it('refuses what ARE would read differently or more narrowly', () => {
    const f = (re2: string): void => assert.equal(toPostgresRegexSuperset(re2), undefined, re2);
    f('\\bword\\b'); // \b is a backspace in ARE
    f('\\W');
    f('\\S+');
    f('\\pL');
    f('\\Qa.b\\E');
    f('a(?i)b');
    f('(?m)^x$');
    f('(?i)ünï');
    f('(?i)[a-z]');
    f('[[:alpha:]]');
    f('[^\\w]');
    f('[]a]');
    f('x{256}');
    f('x{1,1000}');
    f('\\x41');
    f('\\1');
  });
});
