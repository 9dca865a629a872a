import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countByTenant } from './tenant-counts.js';
import { batchOf } from './testing.js';
import type { WriteBatch } from '../model/entry.js';

describe('countByTenant', () => {
  const f = (batches: WriteBatch[], want: Record<string, number>): void => {
    assert.deepEqual(Object.fromEntries(countByTenant(batches)), want);
  };
  it('counts entries per tenant over batches and streams', () => {
    f([], {});
    f([batchOf('a', 'x', ['info', 'error'])], { a: 2 });
    f([batchOf('a', 'x', ['info']), batchOf('b', 'y', ['info', 'info', 'warn']), batchOf('a', 'z', ['debug'])], { a: 2, b: 3 });
    f([batchOf('a', 'x', [])], { a: 0 });
  });
});
