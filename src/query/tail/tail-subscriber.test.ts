import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WriteBatch } from '../../model/entry.js';
import { labelsToString, streamId } from '../../model/labels.js';
import { compileLogQuery } from '../compile.js';
import { TailHub } from './tail-hub.js';
import { TailSubscriber, type TailMessage } from './tail-subscriber.js';
import { decodeTail, encodeTail } from './tail-wire.js';

function batch(tenant: string, labels: Record<string, string>, lines: Array<[number, string, 'info' | 'error']>): WriteBatch {
  return {
    tenant,
    streams: [{ labels, key: labelsToString(labels), id: streamId(tenant, labels), entries: lines.map(([ts, line, level]) => ({ ts: BigInt(ts), line, level })) }],
  };
}

function subscriber(query: string, maxBuffered = 100): { sub: TailSubscriber; sent: TailMessage[] } {
  const sent: TailMessage[] = [];
  const sub = new TailSubscriber({ tenants: ['t'], plans: compileLogQuery(query).plans, send: (m) => sent.push(m), maxBuffered, delayMs: 0, flushMs: 100 });
  return { sub, sent };
}

describe('TailSubscriber filters with the compiled query', () => {
  it('stream matchers, levels, line filters and pipeline stages', () => {
  const f = (query: string, want: string[]): void => {
    const { sub, sent } = subscriber(query);
    sub.offer(batch('t', { app: 'a' }, [[1, 'keep me', 'info'], [2, 'drop me', 'info'], [3, 'keep error', 'error']]));
    sub.offer(batch('t', { app: 'b' }, [[4, 'keep b', 'info']]));
    sub.offer(batch('other', { app: 'a' }, [[5, 'keep other tenant', 'info']]));
    sub.flush();
    sub.close();
    assert.deepEqual(sent.flatMap((m) => m.streams.flatMap((s) => s.values.map((v) => v[1]))), want, query);
  };
  f('{app="a"}', ['keep me', 'drop me', 'keep error']);
  f('{app="a"} |= "keep"', ['keep me', 'keep error']);
  f('{app=~"a|b"} |= "keep"', ['keep me', 'keep error', 'keep b']);
  f('{app="a", level="error"}', ['keep error']);
  f('{app="a"} | line_format "x {{.app}}" |= "x a"', ['x a', 'x a', 'x a']);
  });
});

describe('TailSubscriber bounds its buffer', () => {
  it('drops past maxBuffered and reports the dropped entries once', () => {
    const { sub, sent } = subscriber('{app="a"}', 2);
    sub.offer(batch('t', { app: 'a' }, [[1, 'one', 'info'], [2, 'two', 'info'], [3, 'three', 'info']]));
    sub.flush();
    sub.flush();
    sub.close();
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].streams[0].values, [['1', 'one'], ['2', 'two']]);
    assert.deepEqual(sent[0].dropped_entries, [{ labels: { app: 'a', level: 'info', detected_level: 'info' }, timestamp: '3' }]);
  });
});

describe('TailSubscriber honours delay_for', () => {
  it('holds entries until they are delayMs old', () => {
    const sent: TailMessage[] = [];
    const sub = new TailSubscriber({ tenants: ['t'], plans: compileLogQuery('{app="a"}').plans, send: (m) => sent.push(m), maxBuffered: 10, delayMs: 60_000, flushMs: 100 });
    sub.offer(batch('t', { app: 'a' }, [[1, 'one', 'info']]));
    sub.flush();
    sub.close();
    assert.deepEqual(sent, []);
  });
});

describe('TailHub', () => {
  it('tells listeners when a tenant gains its first and loses its last subscriber, and delivers asynchronously', async () => {
    const hub = new TailHub();
    const events: string[] = [];
    hub.onTenants((t, active) => events.push(`${t}:${active}`));
    const a = subscriber('{app="a"}');
    const b = subscriber('{app="a"}');
    const ua = hub.subscribe(a.sub);
    const ub = hub.subscribe(b.sub);
    hub.publish([batch('t', { app: 'a' }, [[1, 'x', 'info']])]);
    a.sub.flush();
    assert.equal(a.sent.length, 0, 'publish returns before subscribers see the batch');
    await new Promise((r) => setImmediate(r));
    a.sub.flush();
    assert.equal(a.sent.length, 1);
    ua();
    ub();
    ub();
    assert.deepEqual(events, ['t:true', 't:false']);
  });
});

describe('tail wire format', () => {
  it('round-trips a batch with metadata and nanosecond timestamps', () => {
    const b = batch('t', { app: 'a' }, [[1, 'x', 'info']]);
    b.streams[0].entries.push({ ts: 1763800000123456789n, line: 'y "q"', level: 'error', metadata: { trace_id: 'abc' } });
    assert.deepEqual(decodeTail(encodeTail(b)), b);
  });
  it('refuses malformed messages', () => {
    for (const m of ['{}', '{"t":"t","s":[{"l":{},"e":[["x","l","info"]]}]}', '{"t":"t","s":[{"l":{},"e":[["1","l","loud"]]}]}']) assert.throws(() => decodeTail(m), /tail/);
  });
});

describe('TailSubscriber skips what the backlog already sent', () => {
  it('also entries offered before the backlog was read (checked again when sent)', () => {
    const sent: TailMessage[] = [];
    const fromStorage = new Set<string>();
    const sub = new TailSubscriber({
      tenants: ['t'],
      plans: compileLogQuery('{app="a"}').plans,
      send: (m) => sent.push(m),
      maxBuffered: 10,
      delayMs: 0,
      flushMs: 100,
      skip: (key, ts, line) => fromStorage.has(`${key}\x00${ts}\x00${line}`),
    });
    // Live entries arrive while the route still reads the backlog from storage...
    sub.offer(batch('t', { app: 'a' }, [[1, 'one', 'info'], [2, 'two', 'info']]));
    // ...which then holds the first of them.
    fromStorage.add(`${labelsToString({ app: 'a', level: 'info', detected_level: 'info' })}\x001\x00one`);
    sub.start();
    sub.offer(batch('t', { app: 'a' }, [[1, 'one', 'info'], [3, 'three', 'info']]));
    sub.flush();
    sub.close();
    assert.deepEqual(sent.flatMap((m) => m.streams.flatMap((s) => s.values)), [['2', 'two'], ['3', 'three']]);
    // A flush with only skipped entries sends nothing.
    const before = sent.length;
    sub.flush();
    assert.equal(sent.length, before);
  });
});
