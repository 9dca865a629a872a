import { test } from 'node:test';
import assert from 'node:assert/strict';
const { MAX_PAGE_LIMIT, appendOlder, newerPageRequest, olderPageRequest, prependNewer } = await import('../../ui/src/components/explore/paging.js');
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

/** The server's forward read: from `startNs` (inclusive), oldest first, at most `limit`. */
function forward(all: LogEntry[]): (startNs: string, limit: number) => LogEntry[] {
  const sorted = all.slice().sort((x, y) => (BigInt(x.ts) > BigInt(y.ts) ? 1 : BigInt(x.ts) < BigInt(y.ts) ? -1 : 0));
  return (startNs, limit) => sorted.filter((x) => BigInt(x.ts) >= BigInt(startNs)).slice(0, limit);
}

test('newer lines that arrived after the first page, at and after its newest timestamp, come once each', () => {
  // The first page saw 3 of the lines at t=3; later 4 more arrived at t=3 and 15 at t=4..6.
  const first = [e(3, 'a0'), e(3, 'a1'), e(3, 'a2', 'b'), e(2, 'old')];
  const arrived = [e(3, 'late0'), e(3, 'late1', 'b'), e(3, 'a0'), e(3, 'late2'), ...Array.from({ length: 15 }, (_, i) => e(4 + (i % 3), `new ${i}`, i % 2 ? 'a' : 'b'))];
  // `a0` arrived twice: the second copy is a distinct entry and must be shown.
  const all = [...first, ...arrived];
  const read = forward(all);
  let shown = first.slice();
  let pages = 0;
  let more = true;
  while (more && pages < 10) {
    const req = newerPageRequest(shown, 5)!;
    assert.equal(req.startNs, shown[0].ts, 'reads from the newest timestamp shown, inclusive');
    const r = prependNewer(shown, read(req.startNs, req.limit), req.limit, ++pages);
    shown = r.entries;
    more = r.more;
  }
  assert.equal(shown.length, all.length, 'every entry once');
  assert.equal(shown.filter((x) => x.line === 'a0').length, 2, 'identical entries stay distinct');
  assert.equal(new Set(shown.map((x) => x.id)).size, all.length, 'ids stay unique across pages');
  assert.ok(shown.every((x, i) => i === 0 || BigInt(shown[i - 1].ts) >= BigInt(x.ts)), 'newest first');
  assert.equal(shown[shown.length - 1].line, 'old', 'older lines stay at the end');
  const none = prependNewer(shown, read(newerPageRequest(shown, 5)!.startNs, 10), 10, pages + 1);
  assert.equal(none.added, 0);
  assert.equal(none.more, false);
  assert.equal(newerPageRequest([], 10), undefined);
});

test("pages of the largest limit stay within the server's maximum and still leave no gap", () => {
  // Pages of 5,000: the page read past the first asks for at most 5,000, not 5,000 + those at the edge.
  const all = Array.from({ length: 12_000 }, (_, i) => e(Math.floor(i / 4), `l${i}`, i % 2 ? 'a' : 'b'));
  const read = server(all);
  let shown = read(undefined, MAX_PAGE_LIMIT);
  let pages = 1;
  let more = true;
  while (more && pages < 10) {
    const req = olderPageRequest(shown, MAX_PAGE_LIMIT)!;
    assert.ok(req.limit <= MAX_PAGE_LIMIT, `limit ${req.limit}`);
    const r = appendOlder(shown, read(req.endNs, req.limit), req.limit, pages++);
    shown = r.entries;
    more = r.more;
  }
  assert.equal(shown.length, all.length);
  assert.equal(new Set(shown.map((x) => x.line)).size, all.length, 'no gap, no duplicate');
  const newer = newerPageRequest(shown, MAX_PAGE_LIMIT)!;
  assert.equal(newer.limit, MAX_PAGE_LIMIT);
});
