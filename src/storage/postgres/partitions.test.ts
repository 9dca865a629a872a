import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { partitionIndex, partitionRange } from './partitions.js';

const DAY = 86_400_000_000_000n;

describe('postgres partitions', () => {
  it('maps timestamps to partitions (floor division, also before 1970)', () => {
    const f = (ts: bigint, want: bigint): void => assert.equal(partitionIndex(ts, DAY), want, String(ts));
    f(0n, 0n);
    f(DAY - 1n, 0n);
    f(DAY, 1n);
    f(1_767_225_600_000_000_000n, 20454n);
    f(-1n, -1n);
    f(-DAY, -1n);
    f(-DAY - 1n, -2n);
  });

  it('names partitions after their range', () => {
    const f = (index: bigint, want: { name: string; from: bigint; to: bigint }): void => assert.deepEqual(partitionRange(index, DAY), want);
    f(0n, { name: 'entries_0_86400000000000', from: 0n, to: DAY });
    f(20454n, { name: 'entries_1767225600000000000_1767312000000000000', from: 20454n * DAY, to: 20455n * DAY });
    f(-1n, { name: 'entries_m86400000000000_0', from: -DAY, to: 0n });
  });
});
