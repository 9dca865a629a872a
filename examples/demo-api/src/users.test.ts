import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DATABASE_ERROR_RATE, planUsersQuery } from './users.js';

/** A random source that returns the given draws in order. */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('BUG: test random source ran out of draws');
    return values[i++];
  };
}

describe('planUsersQuery', () => {
  it('fails when the first draw is below 2%', () => {
    const f = (failDraw: number, want: boolean): void => {
      assert.equal(planUsersQuery(draws(failDraw, 0.5)).fails, want, `draw ${failDraw}`);
    };
    f(0, true);
    f(0.0199, true);
    f(0.02, false);
    f(0.5, false);
    f(0.9999, false);
  });

  it('draws the latency from the second draw, with a slow tail', () => {
    const f = (latencyDraw: number, want: number): void => {
      assert.equal(planUsersQuery(draws(0.5, latencyDraw)).latencyMs, want, `draw ${latencyDraw}`);
    };
    f(0, 10);
    f(0.475, 80);
    f(0.9499, 150);
    f(0.95, 500);
    f(0.975, 1250);
    f(0.99999, 2000);
  });

  it('fails exactly 2% of an evenly spread set of draws', () => {
    const n = 10_000;
    let failures = 0;
    for (let i = 0; i < n; i++) if (planUsersQuery(draws(i / n, 0.5)).fails) failures++;
    assert.equal(failures, n * DATABASE_ERROR_RATE);
  });
});
