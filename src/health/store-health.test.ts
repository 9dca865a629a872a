import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StoreHealth } from './store-health.js';
import { LogSentinelError } from '../errors.js';

const diskFull = (): LogSentinelError => new LogSentinelError('STORAGE_FULL', 'cannot write entries: the filesystem of the data directory /d is full (No space left on device)', { retryAfter: 5 });

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('StoreHealth', () => {
  it('marks the store full on a disk-full write, refuses pushes, and clears at the next successful write', () => {
    const changes: Array<string | undefined> = [];
    const h = new StoreHealth({ onChange: (full) => changes.push(full) });
    assert.equal(h.condition(), undefined);
    h.observe(new Error('connection reset'));
    assert.equal(h.condition(), undefined, 'other errors are answered per request');
    h.observe(diskFull());
    assert.match(h.condition() ?? '', /is full \(No space left on device\)/);
    assert.throws(() => h.admit('push'), (err: LogSentinelError) => err.code === 'STORAGE_FULL' && err.retryAfter === 5 && /^cannot accept push: the last write to the store failed: cannot write entries: /.test(err.message));
    h.observe(Object.assign(new Error('could not extend file "base/1/2": No space left on device'), { code: '53100' }));
    h.observe(undefined);
    assert.equal(h.condition(), undefined);
    h.admit('push');
    assert.equal(changes.length, 2);
    assert.equal(changes[1], undefined);
    h.stop();
  });

  it('clears "full" once the probe shows the disk takes writes again', async () => {
    let space = false;
    let probes = 0;
    const h = new StoreHealth({
      probeEveryMs: 5,
      probe: async () => {
        probes++;
        if (!space) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    });
    h.observe(diskFull());
    await until(() => probes >= 3);
    assert.notEqual(h.condition(), undefined);
    space = true;
    await until(() => h.condition() === undefined);
    const after = probes;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(probes, after, 'probing stops once clear');
    h.stop();
  });

  it('reports a store that cannot serve before anything else, and refuses pushes meanwhile', () => {
    let reason: string | undefined = 'reopening after a fatal error (FATAL Error: x)';
    const h = new StoreHealth({ storage: { unavailableReason: () => reason } });
    h.observe(diskFull());
    assert.equal(h.condition(), 'reopening after a fatal error (FATAL Error: x)');
    assert.throws(() => h.admit('push'), (err: LogSentinelError) => err.code === 'STORAGE_UNAVAILABLE' && err.retryAfter === 1 && err.message === 'cannot accept push: the store is reopening after a fatal error (FATAL Error: x)');
    reason = undefined;
    assert.match(h.condition() ?? '', /No space left/);
    h.stop();
  });
});

describe('StoreHealth.check', () => {
  it('marks the store full when the probe at start finds no space, and leaves it alone otherwise', async () => {
    const enospc = new Error('cannot write a probe file to /d: ENOSPC: no space left on device, write', { cause: Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }) });
    const full = new StoreHealth({ probeEveryMs: 60_000, probe: async () => Promise.reject(enospc) });
    await full.check();
    assert.equal(full.condition(), 'cannot write a probe file to /d: ENOSPC: no space left on device, write');
    full.stop();
    const fine = new StoreHealth({ probe: async () => undefined });
    await fine.check();
    assert.equal(fine.condition(), undefined);
    const other = new StoreHealth({ probe: async () => Promise.reject(new Error('EACCES: permission denied')) });
    await other.check();
    assert.equal(other.condition(), undefined, 'only a full disk counts');
  });
});
