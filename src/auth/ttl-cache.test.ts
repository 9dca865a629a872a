import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from './ttl-cache.js';

test('TtlCache forgets entries after the TTL and drops the oldest past its bound', () => {
  let now = 0;
  const c = new TtlCache<string, number | undefined>(2000, 3, () => now);
  c.set('a', 1);
  c.set('gone', undefined);
  assert.deepEqual(c.lookup('a'), { value: 1 });
  assert.deepEqual(c.lookup('gone'), { value: undefined }, 'a cached absence is a hit');
  assert.equal(c.lookup('b'), undefined);
  now = 1999;
  assert.deepEqual(c.lookup('a'), { value: 1 });
  now = 2000;
  assert.equal(c.lookup('a'), undefined, 'stale at the TTL');
  c.set('x', 1);
  c.set('y', 2);
  c.set('z', 3);
  c.set('w', 4);
  assert.equal(c.size, 3);
  assert.equal(c.lookup('x'), undefined, 'the oldest went');
  c.delete('w');
  assert.equal(c.lookup('w'), undefined);
});
