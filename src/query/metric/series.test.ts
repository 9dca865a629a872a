import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue, groupLabels, makeGrid, unixSeconds } from './series.js';

describe('series helpers', () => {
  it('formats values as Go strconv.FormatFloat(v, f, -1, 64)', () => {
    const f = (v: number, want: string): void => assert.equal(formatValue(v), want, String(v));
    f(2, '2');
    f(0.1, '0.1');
    f(-1.5, '-1.5');
    f(1e-7, '0.0000001');
    f(1.5e-7, '0.00000015');
    f(1e21, '1000000000000000000000');
    f(NaN, 'NaN');
    f(Infinity, '+Inf');
    f(-Infinity, '-Inf');
  });

  it('groups labels by and without', () => {
    const l = { a: '1', b: '2', c: '' };
    assert.deepEqual(groupLabels(l, undefined), {});
    assert.deepEqual(groupLabels(l, { without: false, labels: ['b', 'c', 'z'] }), { b: '2' });
    assert.deepEqual(groupLabels(l, { without: true, labels: ['b'] }), { a: '1', c: '' });
  });

  it('builds step grids and Unix second timestamps', () => {
    assert.equal(makeGrid(0n, 10n, 3n).count, 4);
    assert.equal(makeGrid(5n, 5n, 1n).count, 1);
    assert.equal(unixSeconds(1_588_889_221_123_456_789n), 1588889221.123);
  });
});
