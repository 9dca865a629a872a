import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WriteBatch } from '../model/entry.js';
import type { Level } from '../model/level.js';
import { compilePattern } from '../logql/stages/pattern-matcher.js';
import { PatternMiner, type MinerOptions, type NewPattern } from './miner.js';
import { render, tokenize } from './tokenize.js';

const T0 = 1_700_000_000_000; // ms

function miner(over: Partial<MinerOptions> = {}): PatternMiner {
  return new PatternMiner({
    maxClustersPerStream: 100,
    maxClustersPerTenant: 1000,
    bucketMs: 10_000,
    retentionMs: 3 * 3600_000,
    similarity: 0.4,
    maxTokens: 64,
    maxQueuedLines: 1_000_000,
    sliceMs: 5,
    maxBusyShare: 0,
    now: () => T0,
    ...over,
  });
}

function batch(tenant: string, labels: Record<string, string>, lines: Array<[number, string, Level?]>): WriteBatch {
  const key = JSON.stringify(labels);
  return { tenant, streams: [{ labels, key, id: 1n, entries: lines.map(([ms, line, level]) => ({ ts: BigInt(ms) * 1_000_000n, line, level: level ?? 'info' })) }] };
}

/** A deterministic pseudo-random generator (tests must not flake). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'eu-west-1', 'orders', 'carts', '/api/v1/x', 'true', 'false'];

/** Fills each `<_>` of a template with a random value: numbers, ids, words, IPs. */
function fill(template: string, r: () => number): string {
  return template.replace(/<_>/g, () => {
    const k = Math.floor(r() * 5);
    if (k === 0) return String(Math.floor(r() * 100000));
    if (k === 1) return Math.floor(r() * 2 ** 32).toString(16).padStart(8, '0');
    if (k === 2) return `${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
    if (k === 3) return `${(r() * 1000).toFixed(2)}ms`;
    return WORDS[Math.floor(r() * WORDS.length)];
  });
}

describe('tokenize and render', () => {
  const f = (line: string, want: string[]): void => {
    const t = tokenize(line, 64);
    assert.deepEqual(t.words, want, line);
    assert.equal(render(t.words, t.glued), line, 'round trip');
  };
  it('splits on spaces, after = and ":, before , } ]; prints back byte for byte', () => {
    f('a b  c', ['a', 'b', '', 'c']);
    f('level=info msg="x y" n=3', ['level=', 'info', 'msg=', '"x', 'y"', 'n=', '3']);
    f('{"a":1,"b":"x"}', ['{"a":', '1', ',"b":', '"x"', '}']);
    f('[1,2]', ['[1', ',2', ']']);
    f('a= b', ['a=', 'b']);
    f('', ['']);
    f('tab\there\nnext', ['tab\there\nnext']);
  });
  it('cuts long lines into maxTokens tokens, the last one the rest of the line', () => {
    const t = tokenize('a b c d e f', 3);
    assert.deepEqual(t.words, ['a', 'b', 'c d e f']);
    assert.equal(t.cut, true);
  });
  it('collapses wildcards with nothing between them', () => {
    assert.equal(render(['x=', '<_>', '<_>', 'y'], Uint8Array.from([0, 1, 1, 0])), 'x=<_> y');
  });
});

describe('pattern miner', () => {
  it('recovers each template of generated lines, <_> at the variable positions', () => {
    const templates = [
      'user <_> logged in from <_>',
      'GET <_> 200 <_>',
      'connection to <_> closed after <_> seconds with <_> bytes sent',
      'level=info msg="request done" method=GET status=<_> duration=<_>',
      'level=warn msg="slow query" table=orders took=<_>',
      'cache miss for key <_>',
      '{"level":"error","msg":"payment failed","order":<_>,"code":<_>}',
      'worker <_> started',
      'shutting down gracefully',
    ];
    const r = rng(42);
    const lines: Array<[number, string]> = [];
    for (let i = 0; i < 2000; i++) lines.push([T0 + i, fill(templates[Math.floor(r() * templates.length)], r)]);
    const m = miner();
    m.observe([batch('t', { app: 'a' }, lines)]);
    m.drain();
    const got = m.query(['t'], () => true, T0 - 60_000, T0 + 60_000, 60_000, 1000);
    assert.deepEqual(got.map((s) => s.pattern).sort(), [...templates].sort());
    assert.equal(got.reduce((n, s) => n + s.samples.reduce((k, [, c]) => k + c, 0), 0), 2000, 'every line counted once');
    // Every line matches its template as a LogQL pattern filter (`|> "<pattern>"`).
    const matchers = got.map((s) => compilePattern(s.pattern, { filterOnly: true }));
    for (const [, line] of lines) assert.ok(matchers.some((p) => p.test(line)), line);
  });

  it('keeps key=value lines with other keys or other messages apart', () => {
    const m = miner();
    m.observe([
      batch('t', { app: 'a' }, [
        [T0, 'level=error msg="db timeout" after=30s'],
        [T0, 'level=error msg="disk full" device=sda1'],
        [T0, 'level=error msg="db timeout" after=31s'],
        [T0, 'level=error msg="disk full" device=sdb2'],
      ]),
    ]);
    m.drain();
    assert.deepEqual(m.query(['t'], () => true, T0, T0, 10_000, 10).map((s) => s.pattern).sort(), ['level=error msg="db timeout" after=<_>', 'level=error msg="disk full" device=<_>']);
  });

  it('keeps patterns per stream and level, merging equal patterns of several streams in a query', () => {
    const m = miner();
    m.observe([
      batch('t', { app: 'a' }, [[T0, 'disk 1 full'], [T0, 'disk 2 full'], [T0, 'disk 3 full', 'error']]),
      batch('t', { app: 'b' }, [[T0, 'disk 4 full'], [T0, 'disk 5 full']]),
      batch('u', { app: 'a' }, [[T0, 'disk 6 full'], [T0, 'disk 7 full']]),
    ]);
    m.drain();
    const q = (tenants: string[], app?: string): string[] =>
      m.query(tenants, (l) => app === undefined || l.app === app, T0, T0, 10_000, 100).map((s) => `${s.level} ${s.pattern} ${s.samples.map(([t, n]) => `${t}:${n}`).join(',')}`);
    assert.deepEqual(q(['t']), [`info disk <_> full ${T0 / 1000}:4`, `error disk 3 full ${T0 / 1000}:1`]);
    assert.deepEqual(q(['t'], 'b'), [`info disk <_> full ${T0 / 1000}:2`]);
    assert.deepEqual(q(['u']), [`info disk <_> full ${T0 / 1000}:2`]);
    assert.deepEqual(q(['t', 'u'], 'a'), [`info disk <_> full ${T0 / 1000}:4`, `error disk 3 full ${T0 / 1000}:1`]);
  });

  it('buckets counts by the entries\' time and by step, within the range', () => {
    const m = miner();
    m.observe([batch('t', { app: 'a' }, [[T0, 'x 1'], [T0 + 5_000, 'x 2'], [T0 + 15_000, 'x 3'], [T0 + 65_000, 'x 4'], [T0 + 600_000, 'x 5']])]);
    m.drain();
    const s = (step: number, end = T0 + 120_000): string => JSON.stringify(m.query(['t'], () => true, T0, end, step, 10)[0]?.samples);
    assert.equal(s(10_000), JSON.stringify([[T0 / 1000, 2], [T0 / 1000 + 10, 1], [T0 / 1000 + 60, 1]]));
    // A step below the bucket width counts per bucket.
    assert.equal(s(1_000), s(10_000));
    const minute = Math.floor(T0 / 60_000) * 60;
    assert.equal(s(60_000), JSON.stringify([[minute, 3], [minute + 60, 1]]));
  });

  it('drops buckets past the retention window', () => {
    let now = T0;
    const m = miner({ retentionMs: 60_000, now: () => now });
    m.observe([batch('t', { app: 'a' }, [[T0, 'x 1']])]);
    m.drain();
    now = T0 + 120_000;
    m.observe([batch('t', { app: 'a' }, [[now, 'x 2']])]);
    m.drain();
    assert.deepEqual(m.query(['t'], () => true, 0, now, 10_000, 10)[0].samples, [[now / 1000, 1]]);
  });

  it('keeps at most maxClustersPerStream per stream and maxClustersPerTenant per tenant, evicting the least recently used', () => {
    const evicted = new Map<string, number>();
    const m = miner({ maxClustersPerStream: 5, maxClustersPerTenant: 12, onEvict: (t, n) => evicted.set(t, (evicted.get(t) ?? 0) + n) });
    // Every line its own pattern: distinct token counts.
    const distinct = (i: number): string => Array.from({ length: i + 1 }, (_, k) => `w${String.fromCharCode(97 + (k % 26))}`).join(' ');
    for (let i = 0; i < 20; i++) m.observe([batch('t', { app: 'a' }, [[T0, distinct(i)]])]);
    m.drain();
    assert.equal(m.clusterCount('t'), 5);
    assert.equal(evicted.get('t'), 15);
    // The survivors are the five most recent.
    const got = m.query(['t'], () => true, T0, T0, 10_000, 100).map((s) => s.pattern.split(' ').length).sort((a, b) => a - b);
    assert.deepEqual(got, [16, 17, 18, 19, 20]);
    // Tenant bound across streams.
    for (let s = 0; s < 5; s++) for (let i = 0; i < 5; i++) m.observe([batch('u', { app: `s${s}` }, [[T0, distinct(i)]])]);
    m.drain();
    assert.equal(m.clusterCount('u'), 12);
    assert.equal(evicted.get('u'), 13);
    assert.equal(m.clusterCount('t'), 5, 'one tenant never evicts another');
  });

  it('a cluster used again moves to the back of the eviction order', () => {
    const m = miner({ maxClustersPerStream: 2 });
    m.observe([batch('t', { app: 'a' }, [[T0, 'one']])]);
    m.observe([batch('t', { app: 'a' }, [[T0, 'two words']])]);
    m.observe([batch('t', { app: 'a' }, [[T0, 'one']])]);
    m.observe([batch('t', { app: 'a' }, [[T0, 'three words here']])]);
    m.drain();
    assert.deepEqual(m.query(['t'], () => true, T0, T0, 10_000, 10).map((s) => s.pattern).sort(), ['one', 'three words here']);
  });

  it('reports each new pattern once, with its stream and level', () => {
    const seen: NewPattern[] = [];
    const m = miner({ onNewPattern: (p) => seen.push(p) });
    m.observe([batch('t', { app: 'a' }, [[T0, 'disk 1 full', 'error'], [T0, 'disk 2 full', 'error'], [T0, 'disk 2 full', 'info'], [T0, 'fan 3 stopped', 'error']])]);
    m.observe([batch('t', { app: 'a' }, [[T0, 'disk 9 full', 'error']])]);
    m.drain();
    assert.deepEqual(
      seen.map((p) => `${p.tenant} ${p.labels.app} ${p.level} ${p.line}`),
      ['t a error disk 1 full', 't a info disk 2 full', 't a error fan 3 stopped'],
    );
  });

  it('queues without mining on observe, mines in slices, and drops beyond maxQueuedLines', async () => {
    let dropped = 0;
    const m = miner({ maxQueuedLines: 3, onDrop: (n) => (dropped += n), now: Date.now });
    m.observe([batch('t', { app: 'a' }, [[T0, 'a 1'], [T0, 'a 2']])]);
    m.observe([batch('t', { app: 'a' }, [[T0, 'a 3'], [T0, 'a 4']])]);
    assert.equal(m.queued, 2);
    assert.equal(dropped, 2);
    assert.equal(m.clusterCount(), 0, 'nothing mined synchronously');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(m.queued, 0);
    assert.equal(m.clusterCount(), 1);
  });

  it('samples when mining takes more than its share of the thread, counts scaled', async () => {
    let tick = 0;
    // A clock that advances 1 ms per reading: mining looks as slow as can be.
    const m = miner({ maxBusyShare: 0.01, sliceClock: () => tick++ });
    const N = 100_000;
    for (let b = 0; b < N / 1000; b++) {
      const lines: Array<[number, string]> = [];
      for (let i = 0; i < 1000; i++) lines.push([T0, `job ${b * 1000 + i} done`]);
      m.observe([batch('t', { app: 'a' }, lines)]);
    }
    while (m.queued > 0) await new Promise((r) => setImmediate(r));
    assert.equal(m.stride, 64);
    const total = m.query(['t'], () => true, T0, T0, 10_000, 10)[0].samples[0][1];
    assert.ok(Math.abs(total - N) <= 128, `counted ${total} of ${N}`);
  });

  it('never samples out lines at alwaysMineFrom or above', async () => {
    let tick = 0;
    const seen: string[] = [];
    const m = miner({ maxBusyShare: 0.01, maxClustersPerStream: 1000, sliceClock: () => tick++, alwaysMineFrom: 'error', onNewPattern: (p) => p.level === 'error' && seen.push(p.line) });
    for (let b = 0; b < 100; b++) {
      const lines: Array<[number, string, Level]> = [];
      for (let i = 0; i < 1000; i++) lines.push([T0, `job ${b * 1000 + i} done`, 'info']);
      // One error line of a new pattern per batch (a single word shares nothing with the others).
      lines.push([T0, `failure${String.fromCharCode(65 + (b % 26))}${Math.floor(b / 26)}`, 'error']);
      m.observe([batch('t', { app: 'a' }, lines)]);
    }
    while (m.queued > 0) await new Promise((r) => setImmediate(r));
    assert.equal(m.stride, 64);
    assert.equal(seen.length, 100, 'every new error pattern was seen');
    const errors = m.query(['t'], () => true, T0, T0, 10_000, 1000).filter((s) => s.level === 'error');
    assert.equal(errors.reduce((n, s) => n + s.samples[0][1], 0), 100, 'error lines counted exactly');
  });
});
