import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';

test('TokenBucket refills at its rate up to its capacity', () => {
  let now = 0;
  const b = new TokenBucket(1000, 500, () => now);
  const f = (advanceMs: number, n: number, wantWaitMs: number): void => {
    now += advanceMs;
    assert.equal(Math.round(b.waitMs(n)), wantWaitMs);
  };
  f(0, 100, 0); // starts with rate/10 tokens
  f(0, 200, 100);
  f(1000, 500, 0); // capped at capacity
  f(10_000, 600, 100); // still capped
});

test('TokenBucket rejects a non-positive rate', () => {
  assert.throws(() => new TokenBucket(0, 1), /^Error: cannot create token bucket: rate must be positive, got 0$/);
});
