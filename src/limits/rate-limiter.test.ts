import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limiter.js';

describe('ingestion rate limiter', () => {
  it('is a token bucket per tenant: burst first, then the rate; all or nothing per push', () => {
    let now = 0;
    const r = new RateLimiter(() => now);
    const take = (tenant: string, n: number): number => r.take(tenant, n, 100, 300);
    assert.equal(take('a', 250), 0); // a full burst at first
    assert.equal(take('a', 100), 1); // 50 left: refused, nothing taken, retry after 1 s
    assert.equal(take('b', 300), 0); // tenants are independent
    now = 500; // +50 tokens
    assert.equal(take('a', 100), 0);
    assert.equal(take('a', 1), 1);
    assert.equal(take('a', 301), Infinity); // larger than the burst: never
    now = 10_000;
    assert.equal(take('a', 300), 0); // refilled to the burst, not beyond
    assert.equal(take('a', 1), 1);
    assert.equal(take('a', 250), 3); // 250 missing at 100/s
  });

  it('follows a changed limit and forgets tenants that refilled', () => {
    let now = 0;
    const r = new RateLimiter(() => now);
    assert.equal(r.take('a', 100, 100, 100), 0);
    assert.equal(r.take('a', 50, 1000, 2000), 1); // new limits keep what was taken
    now = 100;
    assert.equal(r.take('a', 50, 1000, 2000), 0);
    r.sweep();
    assert.equal(r.size, 1);
    now = 10_000;
    r.sweep();
    assert.equal(r.size, 0);
  });
});

describe('ingestion rate limiter, oversize batches', () => {
  it('lets a batch larger than the burst pass once the bucket is full, then makes the next ones wait out the debt', () => {
    let now = 0;
    const r = new RateLimiter(() => now);
    assert.equal(r.take('a', 100, 100, 300, true), 0); // 200 left
    assert.equal(r.take('a', 500, 100, 300, true), 1); // not full: wait
    now = 1000; // full again
    assert.equal(r.take('a', 500, 100, 300, true), 0); // -200
    assert.equal(r.take('a', 50, 100, 300, true), 3);
    now = 3500; // +250 → 50
    assert.equal(r.take('a', 50, 100, 300, true), 0);
  });
});
