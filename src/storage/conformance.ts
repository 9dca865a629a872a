/**
 * The storage conformance suite: every Storage implementation runs it (see duckdb-storage.test.ts)
 * and must pass every case; a backend that cannot run a case says why with `t.skip(reason)`.
 * It covers the Storage contract directly; LogQL queries end to end through the engine over the
 * same backends are src/query/testing/query-conformance.ts (storage never imports the engine).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage, StoredRow, SelectPlan } from './storage.js';
import type { WriteBatch, LogEntry } from '../model/entry.js';
import { labelsToString, sortLabels, streamId, type Labels } from '../model/labels.js';
import { BASE_TS } from './conformance-data.js';

export interface StorageFactory {
  /** A new, empty store (opened). */
  create(): Promise<Storage>;
  /** Closes `s` and opens the same data again, as after a restart. */
  reopen(s: Storage): Promise<Storage>;
  /** Removes what create() made. */
  destroy(s: Storage): Promise<void>;
}

export function batch(tenant: string, labels: Labels, entries: Array<Partial<LogEntry> & { ts: bigint; line: string }>): WriteBatch {
  const sorted = sortLabels(labels);
  return {
    tenant,
    streams: [
      {
        labels: sorted,
        key: labelsToString(sorted),
        id: streamId(tenant, sorted),
        entries: entries.map((e) => ({ ts: e.ts, line: e.line, level: e.level ?? 'info', metadata: e.metadata })),
      },
    ],
  };
}

async function collect(s: Storage, plan: SelectPlan): Promise<StoredRow[]> {
  const out: StoredRow[] = [];
  for await (const chunk of s.select(plan)) out.push(...chunk);
  return out;
}

