import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBatchHandler, type ProcessorDeps } from './handler.js';
import { batchOf } from './testing.js';
import type { WriteBatch } from '../model/entry.js';

/** A processor over fakes that records every step in order. */
function harness(opts: { writeFails?: boolean; critical?: boolean } = {}): { deps: ProcessorDeps; steps: string[] } {
  const steps: string[] = [];
  const deps: ProcessorDeps = {
    storage: {
      write: async (b: readonly WriteBatch[]) => {
        steps.push(`write ${b.length}`);
        if (opts.writeFails) throw new Error('disk on fire');
      },
    },
    publish: (b) => steps.push(`publish ${b.length}`),
    timeCommit: () => {
      steps.push('timer start');
      return () => steps.push('timer end');
    },
    processed: (tenant, n) => steps.push(`processed ${tenant} ${n}`),
    onWrite: (err) => steps.push(err === undefined ? 'write ok' : `write failed: ${(err as Error).message}`),
    observe: (b) => steps.push(`observe ${b.length}`),
  };
  if (opts.critical) {
    deps.critical = {
      alerter: { observe: (hits) => steps.push(`critical ${hits.map((h) => `${h.tenant}:${h.count}`).join(',')}`) },
      levels: new Set(['error']),
      count: (tenant, n) => steps.push(`critical count ${tenant} ${n}`),
      logger: { error: () => steps.push('logged') } as unknown as NonNullable<ProcessorDeps['critical']>['logger'],
    };
  }
  return { deps, steps };
}

describe('createBatchHandler', () => {
  const f = async (opts: { writeFails?: boolean; critical?: boolean }, batches: WriteBatch[], want: string[]): Promise<void> => {
    const h = harness(opts);
    const run = createBatchHandler(h.deps)(batches);
    if (opts.writeFails) await assert.rejects(run, /disk on fire/);
    else await run;
    assert.deepEqual(h.steps, want);
  };

  it('writes first, then publishes, alerts and counts committed entries', async () => {
    await f({}, [batchOf('a', 'x', ['info', 'info']), batchOf('b', 'y', ['info'])], ['timer start', 'write 2', 'timer end', 'write ok', 'publish 2', 'processed a 2', 'processed b 1', 'observe 2']);
    await f({ critical: true }, [batchOf('a', 'x', ['info', 'error'])], ['timer start', 'write 1', 'timer end', 'write ok', 'publish 1', 'critical a:1', 'critical count a 1', 'processed a 2', 'observe 1']);
    await f({ critical: true }, [batchOf('a', 'x', ['info'])], ['timer start', 'write 1', 'timer end', 'write ok', 'publish 1', 'processed a 1', 'observe 1']);
  });

  it('rejects a failed write and lets nothing after it see the batches', async () => {
    await f({ writeFails: true, critical: true }, [batchOf('a', 'x', ['error'])], ['timer start', 'write 1', 'write failed: disk on fire']);
  });
});
