import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WriteBatch } from '../model/entry.js';
import type { Level } from '../model/level.js';
import { PatternMiner } from '../patterns/miner.js';
import { NotifierHub } from './notifier-hub.js';
import type { OutgoingAlert } from './alert.js';
import type { Notifier } from './notifiers/index.js';
import { NewPatternAlerter, type NewPatternAlerterOptions } from './new-pattern-alerter.js';

function batch(labels: Record<string, string>, lines: Array<[Level, string]>): WriteBatch {
  return { tenant: 't', streams: [{ labels, key: JSON.stringify(labels), id: 1n, entries: lines.map(([level, line]) => ({ ts: 1_700_000_000_000_000_000n, level, line })) }] };
}

/** A miner wired to an alerter whose notifier records `status level line`. */
function setup(over: Partial<NewPatternAlerterOptions> = {}): { miner: PatternMiner; alerter: NewPatternAlerter; got: string[]; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  const got: string[] = [];
  const n: Notifier = { name: 'webhook', resends: false, notify: (alerts: OutgoingAlert[]) => got.push(...alerts.map((a) => `${a.status} ${a.labels.app} ${a.labels.level} ${a.annotations.line}`)), close: async () => undefined };
  const hub = new NotifierHub([n], 60_000, 'http://x');
  const alerter = new NewPatternAlerter({ minLevel: 'error', learnForMs: 0, resolveAfterMs: 300_000, hub, now: () => clock.now, ...over });
  const miner = new PatternMiner({
    maxClustersPerStream: 100,
    maxClustersPerTenant: 1000,
    bucketMs: 10_000,
    retentionMs: 3600_000,
    similarity: 0.4,
    maxTokens: 64,
    maxQueuedLines: 100_000,
    sliceMs: 5,
    maxBusyShare: 0,
    now: () => clock.now,
    onNewPattern: (p) => alerter.observe(p),
  });
  return { miner, alerter, got, clock };
}

describe('new pattern alert', () => {
  it('fires exactly once per new pattern at or above the level, and resolves by itself', () => {
    const { miner, alerter, got, clock } = setup();
    const feed = (labels: Record<string, string>, lines: Array<[Level, string]>): void => {
      miner.observe([batch(labels, lines)]);
      miner.drain();
    };
    feed({ app: 'a' }, [['info', 'request 1 done'], ['info', 'request 2 done']]);
    assert.deepEqual(got, [], 'info is below the threshold');
    feed({ app: 'a' }, [['error', 'db timeout after 30 s'], ['error', 'db timeout after 31 s'], ['critical', 'out of memory in worker 3']]);
    assert.deepEqual(got, ['firing a error db timeout after 30 s', 'firing a critical out of memory in worker 3']);
    // The same patterns again, over many batches: nothing more.
    for (let i = 0; i < 50; i++) feed({ app: 'a' }, [['error', `db timeout after ${i} s`], ['critical', `out of memory in worker ${i}`]]);
    assert.equal(got.length, 2);
    assert.equal(alerter.firing().length, 2);
    // A pattern new in another stream is new there.
    feed({ app: 'b' }, [['error', 'db timeout after 30 s']]);
    assert.equal(got.length, 3);
    assert.equal(got[2], 'firing b error db timeout after 30 s');
    // It resolves after resolveAfter and never fires again.
    clock.now += 300_000;
    alerter.tick();
    assert.deepEqual(got.slice(3).sort(), ['resolved a critical out of memory in worker 3', 'resolved a error db timeout after 30 s', 'resolved b error db timeout after 30 s']);
    feed({ app: 'a' }, [['error', 'db timeout after 99 s']]);
    assert.equal(got.length, 6);
    assert.equal(alerter.firing().length, 0);
  });

  it('learns a stream silently for learnFor after first seeing it', () => {
    const { miner, got, clock } = setup({ learnForMs: 60_000 });
    miner.observe([batch({ app: 'a' }, [['error', 'disk 1 failed']])]);
    miner.drain();
    assert.deepEqual(got, []);
    clock.now += 60_000;
    miner.observe([batch({ app: 'a' }, [['error', 'disk 2 failed'], ['error', 'fan stopped']])]);
    miner.drain();
    assert.deepEqual(got, ['firing a error fan stopped']);
  });

  it('caps the alerts firing at once', () => {
    const { miner, alerter, got } = setup({ maxFiring: 2 });
    miner.observe([batch({ app: 'a' }, [['error', 'one'], ['error', 'two words'], ['error', 'three words here']])]);
    miner.drain();
    assert.equal(got.length, 2);
    assert.equal(alerter.suppressed, 1);
  });
});
