import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ActiveStreams } from './active-streams.js';

describe('active streams', () => {
  it('admits known streams and new ones up to the limit, per tenant', () => {
    const now = 0;
    const s = new ActiveStreams(60_000, () => now);
    const f = (tenant: string, id: bigint, limit: number, want: boolean): void => assert.equal(s.admit(tenant, id, limit), want, `${tenant} ${id}`);
    f('a', 1n, 2, true);
    f('a', 2n, 2, true);
    f('a', 3n, 2, false);
    f('a', 1n, 2, true); // known streams keep flowing
    f('b', 3n, 2, true); // other tenants have their own count
    f('a', 3n, 3, true); // a raised limit (overrides reload) admits at once
    f('c', 9n, 0, true); // 0 = no limit, not tracked
    assert.equal(s.count('c'), 0);
    assert.equal(s.count('a'), 3);
  });

  it('forgets streams idle past the timeout, so new ones fit again', () => {
    let now = 0;
    const s = new ActiveStreams(60_000, () => now);
    assert.ok(s.admit('a', 1n, 2));
    now = 30_000;
    assert.ok(s.admit('a', 2n, 2));
    now = 70_000; // stream 1 idle 70 s, stream 2 idle 40 s
    assert.ok(s.admit('a', 3n, 2));
    assert.ok(!s.admit('a', 4n, 2));
    assert.equal(s.count('a'), 2);
    now = 200_000;
    s.sweep();
    assert.equal(s.count('a'), 0);
  });
});
