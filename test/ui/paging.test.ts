import { test } from 'node:test';
import assert from 'node:assert/strict';
const { appendOlder, olderPageRequest } = await import('../../ui/src/components/explore/paging.js');
type LogEntry = import('../../ui/src/types.js').LogEntry;

const T = 1_764_921_600_000_000_000n;
const e = (ts: number, line: string, stream = 'a'): LogEntry => ({ id: `${stream}:${ts}:${line}`, ts: (T + BigInt(ts)).toString(), line, labels: { s: stream }, metadata: {}, level: 'info' });

/** A store of entries and the server's backward read: up to `end` (exclusive), newest first, at most `limit`. */
function server(all: LogEntry[]): (endNs: string | undefined, limit: number) => LogEntry[] {
  const sorted = all.slice().sort((x, y) => (BigInt(y.ts) > BigInt(x.ts) ? 1 : BigInt(y.ts) < BigInt(x.ts) ? -1 : 0));
  return (endNs, limit) => sorted.filter((x) => endNs === undefined || BigInt(x.ts) < BigInt(endNs)).slice(0, limit);
}

test('pages through equal timestamps without duplicates or gaps', () => {
  // 5 lines at t=1, 12 at t=2 (two streams), 8 at t=3; pages of 10.
  const all = [
    ...Array.from({ length: 5 }, (_, i) => e(1, `old ${i}`)),
    ...Array.from({ length: 12 }, (_, i) => e(2, `mid ${i}`, i % 2 ? 'a' : 'b')),
    ...Array.from({ length: 8 }, (_, i) => e(3, `new ${i}`)),
  ];
  const read = server(all);
  let shown = read(undefined, 10);
  let pages = 1;
  let more = true;
  while (more && pages < 10) {
    const req = olderPageRequest(shown, 10)!;
    const r = appendOlder(shown, read(req.endNs, req.limit), req.limit, pages++);
    shown = r.entries;
    more = r.more;
  }
  assert.equal(shown.length, all.length, 'every entry once');
  assert.equal(new Set(shown.map((x) => `${x.labels.s}${x.ts}${x.line}`)).size, all.length, 'no duplicates');
  assert.equal(new Set(shown.map((x) => x.id)).size, all.length, 'ids stay unique across pages');
  assert.ok(shown.every((x, i) => i === 0 || BigInt(shown[i - 1].ts) >= BigInt(x.ts)), 'newest first');
});

test('identical entries stay distinct, and the end of the data is seen', () => {
  const same = [e(5, 'x'), e(5, 'x'), e(5, 'x'), e(4, 'y')];
  const req = olderPageRequest(same.slice(0, 2), 2)!;
  assert.deepEqual(req, { endNs: (T + 6n).toString(), limit: 4 });
  const r = appendOlder(same.slice(0, 2), server(same)(req.endNs, req.limit), req.limit, 1);
  assert.deepEqual(r.entries.map((x) => x.line), ['x', 'x', 'x', 'y']);
  assert.equal(r.added, 2);
  const last = appendOlder(r.entries, [e(4, 'y')], olderPageRequest(r.entries, 2)!.limit, 2);
  assert.equal(last.added, 0);
  assert.equal(last.more, false);
  assert.equal(olderPageRequest([], 10), undefined);
});
