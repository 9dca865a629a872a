import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TailBuffer, type TailMessage } from '../../ui/src/components/tail/tail-buffer.js';
import { RateMeter } from '../../ui/src/components/tail/rate-meter.js';
import { Reconnector, shouldRetry } from '../../ui/src/components/tail/reconnect.js';
import { msToNs, tailUrl } from '../../ui/src/components/tail/tail-url.js';

const msg = (values: Array<[string, string]>, stream: Record<string, string> = { service: 'api' }): TailMessage => ({ streams: [{ stream, values }], dropped_entries: null });

describe('TailBuffer', () => {
  it('keeps entries newest first, sorted by timestamp within a message, with unique ids and levels', () => {
    const b = new TailBuffer(10);
    b.add(msg([['2', 'level=error b'], ['1', 'INFO a']]));
    b.add(msg([['3', 'WARN c']]));
    assert.deepEqual(b.view().map((e) => e.line), ['WARN c', 'level=error b', 'INFO a']);
    assert.deepEqual(b.view().map((e) => e.level), ['warn', 'error', 'info']);
    assert.equal(new Set(b.view().map((e) => e.id)).size, 3);
    assert.deepEqual(b.view()[0].labels, { service: 'api' });
  });

  it('an explicit level label wins over the line', () => {
    const b = new TailBuffer(10);
    b.add(msg([['1', 'ERROR but labelled debug']], { service: 'x', level: 'debug' }));
    assert.equal(b.view()[0].level, 'debug');
  });

  it('drops the oldest past the cap and counts them; a smaller cap trims at once', () => {
    const f = (cap: number, batches: number[], want: { size: number; evicted: number; newest: string }): void => {
      const b = new TailBuffer(cap);
      let ts = 0;
      for (const n of batches) b.add(msg(Array.from({ length: n }, () => [String(++ts), `line ${ts}`] as [string, string])));
      assert.deepEqual({ size: b.size, evicted: b.evicted, newest: b.view()[0]?.line }, want);
    };
    f(3, [2, 2], { size: 3, evicted: 1, newest: 'line 4' });
    f(3, [5], { size: 3, evicted: 2, newest: 'line 5' });
    f(1000, [10, 10], { size: 20, evicted: 0, newest: 'line 20' });
    const b = new TailBuffer(10);
    b.add(msg([['1', 'a'], ['2', 'b'], ['3', 'c']]));
    b.setCap(2);
    assert.deepEqual(b.view().map((e) => e.line), ['c', 'b']);
    assert.equal(b.evicted, 1);
  });

  it('a resumed tail repeats the entries at the newest timestamp: they are skipped, new ones kept', () => {
    const b = new TailBuffer(100);
    b.add(msg([['10', 'a'], ['20', 'b'], ['20', 'c']]));
    assert.equal(b.resumeFromNs(), '20');
    // The server answers a resume from 20 with everything at or after 20.
    const r = b.add(msg([['20', 'b'], ['20', 'c'], ['20', 'd'], ['30', 'e']]));
    assert.deepEqual(r, { added: 2, repeated: 2, dropped: 0 });
    assert.deepEqual(b.view().map((e) => e.line), ['e', 'd', 'c', 'b', 'a']);
    assert.equal(b.resumeFromNs(), '30');
    // The same line at the same time in another stream is a different entry.
    assert.equal(b.add(msg([['30', 'e']], { service: 'other' })).added, 1);
    // Nanosecond timestamps past 2^53 compare exactly.
    b.add(msg([['1763800000000000001', 'x']]));
    assert.equal(b.add(msg([['1763800000000000001', 'x'], ['1763800000000000002', 'y']])).repeated, 1);
    assert.equal(b.resumeFromNs(), '1763800000000000002');
  });

  it('counts dropped_entries and survives empty or null streams', () => {
    const b = new TailBuffer(5);
    const r = b.add({ streams: null, dropped_entries: [{ labels: { a: 'b' }, timestamp: '1' }, { labels: '{a="b"}', timestamp: '2' }] });
    assert.deepEqual(r, { added: 0, repeated: 0, dropped: 2 });
    assert.equal(b.droppedByServer, 2);
    assert.equal(b.add({ streams: [] }).added, 0);
  });

  it('clear empties the view but keeps the resume point', () => {
    const b = new TailBuffer(5);
    b.add(msg([['7', 'a']]));
    const before = b.view();
    b.clear();
    assert.equal(b.size, 0);
    assert.equal(before.length, 1, 'the old view array is not mutated');
    assert.equal(b.add(msg([['7', 'a']])).repeated, 1);
  });

  it('rejects a non-positive cap', () => {
    assert.throws(() => new TailBuffer(0), /BUG/);
    assert.throws(() => new TailBuffer(5).setCap(-1), /BUG/);
  });
});

