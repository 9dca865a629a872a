/**
 * Counting in the store reads only the structured metadata a query groups by: `sum` (by L) of a
 * counting range aggregation asks for the keys L, so entries with a unique trace id each do not
 * become a series each. Every other operator depends on the number of input series and reads all
 * metadata. Each answer is checked against the row path (no push-down) on a real DuckDB store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStorage } from '../../storage/duckdb/duckdb-storage.js';
import type { CountPlan, Storage } from '../../storage/storage.js';
import { labelsToString, streamId } from '../../model/labels.js';
import { evaluateInstantExpr, parseMetricQuery, type InstantResult } from './engine.js';

const S = 1_000_000_000n;

describe('metric queries read only the metadata they group by', () => {
  let dir: string;
  let store: DuckDBStorage;
  let asked: Array<readonly string[] | undefined>;
  let spy: Storage;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ls-mdpush-'));
    store = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
    await store.open();
    const labels = { app: 'otel' };
    const entries = [
      { ts: 1n * S, line: 'a', level: 'info' as const, metadata: { trace_id: 't1', pod: 'p1' } },
      { ts: 2n * S, line: 'b', level: 'info' as const, metadata: { trace_id: 't2', pod: 'p1' } },
      { ts: 3n * S, line: 'c', level: 'error' as const, metadata: { trace_id: 't3', pod: 'p2' } },
      { ts: 4n * S, line: 'd', level: 'info' as const },
    ];
    await store.write([{ tenant: 't', streams: [{ labels, key: labelsToString(labels), id: streamId('t', labels), entries }] }]);
    asked = [];
    spy = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'countBuckets') {
          return (p: CountPlan) => {
            asked.push(p.metadataKeys);
            return target.countBuckets(p);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (q: string): Promise<{ got: string[]; keys: readonly string[] | undefined; rowPath: string[] }> => {
    asked = [];
    const shape = (r: InstantResult): string[] => (r.type === 'vector' ? r.samples.map((x) => `${labelsToString(x.labels)} ${x.value}`).sort() : [`scalar ${r.value}`]);
    const got = shape((await evaluateInstantExpr(spy, parseMetricQuery(q), 10n * S, { tenants: ['t'] })).result);
    assert.equal(asked.length, 1, `${q}: counted in the store once`);
    const keys = asked[0];
    const rowPath = shape((await evaluateInstantExpr(store, parseMetricQuery(q), 10n * S, { tenants: ['t'], limits: { pushDown: false } })).result);
    return { got, keys, rowPath };
  };

  it('sum without grouping reads no metadata', async () => {
    const r = await run('sum(count_over_time({app="otel"}[10s]))');
    assert.deepEqual(r.keys, []);
    assert.deepEqual(r.got, ['{} 4']);
    assert.deepEqual(r.got, r.rowPath);
  });

  it('sum by (labels) reads only those keys, level included', async () => {
    let r = await run('sum by (pod) (rate({app="otel"}[10s]))');
    assert.deepEqual(r.keys, ['pod']);
    assert.deepEqual(r.got, ['{pod="p1"} 0.2', '{pod="p2"} 0.1', '{} 0.1']);
    assert.deepEqual(r.got, r.rowPath);
    r = await run('sum by (level) (count_over_time({app="otel"}[10s]))');
    assert.deepEqual(r.keys, ['level']);
    assert.deepEqual(r.got, ['{level="error"} 1', '{level="info"} 3']);
    assert.deepEqual(r.got, r.rowPath);
  });

  it('operators that count input series read all metadata', async () => {
    for (const [q, want] of [
      ['max(count_over_time({app="otel"}[10s]))', ['{} 1']],
      ['count(count_over_time({app="otel"}[10s]))', ['{} 4']],
      ['sum without (pod) (count_over_time({app="otel"}[10s]))', ['{app="otel", detected_level="error", level="error", trace_id="t3"} 1', '{app="otel", detected_level="info", level="info", trace_id="t1"} 1', '{app="otel", detected_level="info", level="info", trace_id="t2"} 1', '{app="otel", detected_level="info", level="info"} 1']],
      ['count_over_time({app="otel"}[10s])', undefined],
    ] as const) {
      const r = await run(q);
      assert.equal(r.keys, undefined, q);
      if (want) assert.deepEqual(r.got, [...want], q);
      assert.deepEqual(r.got, r.rowPath, q);
    }
  });
});
