import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from './login-throttle.js';

test('a user name gets its free failures, then lockouts that double up to the cap', () => {
  let now = 0;
  const t = new LoginThrottle({ freeByUser: 3, freeByAddress: 100, maxLockMs: 8000, now: () => now });
  const want = [0, 0, 0, 1, 2, 4, 8, 8];
  const got: number[] = [];
  for (let i = 0; i < want.length; i++) {
    t.failed('10.0.0.1', 'Alice');
    got.push(t.retryAfterSeconds('10.0.0.9', 'alice'));
  }
  assert.deepEqual(got, want, 'per user name, whatever the address and case');
  now += 8000;
  assert.equal(t.retryAfterSeconds('10.0.0.9', 'alice'), 0, 'the lockout ends');
  t.succeeded('alice');
  t.failed('10.0.0.1', 'alice');
  assert.equal(t.retryAfterSeconds('10.0.0.9', 'alice'), 0, 'a success clears the count');
});

test('an address is throttled across user names; failures are forgotten after a quiet period', () => {
  let now = 0;
  const t = new LoginThrottle({ freeByUser: 100, freeByAddress: 2, forgetMs: 60_000, now: () => now });
  t.failed('10.0.0.1', 'a');
  t.failed('10.0.0.1', 'b');
  assert.equal(t.retryAfterSeconds('10.0.0.1', 'c'), 0);
  t.failed('10.0.0.1', 'c');
  assert.equal(t.retryAfterSeconds('10.0.0.1', 'd'), 1);
  assert.equal(t.retryAfterSeconds('10.0.0.2', 'd'), 0, 'another address is not throttled');
  now += 60_001;
  t.failed('10.0.0.1', 'e');
  assert.equal(t.retryAfterSeconds('10.0.0.1', 'e'), 0, 'counting starts again');
});

test('memory stays bounded', () => {
  const t = new LoginThrottle({ maxKeys: 10, freeByAddress: 0, freeByUser: 0 });
  for (let i = 0; i < 1000; i++) t.failed(`10.0.${i >> 8}.${i & 255}`, `u${i}`);
  const locked = [...Array(1000).keys()].filter((i) => t.retryAfterSeconds(`10.0.${i >> 8}.${i & 255}`, `u${i}`) > 0).length;
  assert.equal(locked, 10, 'only the last 10 keys are remembered');
});
