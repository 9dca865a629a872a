import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { LineBloom, bloomSql, bloomTest, needleGrams } from './line-bloom.js';
import { fuzzer } from '../../testing/seeded-random.js';
import type { LinePredicate } from '../../logql/plan.js';

const { int, pick } = fuzzer(0xb10f);

function block(lines: string[]): Uint8Array {
  const b = new LineBloom();
  for (const l of lines) b.add(l);
  return b.bits;
}

const contains = (value: string): LinePredicate => ({ type: 'contains', value });

describe('line filters: grams of words', () => {
  it('takes grams inside words only, never across a word end', () => {
    assert.equal(needleGrams('abc').length, 0);
    assert.equal(needleGrams('abcd').length, 1);
    assert.equal(needleGrams('abcde').length, 2);
    // "ab cd" and "abc.d" have no run of four word characters.
    assert.equal(needleGrams('ab cd').length, 0);
    assert.equal(needleGrams('abc.defg').length, 1);
    // Non-ASCII characters end a word like punctuation does.
    assert.equal(needleGrams('abcéabcd').length, 1);
  });

  it('never rules out a block holding a line that contains the needle (random lines and needles)', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEF0123456789_ .:=-/"é✓';
    for (let round = 0; round < 200; round++) {
      const lines = Array.from({ length: 1 + int(50) }, () => Array.from({ length: int(120) }, () => alphabet[int(alphabet.length)]).join(''));
      const bits = block(lines);
      for (let k = 0; k < 20; k++) {
        const l = pick(lines);
        const from = int(l.length + 1);
        const needle = l.slice(from, from + int(30));
        const t = bloomTest(contains(needle));
        if (t) assert.equal(t(bits), true, `needle ${JSON.stringify(needle)} of ${JSON.stringify(l)}`);
      }
    }
  });

  it('rules out blocks without the needle, through and, or and nested filters', () => {
    const bits = block(['GET /api/users 200 duration=12ms', 'level=error msg="connection refused" host=db1']);
    const test = (p: LinePredicate): boolean | undefined => bloomTest(p)?.(bits);
    assert.equal(test(contains('connection refused')), true);
    assert.equal(test(contains('zq7rare9token')), false);
    // A substring of a word is found: LogQL's |= is a substring match.
    assert.equal(test(contains('nnectio')), true);
    assert.equal(test(contains('uration=1')), true);
    assert.equal(test({ type: 'and', exprs: [contains('users'), contains('zq7rare9token')] }), false);
    assert.equal(test({ type: 'or', exprs: [contains('zq7rare9token'), contains('refused')] }), true);
    assert.equal(test({ type: 'or', exprs: [contains('zq7rare9token'), contains('xx9yy8zz')] }), false);
    // What cannot rule anything out is not compiled at all.
    assert.equal(bloomTest(contains('abc')), undefined);
    assert.equal(bloomTest({ type: 'regex', pattern: 'zq7rare9token' }), undefined);
    assert.equal(bloomTest({ type: 'not', expr: contains('users') }), undefined);
    assert.equal(bloomTest({ type: 'or', exprs: [contains('zq7rare9token'), { type: 'regex', pattern: 'x' }] }), undefined);
    assert.equal(test({ type: 'and', exprs: [{ type: 'regex', pattern: 'x' }, contains('zq7rare9token')] }), false);
  });
});

describe('line filters in SQL', () => {
  it('decides every block as the JavaScript test does (DuckDB numbers bits from the top of each byte)', async () => {
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    try {
      const blocks = [
        ['GET /api/users 200 duration=12ms', 'level=error msg="connection refused" host=db1'],
        ['zq7rare9token in here', 'nothing else'],
        Array.from({ length: 300 }, (_, i) => `request ${i} handled id=${(i * 2654435761) >>> 0}`),
      ].map(block);
      await c.run('CREATE TABLE f (blk INTEGER, bits BLOB)');
      const app = await c.createAppender('f');
      blocks.forEach((bits, i) => {
        app.appendInteger(i);
        app.appendBlob(bits);
        app.endRow();
      });
      app.flushSync();
      app.closeSync();
      const preds: LinePredicate[] = [
        contains('connection refused'),
        contains('zq7rare9token'),
        contains('request 12 handled'),
        contains('nnectio'),
        { type: 'or', exprs: [contains('zq7rare9token'), contains('refused')] },
        { type: 'and', exprs: [contains('handled'), contains('request')] },
        contains('absentword'),
      ];
      for (const p of preds) {
        const js = blocks.map((bits) => bloomTest(p)!(bits));
        const rows = (await c.runAndReadAll(`SELECT ${bloomSql(p, 'b')} FROM (SELECT blk, bits::BIT AS b FROM f) ORDER BY blk`)).getRows();
        assert.deepEqual(rows.map((r) => r[0]), js, JSON.stringify(p));
      }
      // Both tests rule out somewhere and keep somewhere, so the comparison means something.
      assert.ok(preds.some((p) => blocks.some((bits) => !bloomTest(p)!(bits))));
      assert.equal(bloomSql(contains('abc'), 'b'), undefined);
    } finally {
      c.closeSync();
      inst.closeSync();
    }
  });
});
