/**
 * TailSession against a scripted WebSocket: resuming after a drop without repeats, backoff,
 * refusals, dropped-entry notices, pause and stop. Timers and Date are mocked; `window`,
 * `WebSocket` and `fetch` are small fakes installed before each test.
 */
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { INITIAL_LIMIT, RESUME_LIMIT, TailSession } from '../../ui/src/components/tail/tail-session.js';

class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  closedWith: { code: number; reason: string } | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    this.closedWith = { code, reason };
  }
  // Scripted server side.
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  send(values: Array<[string, string]>, dropped = 0): void {
    const dropped_entries = dropped ? Array.from({ length: dropped }, (_, i) => ({ labels: { service: 'api' }, timestamp: String(i) })) : null;
    this.onmessage?.({ data: JSON.stringify({ streams: [{ stream: { service: 'api' }, values }], dropped_entries }) });
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  param(name: string): string | null {
    return new URL(this.url).searchParams.get(name);
  }
}

const g = globalThis as unknown as Record<string, unknown>;
let fetchAnswer: { status: number; body: string } = { status: 404, body: '' };
const T0 = 1_763_800_000_000;
const ns = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const last = (): FakeSocket => FakeSocket.all[FakeSocket.all.length - 1];

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: T0 });
  FakeSocket.all = [];
  fetchAnswer = { status: 404, body: '' };
  g.WebSocket = FakeSocket;
  g.window = {
    location: { protocol: 'http:', host: 'logs.test:3100' },
    setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
    clearTimeout: (id: ReturnType<typeof setTimeout>) => clearTimeout(id),
    setInterval: (f: () => void, ms: number) => setInterval(f, ms),
    clearInterval: (id: ReturnType<typeof setInterval>) => clearInterval(id),
  };
  g.fetch = async () => ({ status: fetchAnswer.status, text: async () => fetchAnswer.body });
});

afterEach(() => {
  mock.timers.reset();
  delete g.window;
  delete g.WebSocket;
});

