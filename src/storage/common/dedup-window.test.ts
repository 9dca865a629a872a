import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DedupWindow, entryHash } from './dedup-window.js';
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
