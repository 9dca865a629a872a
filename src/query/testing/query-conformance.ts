/**
 * LogQL end to end over a storage backend: the known-answer log and metric queries
 * (log-query-cases.ts, metric-query-cases.ts) through the engine, over the conformance data set
 * written to a new store. Metric queries run both with counting pushed into the backend and from
 * rows, and the two must agree exactly. Every backend's test runs it beside the storage contract
 * suite (src/storage/conformance.ts), with the same factory.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../storage/storage.js';
import type { StorageFactory } from '../../storage/conformance.js';
import { conformanceDataset, BASE_TS } from '../../storage/conformance-data.js';
import { labelsToString } from '../../model/labels.js';
import { compileLogQuery } from '../compile.js';
import { runLogQuery } from '../log-query.js';
import { evaluateRangeExpr, parseMetricQuery, type RangeResult } from '../metric/engine.js';
import { logQueryCases } from './log-query-cases.js';
import { metricQueryCases } from './metric-query-cases.js';

export function runQueryConformance(name: string, factory: StorageFactory): void {
  describe(`query conformance: ${name}: LogQL log queries`, () => {
    let s: Storage;
    before(async () => {
      s = await factory.create();
      await s.write(conformanceDataset());
    });
    after(async () => {
      await factory.destroy(s);
    });
    for (const c of logQueryCases) {
      it(`${c.query}${c.direction ? ' ' + c.direction : ''}${c.limit ? ' limit ' + c.limit : ''}`, async () => {
        const { plans } = compileLogQuery(c.query);
        const res = await runLogQuery(s, plans, {
          tenants: c.tenants ?? ['t1'],
          start: BASE_TS,
          end: BASE_TS + 3_600_000_000_000n,
          limit: c.limit ?? 1000,
          direction: c.direction ?? 'backward',
        });
        const got = res.streams
          .map((st) => ({ labels: labelsToString(st.labels), lines: st.entries.map((e) => e.line) }))
          .sort((a, b) => (a.labels < b.labels ? -1 : 1));
        assert.deepEqual(got, c.want);
      });
    }
  });


  describe(`query conformance: ${name}: LogQL metric queries`, () => {
    let s: Storage;
    before(async () => {
      s = await factory.create();
      await s.write(conformanceDataset());
    });
    after(async () => {
      await factory.destroy(s);
    });
    const sec = (n: number): bigint => BASE_TS + BigInt(n) * 1_000_000_000n;
    const shape = (r: RangeResult): Array<{ labels: string; points: Array<[number, number]> }> =>
      r.series
        .map((m) => ({ labels: labelsToString(m.labels), points: m.points.map(([t, v]): [number, number] => [Number((t - BASE_TS) / 1_000_000_000n), Math.round(v * 1e9) / 1e9]) }))
        .sort((a, b) => (a.labels < b.labels ? -1 : 1));
    for (const c of metricQueryCases) {
      it(`${c.query} @${c.start}..${c.end}${c.step ? ' step ' + c.step : ''}`, async () => {
        const expr = parseMetricQuery(c.query);
        // Count how each run reads, to check that the push-down path is the one taken.
        const calls = { countBuckets: 0, select: 0 };
        const spy = new Proxy(s, {
          get(target, prop, recv) {
            if (prop === 'countBuckets' || prop === 'select') calls[prop]++;
            const v = Reflect.get(target, prop, recv) as unknown;
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
        const run = async (pushDown: boolean): Promise<RangeResult> =>
          (await evaluateRangeExpr(spy, expr, sec(c.start), sec(c.end), BigInt(c.step ?? 1) * 1_000_000_000n, { tenants: c.tenants ?? ['t1'], limits: { pushDown } })).result;
        const pushed = await run(true);
        const pushable = /(count_over_time|rate|bytes_over_time|bytes_rate|absent_over_time)\(/.test(c.query) && !/\|\s*[a-z]/.test(c.query);
        if (pushable) assert.equal(calls.select, 0, 'the push-down run must not read rows');
        const before = calls.countBuckets;
        const rows = await run(false);
        assert.equal(calls.countBuckets, before, 'the row run must not count in the backend');
        // Both paths must agree exactly, not just within rounding.
        assert.deepEqual(pushed, rows);
        const want = c.want.map((w) => ({ labels: w.labels, points: w.points.map(([t, v]): [number, number] => [t, Math.round(v * 1e9) / 1e9]) }));
        assert.deepEqual(shape(pushed), want);
      });
    }

    it('unwrap of a non-numeric value is a pipeline error naming the series', async () => {
      const expr = parseMetricQuery('sum_over_time({app="web", env="prod"} |= "status=" | logfmt | unwrap method [10s])');
      await assert.rejects(evaluateRangeExpr(s, expr, sec(10), sec(10), 1_000_000_000n, { tenants: ['t1'] }), (err: Error) => {
        assert.match(err.message, /^pipeline error: 'SampleExtractionErr' for series: '\{__error__="SampleExtractionErr", __error_details__=.*app="web"/);
        return true;
      });
    });
  });
}
