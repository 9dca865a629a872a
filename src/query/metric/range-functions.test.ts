import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RANGE_FUNCTIONS, quantile } from './range-functions.js';

const S = 1_000_000_000n;

describe('range functions', () => {
  // Samples at 1s, 2s, 3s, 4s; the window is (0s, 4s].
  const ts = [1n * S, 2n * S, 3n * S, 4n * S];
  const f = (op: keyof typeof RANGE_FUNCTIONS, vs: number[], want: number, param?: number): void => {
    const got = RANGE_FUNCTIONS[op](ts, vs, 0, vs.length, 4n * S, 4n * S, param);
    assert.ok(Math.abs(got - want) < 1e-9 || (Number.isNaN(got) && Number.isNaN(want)), `${op}(${vs}) = ${got}, want ${want}`);
  };

  it('counts and rates', () => {
    f('count_over_time', [1, 1, 1, 1], 4);
    f('rate', [1, 1, 1, 1], 1);
    f('bytes_over_time', [10, 20, 30, 40], 100);
    f('bytes_rate', [10, 20, 30, 40], 25);
  });

  it('unwrapped aggregations', () => {
    f('sum_over_time', [1, 2, 3, 4], 10);
    f('avg_over_time', [1, 2, 3, 4], 2.5);
    f('min_over_time', [3, 1, 4, 2], 1);
    f('max_over_time', [3, 1, 4, 2], 4);
    f('min_over_time', [NaN, 1, 4, 2], 1);
    f('first_over_time', [3, 1, 4, 2], 3);
    f('last_over_time', [3, 1, 4, 2], 2);
    f('stdvar_over_time', [2, 4, 4, 6], 2);
    f('stddev_over_time', [2, 4, 4, 6], Math.sqrt(2));
    f('quantile_over_time', [1, 2, 3, 4], 2.5, 0.5);
    f('quantile_over_time', [1, 2, 3, 4], 4, 1);
    f('quantile_over_time', [1, 2, 3, 4], 1.75, 0.25);
  });

  it('rate_counter runs Loki extrapolatedRate arithmetic and compensates resets', () => {
    // Loki: start distance = the range (4s), end distance 0, sampled interval 3e9 ns / 1000 = 3e6,
    // so the increase 3 is stretched by (3e6 + 4) / 3e6 and divided by the 4s range.
    f('rate_counter', [1, 2, 3, 4], (3 * 3_000_004) / 3e6 / 4);
    f('rate_counter', [5, 1, 2, 3], (3 * 3_000_004) / 3e6 / 4);
    f('rate_counter', [7, 7, 7, 7], 0);
  });

  it('quantile edge cases', () => {
    assert.equal(quantile(-0.5, [1, 2]), -Infinity);
    assert.equal(quantile(1.5, [1, 2]), Infinity);
    assert.ok(Number.isNaN(quantile(0.5, [])));
    assert.equal(quantile(0.9, [5]), 5);
  });
});