describe('TailSession', () => {
  it('connects with the query, shows entries newest first and a live rate', () => {
    const s = new TailSession(1000);
    s.start('{service="api"}');
    const ws = last();
    assert.equal(ws.url.split('?')[0], 'ws://logs.test:3100/loki/api/v1/tail');
    assert.equal(ws.param('query'), '{service="api"}');
    assert.equal(ws.param('limit'), String(INITIAL_LIMIT));
    assert.equal(ws.param('start'), ns(T0 - 3_600_000));
    assert.equal(s.snapshot().status.kind, 'connecting');
    ws.open();
    assert.equal(s.snapshot().status.kind, 'live');
    // History first (older than the connection): shown, but not counted as arrivals.
    ws.send([[ns(T0 - 60_000), 'old']]);
    assert.equal(s.snapshot().rate, 0);
    mock.timers.tick(500);
    ws.send([[ns(T0 + 500), 'a'], [ns(T0 + 501), 'b']]);
    assert.deepEqual(s.snapshot().entries.map((e) => e.line), ['b', 'a', 'old']);
    assert.equal(s.snapshot().rate, 2);
    s.dispose();
  });

  it('reconnects with backoff after a drop and resumes from the last entry without repeating it', async () => {
    const s = new TailSession(1000);
    s.start('{service="api"}');
    last().open();
    last().send([[ns(T0 - 10), 'one'], [ns(T0 - 5), 'two']]);
    last().drop(1006);
    assert.equal(s.snapshot().status.kind, 'waiting');
    assert.match(s.snapshot().notices[0].text, /^Connection lost \(the connection dropped, code 1006\)/);
    assert.equal(FakeSocket.all.length, 1);
    mock.timers.tick(1300); // first delay: 1 s ± 20 %
    assert.equal(FakeSocket.all.length, 2);
    const ws = last();
    assert.equal(ws.param('start'), ns(T0 - 5));
    assert.equal(ws.param('limit'), String(RESUME_LIMIT));
    ws.open();
    assert.equal(s.snapshot().notices.length, 1, 'one notice per outage');
    assert.equal(s.snapshot().notices[0].kind, 'reconnected');
    assert.match(s.snapshot().notices[0].text, /Connection lost .* Reconnected at .*resumed after/);
    ws.send([[ns(T0 - 5), 'two'], [ns(T0 + 1400), 'three']]);
    assert.deepEqual(s.snapshot().entries.map((e) => e.line), ['three', 'two', 'one']);
    s.dispose();
    await flush();
  });

  it('backs off further while the server stays away, asking over HTTP why the upgrade failed', async () => {
    const s = new TailSession(1000);
    s.start('{service="api"}');
    last().drop(1006); // never opened
    await flush();
    await flush();
    const first = s.snapshot().status;
    assert.equal(first.kind, 'waiting');
    mock.timers.tick(1300);
    assert.equal(FakeSocket.all.length, 2);
    last().drop(1006);
    await flush();
    await flush();
    const second = s.snapshot().status;
    assert.equal(second.kind === 'waiting' && second.attempt, 2);
    mock.timers.tick(1500);
    assert.equal(FakeSocket.all.length, 2, 'the second delay is about 2 s');
    mock.timers.tick(1000);
    assert.equal(FakeSocket.all.length, 3);
    s.dispose();
  });

  it('a refused query fails at once with the server message and is not retried', async () => {
    fetchAnswer = { status: 400, body: 'parse error at line 1, col 9: syntax error\n' };
    const s = new TailSession(1000);
    s.start('{service=');
    last().drop(1006);
    await flush();
    await flush();
    const st = s.snapshot().status;
    assert.equal(st.kind, 'failed');
    assert.match(st.kind === 'failed' ? st.reason : '', /refused the tail: parse error at line 1, col 9/);
    mock.timers.tick(60_000);
    assert.equal(FakeSocket.all.length, 1);
  });

  it('a policy close is not retried either', () => {
    const s = new TailSession(1000);
    s.start('{a="b"}');
    last().open();
    last().drop(1008, 'tenant not allowed');
    const st = s.snapshot().status;
    assert.equal(st.kind === 'failed' && st.reason, 'The server closed the tail: tenant not allowed, code 1008.');
    mock.timers.tick(60_000);
    assert.equal(FakeSocket.all.length, 1);
  });

  it('reports dropped entries in one notice that keeps the running total', () => {
    const s = new TailSession(1000);
    s.start('{a="b"}');
    last().open();
    last().send([[ns(T0 + 1), 'x']], 3);
    last().send([], 2);
    const n = s.snapshot().notices;
    assert.equal(n.length, 1);
    assert.equal(n[0].kind, 'dropped');
    assert.match(n[0].text, /dropped 5 entries/);
    assert.equal(s.snapshot().droppedByServer, 5);
    s.dispose();
  });

  it('pause freezes the view and counts arrivals; resume shows them; the cap drops the oldest', () => {
    const s = new TailSession(3);
    s.start('{a="b"}');
    last().open();
    last().send([[ns(T0 + 1), 'a']]);
    s.pause();
    last().send([[ns(T0 + 2), 'b'], [ns(T0 + 3), 'c'], [ns(T0 + 4), 'd']]);
    assert.deepEqual(s.snapshot().entries.map((e) => e.line), ['a']);
    assert.equal(s.snapshot().newWhilePaused, 3);
    assert.equal(s.snapshot().paused, true);
    s.resume();
    assert.deepEqual(s.snapshot().entries.map((e) => e.line), ['d', 'c', 'b']);
    assert.equal(s.snapshot().evicted, 1);
    s.setCap(2);
    assert.deepEqual(s.snapshot().entries.map((e) => e.line), ['d', 'c']);
    s.dispose();
  });

  it('stop closes the socket normally, keeps the lines and never reconnects', () => {
    const s = new TailSession(10);
    s.start('{a="b"}');
    const ws = last();
    ws.open();
    ws.send([[ns(T0 + 1), 'kept']]);
    s.stop();
    assert.deepEqual(ws.closedWith, { code: 1000, reason: 'stopped by the user' });
    ws.drop(1000); // the close event of the socket we closed
    assert.equal(s.snapshot().status.kind, 'stopped');
    assert.equal(s.snapshot().rate, 0);
    assert.deepEqual(s.snapshot().entries.map((e) => e.line), ['kept']);
    mock.timers.tick(60_000);
    assert.equal(FakeSocket.all.length, 1);
  });
});
