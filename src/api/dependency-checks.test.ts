import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cachedDependencyChecks } from './dependency-checks.js';

describe('dependency checks', () => {
  it('answers the reason of each failing dependency, or undefined', async () => {
    const f = async (outcomes: Array<'ok' | 'fail' | 'hang'>, want: string | undefined): Promise<void> => {
      const checks = outcomes.map((o, i) => ({
        name: `dep${i}`,
        check: (): Promise<void> => (o === 'ok' ? Promise.resolve() : o === 'fail' ? Promise.reject(new Error('connection refused')) : new Promise<void>(() => {})),
      }));
      assert.equal(await cachedDependencyChecks(checks, { timeoutMs: 20 })(), want);
    };
    await f([], undefined);
    await f(['ok', 'ok'], undefined);
    await f(['ok', 'fail'], 'dep1 unavailable: connection refused');
    await f(['hang'], 'dep0 unavailable: no answer within 20ms');
    await f(['fail', 'hang'], 'dep0 unavailable: connection refused; dep1 unavailable: no answer within 20ms');
  });

  it('checks at most once per ttl', async () => {
    let t = 0;
    let calls = 0;
    const ready = cachedDependencyChecks([{ name: 'redis', check: async () => void calls++ }], { ttlMs: 1000, now: () => t });
    await ready();
    await ready();
    t = 999;
    await ready();
    assert.equal(calls, 1);
    t = 1000;
    await ready();
    assert.equal(calls, 2);
  });

  it('reports the outcome of each dependency', async () => {
    const seen: Array<[string, boolean]> = [];
    const ready = cachedDependencyChecks(
      [
        { name: 'redis', check: async () => undefined },
        { name: 'postgres', check: () => Promise.reject(new Error('refused')) },
      ],
      { onResult: (name, up) => seen.push([name, up]) },
    );
    await ready();
    assert.deepEqual(seen.sort(), [['postgres', false], ['redis', true]]);
  });
});
