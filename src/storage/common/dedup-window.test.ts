import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DedupWindow, HashSet53, entryHash } from './dedup-window.js';
import { canonicalMetadata } from '../../model/metadata.js';

describe('entryHash', () => {
  it('tells entries apart by metadata, not by its key order', () => {
    const h = (line: string, m?: Record<string, string>): number => entryHash(42n, 7n, line, canonicalMetadata(m));
    assert.equal(h('x', { a: '1', b: '2' }), h('x', { b: '2', a: '1' }));
    assert.equal(h('x'), h('x', {}));
    assert.notEqual(h('x', { a: '1' }), h('x', { a: '2' }));
    assert.notEqual(h('x', { a: '1' }), h('x'));
    // The line and the metadata do not run into each other.
    assert.notEqual(h('x{"a":"1"}'), h('x', { a: '1' }));
    assert.ok(Number.isSafeInteger(h('x', { a: '1' })));
    // Lines that differ in length only by a NUL, or in one unit of a pair, are told apart.
    assert.notEqual(h('ab'), h('ab\u0000'));
    assert.notEqual(h('abcd'), h('abdc'));
    assert.notEqual(h('abc'), h('abd'));
    assert.notEqual(h(''), h('\u0000'));
  });
});

describe('DedupWindow', () => {
  it('remembers between capacity/2 and capacity of the latest hashes', () => {
    const w = new DedupWindow(4);
    for (const h of [1, 2, 3, 4, 5]) w.add(h);
    assert.deepEqual([1, 2, 3, 4, 5].map((h) => w.has(h)), [false, false, true, true, true]);
    assert.equal(new DedupWindow(0).enabled, false);
  });
});

describe('HashSet53', () => {
  it('holds 53-bit hashes exactly, including 0 and 2^53 - 1, and grows past its first size', () => {
    const s = new HashSet53(4);
    const hs = [0, 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, 4294967296 * 12345 + 6789];
    // Hashes equal in their low 32 bits probe the same slots.
    for (let i = 0; i < 100; i++) hs.push(4294967296 * i + 77);
    for (const h of hs) assert.equal(s.add(h), true);
    assert.equal(s.size, hs.length);
    for (const h of hs) assert.equal(s.has(h), true, String(h));
    assert.equal(s.add(Number.MAX_SAFE_INTEGER), false);
    for (const h of [3, 2 ** 32 + 2, 4294967296 * 100 + 77, Number.MAX_SAFE_INTEGER - 1]) assert.equal(s.has(h), false, String(h));
    s.clear();
    assert.equal(s.size, 0);
    assert.equal(s.has(0), false);
  });
});
