import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LinePredicate } from '../../logql/plan.js';
import { lineFilter, Params } from './line-filter.js';

const c = (value: string): LinePredicate => ({ type: 'contains', value });
const r = (pattern: string): LinePredicate => ({ type: 'regex', pattern });

describe('postgres line filter', () => {
  it('translates what PostgreSQL evaluates exactly and rechecks the rest in JavaScript', () => {
    const f = (p: LinePredicate, sql: string | undefined, exact: boolean, values: unknown[]): void => {
      const params = new Params();
      const got = lineFilter(p, params);
      assert.deepEqual({ sql: got.sql, exact: got.exact, values: params.values }, { sql, exact, values }, JSON.stringify(p));
    };
    f(c('GET'), 'strpos(line, $1) > 0', true, ['GET']);
    f(c("it's \\ %"), 'strpos(line, $1) > 0', true, ["it's \\ %"]);
    f(c('a\u0000b'), 'strpos(line, $1) > 0', true, ['a\uFFFDb']);
    f({ type: 'not', expr: c('x') }, 'NOT (strpos(line, $1) > 0)', true, ['x']);
    f({ type: 'or', exprs: [c('a'), c('b')] }, '(strpos(line, $1) > 0 OR strpos(line, $2) > 0)', true, ['a', 'b']);
    f({ type: 'and', exprs: [] }, 'TRUE', true, []);
    f({ type: 'or', exprs: [] }, 'FALSE', true, []);
    // Regexes are never translated: only the contains conjuncts narrow the rows.
    f(r('a.b'), undefined, false, []);
    f({ type: 'and', exprs: [c('GET'), r('\\d+ms')] }, '(strpos(line, $1) > 0)', false, ['GET']);
    f({ type: 'or', exprs: [c('GET'), r('x')] }, undefined, false, []);
    f({ type: 'not', expr: { type: 'and', exprs: [c('a'), r('b')] } }, undefined, false, []);
    f({ type: 'and', exprs: [{ type: 'not', expr: r('b') }, c('a')] }, '(strpos(line, $1) > 0)', false, ['a']);
  });

  it('pushes a regex down as a broader PostgreSQL regex when one is known, still rechecked', () => {
    const re = (pattern: string): string | undefined => (pattern === 'x' ? undefined : 'ARE:' + pattern);
    const f = (p: LinePredicate, sql: string | undefined, values: unknown[]): void => {
      const params = new Params();
      const got = lineFilter(p, params, { regex: re });
      assert.deepEqual({ sql: got.sql, exact: got.exact, values: params.values }, { sql, exact: false, values }, JSON.stringify(p));
    };
    f(r('a.b'), 'line ~ $1', ['ARE:a.b']);
    f({ type: 'and', exprs: [c('GET'), r('\\d+')] }, '(strpos(line, $1) > 0 AND line ~ $2)', ['GET', 'ARE:\\d+']);
    f({ type: 'or', exprs: [r('a'), r('x')] }, undefined, []);
    f({ type: 'or', exprs: [r('a'), c('b')] }, '(line ~ $1 OR strpos(line, $2) > 0)', ['ARE:a', 'b']);
    f({ type: 'not', expr: r('a') }, undefined, []);
    f({ type: 'and', exprs: [{ type: 'not', expr: r('a') }, r('b')] }, '(line ~ $1)', ['ARE:b']);
  });

  it('writes contains as LIKE for a trigram index, escaping LIKE wildcards', () => {
    const f = (p: LinePredicate, sql: string | undefined, values: unknown[]): void => {
      const params = new Params();
      const got = lineFilter(p, params, { like: true });
      assert.deepEqual({ sql: got.sql, values: params.values }, { sql, values }, JSON.stringify(p));
    };
    f(c('GET'), 'line LIKE $1', ['%GET%']);
    f(c('50%_off\\x'), 'line LIKE $1', ['%50\\%\\_off\\\\x%']);
    f({ type: 'not', expr: c('a') }, 'NOT (line LIKE $1)', ['%a%']);
  });

  it('matches lines with RE2 semantics in JavaScript', () => {
    const f = (p: LinePredicate, line: string, want: boolean): void => {
      assert.equal(lineFilter(p, new Params()).matches(line), want, `${JSON.stringify(p)} on ${JSON.stringify(line)}`);
    };
    f(r('odd.*next'), 'odd\nnext', false);
    f(r('(?s)odd.*next'), 'odd\nnext', true);
    f(r('(?i)deadlock'), 'DEADLOCK detected', true);
    f(r('\\bword\\b'), 'a word here', true);
    f(r('\\bword\\b'), 'awordhere', false);
    f({ type: 'and', exprs: [c('GET'), r('\\d+ms$')] }, 'GET took 5ms', true);
    f({ type: 'and', exprs: [c('GET'), r('\\d+ms$')] }, 'POST took 5ms', false);
    f({ type: 'not', expr: { type: 'or', exprs: [c('a'), r('b+')] } }, 'ccc', true);
    f({ type: 'not', expr: { type: 'or', exprs: [c('a'), r('b+')] } }, 'cbc', false);
  });
});
