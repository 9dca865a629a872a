import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertCritical, type CriticalDeps } from './critical.js';
import { batchOf } from './testing.js';
import type { CriticalHit } from '../alerting/critical-alerter.js';
import type { WriteBatch } from '../model/entry.js';

function deps(opts: { throws?: boolean } = {}): CriticalDeps & { observed: CriticalHit[][]; counted: Array<[string, number]>; logged: string[] } {
  const observed: CriticalHit[][] = [];
  const counted: Array<[string, number]> = [];
  const logged: string[] = [];
  return {
    observed,
    counted,
    logged,
    levels: new Set(['critical', 'error']),
    alerter: {
      observe(hits) {
        observed.push(hits);
        if (opts.throws) throw new Error('notifier broke');
      },
    },
    count: (tenant, n) => counted.push([tenant, n]),
    logger: { error: (_o: unknown, msg?: string) => void logged.push(String(msg)) } as CriticalDeps['logger'],
  };
}

describe('alertCritical', () => {
  const f = (batches: WriteBatch[], wantCounted: Array<[string, number]>): void => {
    const d = deps();
    alertCritical(batches, d);
    assert.deepEqual(d.counted, wantCounted);
    assert.equal(d.observed.length, wantCounted.length > 0 ? 1 : 0);
  };
  it('observes and counts entries at alerting levels only', () => {
    f([batchOf('a', 'x', ['info', 'debug'])], []);
    f([batchOf('a', 'x', ['info', 'error', 'error'])], [['a', 2]]);
    f([batchOf('a', 'x', ['critical']), batchOf('b', 'y', ['error', 'warn'])], [['a', 1], ['b', 1]]);
  });

  it('logs an alerter failure and still counts, never throwing', () => {
    const d = deps({ throws: true });
    assert.doesNotThrow(() => alertCritical([batchOf('a', 'x', ['critical'])], d));
    assert.deepEqual(d.logged, ['critical log alerting failed']);
    assert.deepEqual(d.counted, [['a', 1]]);
  });
});
