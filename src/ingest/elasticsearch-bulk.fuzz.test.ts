/**
 * Fuzz test of the bulk decoder: thousands of malformed bodies from a seeded generator (random
 * bytes, truncated and mutated NDJSON, actions without sources, deep nesting, huge arrays, wrong
 * types, broken gzip). Each must end in a whole-request refusal with a 4xx status or a
 * consistent per-item answer; none may throw anything else or hang. `ES_FUZZ_SEED` and
 * `ES_FUZZ_CASES` reproduce or widen a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEsBulk } from './elasticsearch-bulk.js';
import { DEFAULT_INGEST_LIMITS } from './common/limits.js';
import { LogSentinelError } from '../errors.js';
import { bodyGenerators } from '../testing/es-bulk-fuzz.js';
import { fuzzer } from '../testing/seeded-random.js';

const SEED = Number(process.env.ES_FUZZ_SEED ?? 20261122);
const CASES = Number(process.env.ES_FUZZ_CASES ?? 6000);
const LIMITS = { ...DEFAULT_INGEST_LIMITS, maxDecompressedBodySize: 4 * 1024 * 1024 };

/** The invariants of one decode: a 4xx refusal of the whole body, or one consistent answer per action. */
function checkDecode(body: Buffer, what: string): 'refused' | 'items' {
  let res: ReturnType<typeof decodeEsBulk>;
  try {
    res = decodeEsBulk(body, undefined, 't', LIMITS, 1700000000000000000n, {});
  } catch (err) {
    assert.ok(err instanceof LogSentinelError, `${what}: threw a non-LogSentinelError: ${String(err)}`);
    assert.ok([400, 413, 415].includes(err.status), `${what}: status ${err.status}`);
    assert.ok(err.message.length > 0 && err.message.length < 2000, `${what}: message length ${err.message.length}`);
    return 'refused';
  }
  assert.ok(res.items.length > 0, `${what}: no items`);
  let ok = 0;
  let failed = 0;
  for (const it of res.items) {
    assert.ok(['index', 'create', 'update', 'delete'].includes(it.op), `${what}: op ${it.op}`);
    if (it.status === 201) {
      assert.equal(it.error, undefined, what);
      ok++;
    } else {
      assert.ok(it.status === 400 || it.status === 429, `${what}: item status ${it.status}`);
      assert.ok(it.error !== undefined && it.error.type !== '' && it.error.reason !== '', `${what}: item error missing`);
      assert.ok(it.error.reason.length < 4000, `${what}: reason length ${it.error.reason.length}`);
      failed++;
    }
  }
  assert.equal(res.accepted, ok, `${what}: accepted`);
  assert.equal(res.rejectedEntries, failed, `${what}: rejectedEntries`);
  assert.equal(res.batch.streams.reduce((n, s) => n + s.entries.length, 0), ok, `${what}: entries in batch`);
  JSON.stringify(res.items); // the answer must serialise
  return 'items';
}

test(`decodeEsBulk survives ${CASES} malformed bodies (seed ${SEED})`, () => {
  const gens = bodyGenerators(fuzzer(SEED));
  const names = Object.keys(gens);
  const counts: Record<string, { refused: number; items: number }> = {};
  const started = process.hrtime.bigint();
  let slowest = 0;
  let slowestName = '';
  for (let i = 0; i < CASES; i++) {
    const name = names[i % names.length];
    const body = gens[name]();
    const t0 = process.hrtime.bigint();
    const outcome = checkDecode(body, `case ${i} (${name})`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > slowest) {
      slowest = ms;
      slowestName = `case ${i} (${name}, ${body.length} bytes)`;
    }
    counts[name] ??= { refused: 0, items: 0 };
    counts[name][outcome]++;
  }
  const total = Number(process.hrtime.bigint() - started) / 1e6;
  // Figures for the reader; a test never asserts a timing.
  console.log(`# ${CASES} bodies in ${total.toFixed(0)} ms; slowest ${slowest.toFixed(1)} ms: ${slowestName}`);
  for (const n of names) console.log(`#   ${n}: ${counts[n].refused} refused as a whole, ${counts[n].items} answered per item`);
  // every generator reached the decoder's both outcomes or at least one of them
  for (const n of names) assert.ok(counts[n].refused + counts[n].items > 0, n);
});
