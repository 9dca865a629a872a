import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
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

// The filters are tested where the store tests them: in DuckDB, on the bits cast to BIT.
let inst: DuckDBInstance;
let conn: DuckDBConnection;
before(async () => {
  inst = await DuckDBInstance.create(':memory:');
  conn = await inst.connect();
});
after(() => {
  conn.closeSync();
  inst.closeSync();
});

/**
 * Each predicate's verdict on one block's filter (undefined where it compiles to nothing), in
 * DuckDB; the store tests the filters it keeps in memory with `bloomTest`, which must agree.
 */
async function verdicts(bits: Uint8Array, preds: LinePredicate[]): Promise<Array<boolean | undefined>> {
  const sqls = preds.map((p) => bloomSql(p, 'b'));
  const inMemory = preds.map((p) => bloomTest(p)?.(bits));
  const cols = sqls.filter((s) => s !== undefined);
  if (cols.length === 0) {
    assert.deepEqual(inMemory, sqls.map(() => undefined));
    return sqls.map(() => undefined);
  }
  const hex = Buffer.from(bits).toString('hex');
  const [row] = (await conn.runAndReadAll(`SELECT ${cols.join(', ')} FROM (SELECT from_hex('${hex}')::BIT AS b)`)).getRows();
  let i = 0;
  const out = sqls.map((s) => (s === undefined ? undefined : (row[i++] as boolean)));
  assert.deepEqual(inMemory, out, 'bloomTest and bloomSql disagree');
  return out;
}

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

  it('never rules out a block holding a line that contains the needle (random lines and needles)', async () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEF0123456789_ .:=-/"é✓';
    let tested = 0;
    for (let round = 0; round < 200; round++) {
      const lines = Array.from({ length: 1 + int(50) }, () => Array.from({ length: int(120) }, () => alphabet[int(alphabet.length)]).join(''));
      const needles = Array.from({ length: 20 }, () => {
        const l = pick(lines);
        const from = int(l.length + 1);
        return { l, needle: l.slice(from, from + int(30)) };
      });
      const got = await verdicts(
        block(lines),
        needles.map((n) => contains(n.needle)),
      );
      got.forEach((v, k) => {
        if (v !== undefined) tested++;
        if (v !== undefined) assert.equal(v, true, `needle ${JSON.stringify(needles[k].needle)} of ${JSON.stringify(needles[k].l)}`);
      });
    }
    assert.ok(tested > 1000, `only ${tested} needles had grams`);
  });

  it('rules out blocks without the needle, through and, or and nested filters', async () => {
    const bits = block(['GET /api/users 200 duration=12ms', 'level=error msg="connection refused" host=db1']);
    const regex: LinePredicate = { type: 'regex', pattern: 'x' };
    const preds: LinePredicate[] = [
      contains('connection refused'),
      contains('zq7rare9token'),
      // A substring of a word is found: LogQL's |= is a substring match.
      contains('nnectio'),
      contains('uration=1'),
      { type: 'and', exprs: [contains('users'), contains('zq7rare9token')] },
      { type: 'or', exprs: [contains('zq7rare9token'), contains('refused')] },
      { type: 'or', exprs: [contains('zq7rare9token'), contains('xx9yy8zz')] },
      { type: 'and', exprs: [regex, contains('zq7rare9token')] },
    ];
    assert.deepEqual(await verdicts(bits, preds), [true, false, true, true, false, true, false, false]);
    // What cannot rule anything out is not compiled at all.
    assert.equal(bloomSql(contains('abc'), 'b'), undefined);
    assert.equal(bloomSql({ type: 'regex', pattern: 'zq7rare9token' }, 'b'), undefined);
    assert.equal(bloomSql({ type: 'not', expr: contains('users') }, 'b'), undefined);
    assert.equal(bloomSql({ type: 'or', exprs: [contains('zq7rare9token'), regex] }, 'b'), undefined);
  });
});
