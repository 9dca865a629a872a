import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CELL_NS, CountAccumulator, cellOf, planRollup } from './rollups.js';

const M = CELL_NS;
const T = 1_767_225_600_000_000_000n; // a whole minute: the last nanosecond of cell T/M - 1
const C = T / M;

describe('rollups: cells', () => {
  it('a cell holds (c·60 s, (c+1)·60 s]', () => {
    assert.equal(cellOf(T), C - 1n);
    assert.equal(cellOf(T + 1n), C);
    assert.equal(cellOf(T + M), C);
    assert.equal(cellOf(T + M + 1n), C + 1n);
  });

  it('the accumulator adds up per stream, level, cell and metadata', () => {
    const a = new CountAccumulator();
    a.startStream('t', 1);
    a.add(T + 1n, 3, 10, false);
    a.add(T + M, 3, 5, false);
    a.add(T + M + 1n, 3, 1, false);
    a.add(T + 2n, 5, 2, false);
    a.add(T + 3n, 3, 4, true);
    a.startStream('t', 2);
    a.add(T + 1n, 3, 7, false);
    assert.deepEqual(
      a.rows.map((r) => `${r.stream} ${r.level} ${r.cell - C} ${r.meta} n${r.n} ${r.bytes}`),
      ['1 3 0 false n2 15', '1 3 1 false n1 1', '1 5 0 false n1 2', '1 3 0 true n1 4', '2 3 0 false n1 7'],
    );
  });
});

describe('rollups: planRollup', () => {
  it('takes every whole cell of an aligned query and leaves the edges to the entries', () => {
    const p = planRollup(T + 1n, T + 10n * M, T, M)!;
    assert.deepEqual([p.first - C, p.last - C, p.skip], [0n, 8n, []]);
    // The last nanosecond T + 10M (end is exclusive) is not a whole cell: it is read from the entries.
    assert.deepEqual(p.raw, [[T + 9n * M + 1n, T + 10n * M]]);
    assert.deepEqual(p.cells, [[T + 1n, T + 9n * M + 1n]]);
  });

  it('reads the partial minutes at both edges from the entries', () => {
    const p = planRollup(T + 30n, T + 5n * M + 7n, T, M)!;
    assert.deepEqual([p.first - C, p.last - C], [1n, 4n]);
    assert.deepEqual(p.raw, [
      [T + 30n, T + M + 1n],
      [T + 5n * M + 1n, T + 5n * M + 7n],
    ]);
  });

  it('reads the cells a bucket boundary cuts from the entries', () => {
    // 90 s buckets from T: boundaries at T+90s (inside cell 1), T+180s (a cell end), T+270s (inside cell 4).
    const p = planRollup(T + 1n, T + 6n * M + 1n, T, 90_000_000_000n)!;
    assert.deepEqual(p.skip.map((c) => c - C), [1n, 4n]);
    assert.deepEqual(p.raw, [
      [T + M + 1n, T + 2n * M + 1n],
      [T + 4n * M + 1n, T + 5n * M + 1n],
    ]);
    assert.deepEqual(p.cells, [
      [T + 1n, T + M + 1n],
      [T + 2n * M + 1n, T + 4n * M + 1n],
      [T + 5n * M + 1n, T + 6n * M + 1n],
    ]);
  });

  it('gives up when cells cannot help', () => {
    assert.equal(planRollup(T + 1n, T + 10n * M, T, 10_000_000_000n), undefined); // buckets under a minute
    assert.equal(planRollup(T + 1n, T + 30_000_000_000n, T, M), undefined); // no whole cell
    assert.equal(planRollup(T + 1n, T + 1000n * M, T + 1n, M), undefined); // every cell cut
    assert.ok(planRollup(T + 1n, T + 1000n * M, T + 7n, 60n * M)); // 16 cut cells of 1000
  });
});
