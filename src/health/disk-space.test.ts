import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiskSpace, type FilesystemSpace } from './disk-space.js';
import { LogSentinelError } from '../errors.js';

const MiB = 1024 * 1024;

describe('DiskSpace', () => {
  const f = async (minFreeBytes: number, freeBytes: number, want: string | undefined): Promise<void> => {
    const d = new DiskSpace({ dir: '/data', minFreeBytes, read: async () => ({ freeBytes, sizeBytes: 1024 * MiB }) });
    await d.poll();
    assert.equal(d.condition(), want);
    if (want === undefined) d.admit('push');
    else
      assert.throws(
        () => d.admit('push'),
        (err: LogSentinelError) => err.code === 'STORAGE_FULL' && err.status === 503 && err.retryAfter === 5 && err.message === `cannot accept push: ${want}`,
      );
  };

  it('admits pushes at or above the watermark, and always when it is off', async () => {
    await f(64 * MiB, 64 * MiB, undefined);
    await f(64 * MiB, 900 * MiB, undefined);
    await f(0, 0, undefined);
  });

  it('refuses pushes below the watermark, naming the free space, the directory and the option', async () => {
    await f(64 * MiB, 12.5 * MiB, 'only 12.5 MiB free on the filesystem of the data directory /data, below storage.minFreeBytes (64 MiB); pushes are refused until space is freed');
    await f(512 * MiB, 0, 'only 0 B free on the filesystem of the data directory /data, below storage.minFreeBytes (512 MiB); pushes are refused until space is freed');
  });

  it('follows the free space as it changes and reports each crossing once', async () => {
    let space: FilesystemSpace = { freeBytes: 100 * MiB, sizeBytes: 200 * MiB };
    const changes: boolean[] = [];
    const d = new DiskSpace({ dir: '/data', minFreeBytes: 50 * MiB, read: async () => space, onChange: (below) => changes.push(below) });
    await d.poll();
    space = { freeBytes: 10 * MiB, sizeBytes: 200 * MiB };
    await d.poll();
    await d.poll();
    assert.match(d.condition() ?? '', /^only 10 MiB free/);
    space = { freeBytes: 60 * MiB, sizeBytes: 200 * MiB };
    await d.poll();
    assert.equal(d.condition(), undefined);
    assert.deepEqual(changes, [true, false]);
    assert.deepEqual(d.space(), space);
  });

  it('reads a real filesystem', async () => {
    const d = new DiskSpace({ dir: '.', minFreeBytes: 1 });
    await d.start();
    d.stop();
    assert.ok((d.space()?.sizeBytes ?? 0) > 0);
  });
});