describe('RateMeter', () => {
  it('averages over the window, or the time since reset when shorter', () => {
    const f = (arrivals: Array<[number, number]>, at: number, want: number): void => {
      const m = new RateMeter(0, 5000);
      for (const [t, n] of arrivals) m.add(t, n);
      assert.equal(m.perSecond(at), want);
    };
    f([], 3000, 0);
    f([[100, 10]], 500, 10); // less than a second in: counts as one second
    f([[100, 10], [1100, 10]], 2000, 10);
    f([[0, 50], [4000, 50]], 5000, 20);
    f([[0, 50], [6000, 50]], 7000, 10); // the first second has left the window
    f([[0, 50]], 60_000, 0);
  });

  it('reset forgets arrivals', () => {
    const m = new RateMeter(0);
    m.add(10, 100);
    m.reset(20);
    assert.equal(m.perSecond(30), 0);
  });
});

describe('Reconnector', () => {
  it('backs off exponentially up to the maximum', () => {
    const r = new Reconnector({ initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0, stableMs: 10_000 });
    const delays = [0, 1, 2, 3, 4, 5].map(() => r.closed(0));
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000, 8000]);
    assert.equal(r.attempt, 6);
  });

  it('jitter stays within its spread and under the maximum', () => {
    const f = (random: number, want: number): void => {
      const r = new Reconnector({ initialMs: 1000, maxMs: 1100, factor: 2, jitter: 0.2, stableMs: 10_000 });
      assert.equal(r.closed(0, () => random), want);
    };
    f(0, 800);
    f(0.5, 1000);
    f(1, 1100);
  });

  it('a connection that stayed up resets the backoff; a short-lived one does not', () => {
    const r = new Reconnector({ initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0, stableMs: 10_000 });
    r.closed(0);
    r.closed(0);
    r.opened(100);
    assert.equal(r.closed(200), 4000, 'open 100 ms: still backing off');
    r.opened(1000);
    assert.equal(r.closed(20_000), 1000, 'open 19 s: starts over');
    r.closed(0);
    r.reset();
    assert.equal(r.closed(0), 1000);
  });

  it('retries everything but a normal close and requests that would fail again', () => {
    const f = (code: number, want: boolean): void => assert.equal(shouldRetry(code), want, `code ${code}`);
    f(1000, false);
    f(1003, false);
    f(1008, false);
    f(1001, true);
    f(1006, true);
    f(1011, true);
    f(1012, true);
    f(1013, true);
  });
});

describe('tailUrl', () => {
  it('uses ws on http and wss on https, with the query, limit and start', () => {
    assert.equal(tailUrl({ protocol: 'http:', host: 'localhost:3100' }, { query: '{app="a"} |= "x"', limit: 100, startNs: '5' }), 'ws://localhost:3100/loki/api/v1/tail?query=%7Bapp%3D%22a%22%7D+%7C%3D+%22x%22&limit=100&start=5');
    assert.match(tailUrl({ protocol: 'https:', host: 'logs.example' }, { query: '{a="b"}', limit: 1, startNs: '1' }), /^wss:\/\/logs\.example\/loki\/api\/v1\/tail\?/);
    assert.match(tailUrl({ protocol: 'http:', host: 'h' }, { query: '{a="b"}', limit: 1, startNs: '1', tenant: 'team-a|team-b' }), /&orgId=team-a%7Cteam-b$/);
  });
  it('msToNs is exact', () => {
    assert.equal(msToNs(1763800000123), '1763800000123000000');
  });
});
