import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readiness } from './readiness.js';

describe('Readiness', () => {
  const f = async (setup: (r: Readiness) => void, want: string | undefined): Promise<void> => {
    const r = new Readiness();
    setup(r);
    assert.equal(await r.reason(), want);
  };

  it('is ready once started, with no condition and every dependency up', async () => {
    await f((r) => r.markStarted(), undefined);
    await f((r) => {
      r.markStarted();
      r.addCondition('store', () => undefined);
      r.setDependencies(async () => undefined);
    }, undefined);
  });

  it('gives the first reason: starting, then module conditions, then dependencies', async () => {
    await f(() => undefined, 'store is opening');
    await f((r) => r.addCondition('store', () => 'disk full'), 'store is opening');
    await f((r) => {
      r.markStarted();
      r.addCondition('disk', () => undefined);
      r.addCondition('store', () => 'disk full');
      r.addCondition('other', () => 'also broken');
      r.setDependencies(async () => 'redis: down');
    }, 'store: disk full');
    await f((r) => {
      r.markStarted();
      r.setDependencies(async () => 'redis: down');
    }, 'redis: down');
    await f((r) => {
      r.markStarted();
      r.markStopping();
    }, 'store is opening');
  });

  it('clears a condition as soon as its check stops reporting it', async () => {
    const r = new Readiness();
    r.markStarted();
    let full = true;
    r.addCondition('store', () => (full ? 'disk full' : undefined));
    assert.equal(await r.reason(), 'store: disk full');
    full = false;
    assert.equal(await r.reason(), undefined);
  });
});
