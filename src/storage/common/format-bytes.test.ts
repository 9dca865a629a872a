import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from './format-bytes.js';

describe('formatBytes', () => {
  const f = (n: number, want: string): void => assert.equal(formatBytes(n), want);
  it('uses IEC units with at most one decimal', () => {
    f(0, '0 B');
    f(1023, '1023 B');
    f(1024, '1 KiB');
    f(1536, '1.5 KiB');
    f(512 * 1024 * 1024, '512 MiB');
    f(12.34 * 1024 * 1024, '12.3 MiB');
    f(3 * 1024 ** 4, '3 TiB');
  });
});
