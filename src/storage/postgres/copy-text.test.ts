import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyField, toPgText } from './copy-text.js';

describe('postgres COPY text format', () => {
  it('escapes what COPY text format needs escaped', () => {
    const f = (v: string | null, want: string): void => assert.equal(copyField(v), want, JSON.stringify(v));
    f(null, '\\N');
    f('', '');
    f('plain line', 'plain line');
    f('\\N', '\\\\N');
    f('a\tb\nc\rd\\e', 'a\\tb\\nc\\rd\\\\e');
    f('nul\u0000', 'nul\uFFFD');
    f('ünï €', 'ünï €');
  });

  it('replaces NUL, which PostgreSQL text cannot hold', () => {
    assert.equal(toPgText('a\u0000b\u0000'), 'a\uFFFDb\uFFFD');
    assert.equal(toPgText('abc'), 'abc');
  });
});
