import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeOrdered } from './merge.js';
import type { StoredRow } from '../storage/storage.js';

const row = (ts: number, streamId = 1n): StoredRow => ({ ts: BigInt(ts), streamId, line: `${ts}/${streamId}`, level: 'info' });

async function* chunks(rows: StoredRow[], size: number, closed: { n: number }): AsyncGenerator<StoredRow[]> {
  try {
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  } finally {
    closed.n++;
  }
}

describe('mergeOrdered', () => {
  const f = async (sources: StoredRow[][], direction: 'backward' | 'forward', want: string[]): Promise<void> => {
    const closed = { n: 0 };
    const got: string[] = [];
    for await (const [r, k] of mergeOrdered(sources.map((s, i) => chunks(s, 2 + i, closed)), direction)) got.push(`${r.line}@${k}`);
    assert.deepEqual(got, want);
    assert.equal(closed.n, sources.length);
  };

  it('interleaves ordered sources by time, ties by stream id', async () => {
    await f([[row(1), row(4), row(6)], [row(2, 2n), row(4, 2n), row(5, 2n)]], 'forward', ['1/1@0', '2/2@1', '4/1@0', '4/2@1', '5/2@1', '6/1@0']);
    await f([[row(6), row(4), row(1)], [row(5, 2n), row(4, 2n), row(2, 2n)]], 'backward', ['6/1@0', '5/2@1', '4/2@1', '4/1@0', '2/2@1', '1/1@0']);
  });

  it('handles empty sources', async () => {
    await f([[], [row(1)]], 'forward', ['1/1@1']);
    await f([[], []], 'forward', []);
  });

  it('releases every source when the consumer stops early', async () => {
    const closed = { n: 0 };
    for await (const _ of mergeOrdered([chunks([row(1), row(2), row(3)], 1, closed), chunks([row(1, 2n), row(5, 2n)], 1, closed)], 'forward')) break;
    assert.equal(closed.n, 2);
  });
});
