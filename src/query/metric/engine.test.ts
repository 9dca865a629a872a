import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CountBucketRow, CountPlan, SelectPlan, Storage, StoredRow, StreamInfo } from '../../storage/storage.js';
import { LogSentinelError } from '../../errors.js';
import { evaluateInstant, evaluateRange, evaluateRangeExpr, parseMetricQuery } from './engine.js';

const S = 1_000_000_000n;

/** Three streams with one info entry each at 1s; enough to drive the engine without a backend. */
function fakeStorage(): Storage {
  const streams: StreamInfo[] = [1n, 2n, 3n].map((id) => ({ tenant: 't', id, labels: { app: 'x', n: String(id) }, firstTs: S, lastTs: S }));
  const rows: StoredRow[] = streams.map((s) => ({ streamId: s.id, ts: S, line: 'hello', level: 'info' }));
  const inRange = (r: StoredRow, p: { start: bigint; end: bigint; streamIds: bigint[] }): boolean => r.ts >= p.start && r.ts < p.end && p.streamIds.includes(r.streamId);
  return {
    name: 'fake',
    open: async () => undefined,
    write: async () => undefined,
    streams: async (tenant) => (tenant === 't' ? streams : []),
    async *select(p: SelectPlan) {
      yield rows.filter((r) => inRange(r, p));
    },
    countBuckets: async (p: CountPlan): Promise<CountBucketRow[]> =>
      rows.filter((r) => inRange(r, p)).map((r) => ({ streamId: r.streamId, level: r.level, bucket: Number((r.ts - p.origin - 1n) / p.width), count: 1, bytes: 5 })),
    levels: async () => ['info'],
    stats: async () => ({ streams: 0, chunks: 0, entries: 0, bytes: 0 }),
    applyRetention: async () => 0,
    sizeBytes: async () => 0,
    close: async () => undefined,
  };
}

describe('metric engine', () => {
  const st = fakeStorage();

  it('evaluates instant queries to a vector or a scalar', async () => {
    assert.deepEqual(await evaluateInstant(st, 'vector(1)+vector(1)', 10n * S, ['t']), { type: 'vector', samples: [{ labels: {}, value: 2 }] });
    assert.deepEqual(await evaluateInstant(st, '1 + 2 * 3', 10n * S, ['t']), { type: 'scalar', value: 7 });
    assert.deepEqual(await evaluateInstant(st, 'sum(count_over_time({app="x"}[5s]))', 2n * S, ['t']), { type: 'vector', samples: [{ labels: {}, value: 3 }] });
    assert.deepEqual(await evaluateInstant(st, 'sum(count_over_time({app="x"}[5s]))', 2n * S, ['other']), { type: 'vector', samples: [] });
  });

  it('evaluates range queries to a matrix', async () => {
    const r = await evaluateRange(st, 'sum(bytes_over_time({app="x"}[1s]))', 0n, 2n * S, S, ['t']);
    assert.deepEqual(r, { type: 'matrix', series: [{ labels: {}, points: [[S, 15]] }] });
    const sc = await evaluateRange(st, '4', 0n, 2n * S, S, ['t']);
    assert.deepEqual(sc.series, [{ labels: {}, points: [[0n, 4], [S, 4], [2n * S, 4]] }]);
  });

  it('fails with catalogued errors', async () => {
    const f = async (p: Promise<unknown>, code: string, message: RegExp): Promise<void> => {
      await assert.rejects(p, (err: unknown) => {
        assert.ok(err instanceof LogSentinelError, String(err));
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
    };
    await f(evaluateInstant(st, '{app="x"}', S, ['t']), 'LOGQL_UNSUPPORTED', /is a log query, not a metric query/);
    await f(evaluateInstant(st, 'sum(', S, ['t']), 'LOGQL_PARSE', /^parse error at line 1/);
    const expr = parseMetricQuery('count_over_time({app="x"}[5s])');
    await f(evaluateRangeExpr(st, expr, 0n, 2n * S, S, { tenants: ['t'], limits: { maxSeries: 2 } }), 'QUERY_LIMIT', /^maximum number of series \(2\) reached for a single query/);
    await f(evaluateRangeExpr(st, expr, 0n, 11_001n * S, S, { tenants: ['t'] }), 'QUERY_LIMIT', /^exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution \(\?step=XX\)$/);
    await f(evaluateRangeExpr(st, expr, 0n, S, 0n, { tenants: ['t'] }), 'INVALID_PARAMETER', /^zero or negative query resolution step widths are not accepted/);
  });

  it('stops when the signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(evaluateInstant(st, 'vector(1)', S, ['t'], ac.signal), /stop/);
  });
});