export function runStorageConformance(name: string, factory: StorageFactory): void {
  describe(`storage conformance: ${name}`, () => {
    let s: Storage;
    const T = 'conf';
    const A = sortLabels({ service: 'api', env: 'prod' });
    const B = sortLabels({ service: 'db', env: 'prod' });
    const idA = streamId(T, A);
    const idB = streamId(T, B);
    const ns = (i: number): bigint => BASE_TS + BigInt(i) * 1_000_000_000n;

    before(async () => {
      s = await factory.create();
      await s.write([
        batch(T, A, [
          { ts: ns(1), line: 'GET /a 200', level: 'info' },
          { ts: ns(3), line: 'GET /b 500 error', level: 'error', metadata: { trace_id: 't-1' } },
          { ts: ns(5), line: 'GET /c 200', level: 'info' },
        ]),
        batch(T, B, [
          { ts: ns(2), line: 'query took 5ms', level: 'debug' },
          { ts: ns(4), line: 'deadlock detected', level: 'critical' },
        ]),
      ]);
    });
    after(async () => {
      await factory.destroy(s);
    });

    const all = (over: Partial<SelectPlan> = {}): SelectPlan => ({
      tenant: T,
      streamIds: [idA, idB],
      start: ns(0),
      end: ns(100),
      direction: 'backward',
      ...over,
    });

    it('streams lists what was written, with time bounds', async () => {
      const got = await s.streams(T, ns(0), ns(100));
      assert.deepEqual(got.map((x) => labelsToString(x.labels)).sort(), [labelsToString(A), labelsToString(B)].sort());
      const a = got.find((x) => x.id === idA)!;
      assert.equal(a.firstTs, ns(1));
      assert.equal(a.lastTs, ns(5));
      assert.deepEqual(await s.streams(T, ns(6), ns(100)), []);
      assert.deepEqual(await s.streams('other-tenant', ns(0), ns(100)), []);
    });

    it('select returns rows newest first and oldest first', async () => {
      const back = await collect(s, all());
      assert.deepEqual(back.map((r) => r.ts), [ns(5), ns(4), ns(3), ns(2), ns(1)]);
      const fwd = await collect(s, all({ direction: 'forward' }));
      assert.deepEqual(fwd.map((r) => r.ts), [ns(1), ns(2), ns(3), ns(4), ns(5)]);
    });

    it('select honours [start, end), stream ids and limit', async () => {
      const rows = await collect(s, all({ start: ns(2), end: ns(4) }));
      assert.deepEqual(rows.map((r) => r.ts), [ns(3), ns(2)]);
      const onlyA = await collect(s, all({ streamIds: [idA] }));
      assert.deepEqual(onlyA.map((r) => r.line), ['GET /c 200', 'GET /b 500 error', 'GET /a 200']);
      const two = await collect(s, all({ limit: 2 }));
      assert.deepEqual(two.map((r) => r.ts), [ns(5), ns(4)]);
      assert.deepEqual(await collect(s, all({ streamIds: [] })), []);
    });

    it('select reads a range window by window when no limit is given', async () => {
      const rows = await collect(s, all({ limit: undefined, start: ns(0), end: ns(100_000) }));
      assert.equal(rows.length, 5);
      assert.deepEqual(rows.map((r) => r.ts), [ns(5), ns(4), ns(3), ns(2), ns(1)]);
    });

    it('select keeps level, metadata and nanosecond timestamps', async () => {
      const rows = await collect(s, all({ streamIds: [idA] }));
      const err = rows.find((r) => r.ts === ns(3))!;
      assert.equal(err.level, 'error');
      assert.deepEqual(err.metadata, { trace_id: 't-1' });
      assert.equal(rows.find((r) => r.ts === ns(1))!.metadata, undefined);
    });

    it('select pushes down level and line predicates', async () => {
      const f = async (over: Partial<SelectPlan>, want: string[]): Promise<void> => {
        const rows = await collect(s, all(over));
        assert.deepEqual(rows.map((r) => r.line), want, JSON.stringify(over, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
      };
      await f({ levels: ['error', 'critical'] }, ['deadlock detected', 'GET /b 500 error']);
      await f({ levels: [] }, []);
      await f({ line: { type: 'contains', value: 'GET' } }, ['GET /c 200', 'GET /b 500 error', 'GET /a 200']);
      await f({ line: { type: 'not', expr: { type: 'contains', value: 'GET' } } }, ['deadlock detected', 'query took 5ms']);
      await f({ line: { type: 'regex', pattern: '\\d+ms$' } }, ['query took 5ms']);
      await f({ line: { type: 'regex', pattern: '(?i)DEADLOCK' } }, ['deadlock detected']);
      await f({ line: { type: 'or', exprs: [{ type: 'contains', value: '/a' }, { type: 'contains', value: 'took' }] } }, ['query took 5ms', 'GET /a 200']);
      await f({ line: { type: 'and', exprs: [{ type: 'contains', value: 'GET' }, { type: 'contains', value: '200' }] } }, ['GET /c 200', 'GET /a 200']);
      await f({ line: { type: 'contains', value: "it's" } }, []);
    });

    it('writing the same entries again stores them once (idempotent writes)', async () => {
      const again = batch(T, A, [{ ts: ns(3), line: 'GET /b 500 error', level: 'error', metadata: { trace_id: 't-1' } }]);
      await s.write([again, again]);
      const rows = await collect(s, all({ streamIds: [idA] }));
      assert.equal(rows.length, 3);
    });

    it('keeps entries that differ only in timestamp or line', async () => {
      await s.write([batch(T, A, [{ ts: ns(7), line: 'same' }, { ts: ns(8), line: 'same' }, { ts: ns(8), line: 'same!' }])]);
      const rows = await collect(s, all({ streamIds: [idA], start: ns(7), end: ns(9) }));
      assert.equal(rows.length, 3);
    });

    it('keeps entries that differ only in structured metadata, once each (Loki\'s identity)', async () => {
      const e = (metadata?: Record<string, string>): { ts: bigint; line: string; metadata?: Record<string, string> } => ({ ts: ns(10), line: 'same', metadata });
      await s.write([batch(T, A, [e(), e({ user: 'a' }), e({ user: 'b' }), e({ user: 'a', trace_id: 'x' }), e({}), e({ user: 'a' })])]);
      // Retried, and with the same metadata sent in another key order: nothing new.
      await s.write([batch(T, A, [e({ trace_id: 'x', user: 'a' }), e({ user: 'b' }), e()])]);
      const rows = await collect(s, all({ streamIds: [idA], start: ns(10), end: ns(11), direction: 'forward' }));
      const got = rows.map((r) => JSON.stringify(r.metadata ?? null)).sort();
      assert.deepEqual(got, ['null', '{"trace_id":"x","user":"a"}', '{"user":"a"}', '{"user":"b"}']);
    });

    it('stats counts streams, entries and bytes', async () => {
      const st = await s.stats(T, [idB], ns(0), ns(100));
      assert.equal(st.streams, 1);
      assert.equal(st.entries, 2);
      assert.equal(st.bytes, 'query took 5ms'.length + 'deadlock detected'.length);
    });

    it('levels lists the levels seen in streams', async () => {
      assert.deepEqual((await s.levels(T, [idB], ns(0), ns(100))).sort(), ['critical', 'debug']);
    });

    it('data survives a reopen', async () => {
      s = await factory.reopen(s);
      const rows = await collect(s, all({ end: ns(7) }));
      assert.deepEqual(rows.map((r) => r.ts), [ns(5), ns(4), ns(3), ns(2), ns(1)]);
      const st = await s.streams(T, ns(0), ns(100));
      assert.equal(st.length, 2);
      // Idempotency holds across the restart too (the retry of an entry committed before it).
      await s.write([batch(T, B, [{ ts: ns(4), line: 'deadlock detected', level: 'critical' }])]);
      assert.equal((await collect(s, all({ streamIds: [idB] }))).length, 2);
      // ... also with metadata, sent in another key order, while other metadata is new.
      await s.write([batch(T, A, [{ ts: ns(10), line: 'same', metadata: { user: 'a', trace_id: 'x' } }, { ts: ns(10), line: 'same', metadata: { user: 'c' } }])]);
      assert.equal((await collect(s, all({ streamIds: [idA], start: ns(10), end: ns(11) }))).length, 5);
    });

    it('retention deletes entries older than the cutoff and forgets empty streams', async () => {
      const deleted = await s.applyRetention(ns(3));
      assert.equal(deleted, 2);
      const rows = await collect(s, all({ start: ns(0), end: ns(100) }));
      assert.ok(rows.every((r) => r.ts >= ns(3)));
      assert.ok((await s.sizeBytes()) > 0);
    });
  });

  describe(`storage conformance: ${name}: countBuckets`, () => {
    let s: Storage;
    const T = 'cb';
    const A = sortLabels({ app: 'a' });
    const id = streamId(T, A);
    const at = (sec: number): bigint => BASE_TS + BigInt(sec) * 1_000_000_000n;
    before(async () => {
      s = await factory.create();
      await s.write([
        batch(T, A, [
          { ts: at(1), line: 'one', level: 'info' },
          { ts: at(2), line: 'two', level: 'info' },
          { ts: at(2), line: 'zwei', level: 'error', metadata: { k: 'v' } },
          { ts: at(3), line: 'drei €', level: 'info' },
          { ts: at(5), line: 'five', level: 'info' },
        ]),
      ]);
    });
    after(async () => {
      await factory.destroy(s);
    });
    const f = async (over: Partial<Parameters<Storage['countBuckets']>[0]>, want: string[]): Promise<void> => {
      const rows = await s.countBuckets({ tenant: T, streamIds: [id], start: at(0) + 1n, end: at(10), origin: at(0), width: 2_000_000_000n, ...over });
      const got = rows.map((r) => `${r.level}${r.metadata ? JSON.stringify(r.metadata) : ''} b${r.bucket} n${r.count} ${r.bytes}B`).sort();
      assert.equal(rows.every((r) => r.streamId === id), true);
      assert.deepEqual(got, want);
    };

    it('counts entries and UTF-8 bytes in left-open buckets, per level and metadata', async () => {
      // buckets (0,2] (2,4] (4,6]: ts 2 falls in bucket 0, ts 3 in bucket 1.
      await f({}, ['error{"k":"v"} b0 n1 4B', 'info b0 n2 6B', 'info b1 n1 8B', 'info b2 n1 4B']);
    });

    it('honours range, levels, line predicates and stream ids', async () => {
      await f({ start: at(2) + 1n }, ['info b1 n1 8B', 'info b2 n1 4B']);
      await f({ levels: ['error'] }, ['error{"k":"v"} b0 n1 4B']);
      await f({ levels: [] }, []);
      await f({ line: { type: 'contains', value: 'e' } }, ['info b0 n1 3B', 'info b1 n1 8B', 'info b2 n1 4B', 'error{"k":"v"} b0 n1 4B'].sort());
      await f({ streamIds: [] }, []);
      await f({ width: 10_000_000_000n }, ['error{"k":"v"} b0 n1 4B', 'info b0 n4 18B']);
    });

    it('tells entries apart by the wanted metadata keys only, also for predicates counted from rows', async () => {
      await f({ metadataKeys: [], width: 10_000_000_000n }, ['error b0 n1 4B', 'info b0 n4 18B']);
      await f({ metadataKeys: ['nope'], width: 10_000_000_000n }, ['error b0 n1 4B', 'info b0 n4 18B']);
      await f({ metadataKeys: ['k', 'nope'], width: 10_000_000_000n }, ['error{"k":"v"} b0 n1 4B', 'info b0 n4 18B']);
      await f({ metadataKeys: [], line: { type: 'regex', pattern: 'e$' } }, ['info b0 n1 3B', 'info b2 n1 4B']);
      await f({ metadataKeys: [], line: { type: 'regex', pattern: '^(z|t)' } }, ['error b0 n1 4B', 'info b0 n1 3B']);
      await f({ metadataKeys: ['k'], line: { type: 'regex', pattern: '^(z|t)' } }, ['error{"k":"v"} b0 n1 4B', 'info b0 n1 3B']);
    });
  });

  describe(`storage conformance: ${name}: countBuckets over minutes`, () => {
    // Entries over six minutes, at and beside whole minutes, with and without metadata: whatever a
    // backend keeps to count faster (the embedded store's per-minute rollups), its counts must
    // equal counting what select returns, for buckets on and off whole minutes.
    let s: Storage;
    const T = 'cm';
    const A = sortLabels({ app: 'a' });
    const B = sortLabels({ app: 'b' });
    const ids = [streamId(T, A), streamId(T, B)];
    const MIN = 60_000_000_000n;
    const levels = ['info', 'error', 'warn', 'unknown'] as const;
    const entriesOf = (salt: number): Array<Partial<LogEntry> & { ts: bigint; line: string }> => {
      const out: Array<Partial<LogEntry> & { ts: bigint; line: string }> = [];
      let i = 0;
      for (let m = 0n; m <= 6n; m++) {
        for (const off of [-1n, 0n, 1n, 29_999_999_999n, 30_000_000_000n]) {
          const ts = BASE_TS + m * MIN + off;
          i++;
          out.push({
            ts,
            line: `${'x'.repeat((i * 7 + salt) % 13)}€ ${salt} ${i}`,
            level: levels[(i + salt) % levels.length],
            ...(i % 3 === salt ? { metadata: { k: `v${i % 2}`, other: String(i) } } : {}),
          });
        }
      }
      return out;
    };
    before(async () => {
      s = await factory.create();
      await s.write([batch(T, A, entriesOf(0)), batch(T, B, entriesOf(1))]);
      // A second commit into the same minutes: counts of one minute come from several commits.
      await s.write([batch(T, A, [{ ts: BASE_TS + 2n * MIN + 5n, line: 'late', level: 'info' }])]);
    });
    after(async () => {
      await factory.destroy(s);
    });

    const expected = async (plan: Parameters<Storage['countBuckets']>[0]): Promise<string[]> => {
      const rows = await collect(s, { tenant: plan.tenant, streamIds: plan.streamIds, start: plan.start, end: plan.end, levels: plan.levels, direction: 'forward' });
      const acc = new Map<string, { n: number; bytes: number }>();
      for (const r of rows) {
        const b = (r.ts - plan.origin - 1n) / plan.width;
        let meta: Record<string, string> | undefined = r.metadata;
        if (plan.metadataKeys !== undefined && meta) {
          const kept: Record<string, string> = {};
          for (const k of plan.metadataKeys) if (meta[k] !== undefined) kept[k] = meta[k];
          meta = Object.keys(kept).length ? kept : undefined;
        }
        const key = `${r.streamId} ${r.level}${meta ? JSON.stringify(meta) : ''} b${b}`;
        const a = acc.get(key) ?? { n: 0, bytes: 0 };
        a.n++;
        a.bytes += Buffer.byteLength(r.line);
        acc.set(key, a);
      }
      return [...acc].map(([k, a]) => `${k} n${a.n} ${a.bytes}B`).sort();
    };
    const actual = async (plan: Parameters<Storage['countBuckets']>[0]): Promise<string[]> =>
      (await s.countBuckets(plan)).map((r) => `${r.streamId} ${r.level}${r.metadata ? JSON.stringify(r.metadata) : ''} b${r.bucket} n${r.count} ${r.bytes}B`).sort();

    it('equals counting the selected rows, for buckets on and off whole minutes', async () => {
      let compared = 0;
      for (const originOff of [0n, -MIN, 1n, -1n, 17_000_000_000n]) {
        for (const width of [MIN, 2n * MIN, 90_000_000_000n, 10_000_000_000n, 5n * MIN]) {
          for (const [startOff, endOff] of [[1n, 7n * MIN], [MIN / 2n, 5n * MIN + 1n], [1n, 6n * MIN + 1n], [-MIN, 8n * MIN]] as const) {
            const origin = BASE_TS + originOff;
            const start = BASE_TS + startOff > origin ? BASE_TS + startOff : origin + 1n;
            const plan = { tenant: T, streamIds: ids, start, end: BASE_TS + endOff, origin, width };
            for (const over of [{}, { metadataKeys: [] }, { metadataKeys: ['k'] }, { levels: ['error', 'unknown'] as ('error' | 'unknown')[], metadataKeys: [] }, { streamIds: [ids[1]] }]) {
              const p = { ...plan, ...over };
              const want = await expected(p);
              assert.deepEqual(await actual(p), want, `origin +${originOff} width ${width} range +${startOff}..+${endOff} ${JSON.stringify(over, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
              if (want.length > 0) compared++;
            }
          }
        }
      }
      assert.ok(compared > 400, `only ${compared} plans counted anything`);
    });

    it('still equals it after retention cut into a minute', async () => {
      await s.applyRetention(BASE_TS + 2n * MIN + 20_000_000_000n);
      for (const width of [MIN, 2n * MIN, 90_000_000_000n]) {
        const plan = { tenant: T, streamIds: ids, start: BASE_TS + 1n, end: BASE_TS + 8n * MIN, origin: BASE_TS, width, metadataKeys: [] };
        const want = await expected(plan);
        assert.ok(want.length > 0);
        assert.deepEqual(await actual(plan), want, `width ${width}`);
      }
    });
  });
}
