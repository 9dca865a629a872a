/**
 * Merges row streams that are each ordered by (timestamp, stream id) into one such stream, so a
 * query can read several backend selects (e.g. streams with and without their own `level`
 * label) and still hand rows to the pipeline in time order. Stopping early releases every source.
 */
import type { StoredRow } from '../storage/storage.js';

interface Cursor {
  it: AsyncIterator<StoredRow[]>;
  rows: StoredRow[];
  i: number;
  done: boolean;
}

function before(a: StoredRow, b: StoredRow, backward: boolean): boolean {
  if (a.ts !== b.ts) return backward ? a.ts > b.ts : a.ts < b.ts;
  return backward ? a.streamId > b.streamId : a.streamId < b.streamId;
}

/** Yields `[row, index of its source]` in `direction` order. */
export async function* mergeOrdered(sources: AsyncIterable<StoredRow[]>[], direction: 'backward' | 'forward'): AsyncGenerator<[StoredRow, number]> {
  const backward = direction === 'backward';
  const cursors: Cursor[] = sources.map((s) => ({ it: s[Symbol.asyncIterator](), rows: [], i: 0, done: false }));
  const fill = async (c: Cursor): Promise<void> => {
    while (!c.done && c.i >= c.rows.length) {
      const r = await c.it.next();
      if (r.done) c.done = true;
      else {
        c.rows = r.value;
        c.i = 0;
      }
    }
  };
  try {
    await Promise.all(cursors.map(fill));
    for (;;) {
      let best = -1;
      for (let k = 0; k < cursors.length; k++) {
        const c = cursors[k];
        if (c.i >= c.rows.length) continue;
        if (best < 0 || before(c.rows[c.i], cursors[best].rows[cursors[best].i], backward)) best = k;
      }
      if (best < 0) return;
      const c = cursors[best];
      yield [c.rows[c.i++], best];
      if (c.i >= c.rows.length) await fill(c);
    }
  } finally {
    await Promise.all(cursors.map((c) => c.it.return?.()));
  }
}
