import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TimeWindows } from './time-windows.js';

const S = 1_000_000_000n;

function walk(start: bigint, end: bigint, dir: 'backward' | 'forward', rowsPer: (from: bigint, to: bigint) => number): Array<[bigint, bigint]> {
  const w = new TimeWindows(start, end, dir);
  const out: Array<[bigint, bigint]> = [];
  for (let win = w.next(); win; win = w.next()) {
    out.push([win.from, win.to]);
    w.done(rowsPer(win.from, win.to));
  }
  return out;
}

describe('TimeWindows', () => {
  it('covers the range exactly once, without gaps, in either direction', () => {
    for (const dir of ['backward', 'forward'] as const) {
      const wins = walk(0n, 3600n * S, dir, () => 5000);
      const sorted = [...wins].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      assert.equal(sorted[0][0], 0n);
      assert.equal(sorted[sorted.length - 1][1], 3600n * S);
      for (let i = 1; i < sorted.length; i++) assert.equal(sorted[i][0], sorted[i - 1][1]);
      if (dir === 'backward') assert.equal(wins[0][1], 3600n * S);
      else assert.equal(wins[0][0], 0n);
    }
  });

  it('widens after empty windows and narrows after dense ones', () => {
    const w = new TimeWindows(0n, 6400n * S, 'forward');
    const first = w.next()!;
    w.done(0);
    const second = w.next()!;
    assert.equal(second.to - second.from, 8n * (first.to - first.from));
    w.done(1_000_000);
    const third = w.next()!;
    assert.equal(third.to - third.from, (second.to - second.from) / 4n);
  });

  it('handles a range shorter than a second and an empty range', () => {
    assert.deepEqual(walk(10n, 20n, 'backward', () => 1), [[10n, 20n]]);
    assert.deepEqual(walk(10n, 10n, 'forward', () => 1), []);
  });
});
