/**
 * Fuzz: thousands of malformed Loki push (JSON, gzip, protobuf + snappy) and JSON lines bodies —
 * random bytes, valid bodies with bytes flipped, cut short or spliced, deep nesting, huge
 * declared lengths, wrong JSON shapes. Every one must decode (keeping what is valid) or fail
 * with a 4xx LogSentinelError: never another exception, never a hang (the test has a timeout).
 * Seeded (LOKI_FUZZ_SEED overrides), so a failure is reproducible.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import snappy from 'snappyjs';
import { LogSentinelError } from '../errors.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './common/limits.js';
import { decodeLokiPush, encodeLokiPushJson, encodeLokiPushProtobuf, type LokiPushStream } from './loki-push.js';
import { decodeJsonLines } from './jsonlines.js';
import type { DecodeResult } from './common/validate.js';
import { fuzzer } from '../testing/seeded-random.js';

const SEED = Number(process.env.LOKI_FUZZ_SEED ?? 0x10c1);
const LIMITS: IngestLimits = { ...DEFAULT_INGEST_LIMITS, maxDecompressedBodySize: 1 << 20 };
const NOW = 1_700_000_100_000_000_000n;

const { int, pick, bytes: randomBytes } = fuzzer(SEED);

/** Flips, inserts, deletes, duplicates or truncates bytes of a valid body. */
function mutate(b: Buffer): Buffer {
  const out = Buffer.from(b);
  switch (int(5)) {
    case 0:
      for (let k = 0; k < 1 + int(8); k++) out[int(out.length)] = int(256);
      return out;
    case 1:
      return out.subarray(0, int(out.length));
    case 2: {
      const at = int(out.length);
      return Buffer.concat([out.subarray(0, at), randomBytes(1 + int(16)), out.subarray(at)]);
    }
    case 3: {
      const at = int(out.length);
      return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + int(16))]);
    }
    default: {
      const at = int(out.length);
      return Buffer.concat([out.subarray(0, at), out.subarray(int(out.length))]);
    }
  }
}

function streams(i: number): LokiPushStream[] {
  return [
    { stream: { service: `svc${i % 4}`, env: 'prod' }, values: [[NOW - BigInt(i), `level=info msg="hello ${i}" n=${i}`], [NOW - BigInt(i) + 1n, `{"level":"error","m":"x"}`, { trace_id: 'abc', k: 'v' }]] },
    { stream: { app: 'w', pod: `p-${i}` }, values: [[NOW - 5n, 'ERROR boom ✓ ünï']] },
  ];
}

/** JSON that is valid JSON but the wrong shape, or pathological. */
function weirdJson(): string {
  const deep = (n: number, open: string, close: string): string => open.repeat(n) + close.repeat(n);
  return pick([
    () => deep(1 + int(50_000), '[', ']'),
    () => deep(1 + int(50_000), '{"a":', '}').replace(/}$/, '1}'),
    () => JSON.stringify({ streams: pick([null, 1, 'x', {}, [null], [1], [{}], [{ stream: 1 }], [{ stream: {}, values: 'x' }], [{ stream: { a: 1 }, values: [[1, 2]] }]]) }),
    () => JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [[String(int(1e6)), 'x', pick([null, 1, 'x', [], { k: 1 }, { k: { n: 1 } }])]] }] }),
    () => JSON.stringify({ streams: [{ stream: { [pick(['', ' ', '0a', '__name__', 'a-b', 'ü'])]: 'v' }, values: [[String(NOW), 'x']] }] }),
    () => JSON.stringify({ streams: [{ labels: pick(['{', '{a=}', '{a="b"', '{a="b",}', 'a="b"', '{a="\\q"}']), entries: [{ ts: pick(['x', '2024-13-01T00:00:00Z', 1, null]), line: 'x' }] }] }),
    () => JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [[pick(['-1', '1e30', '99999999999999999999999', '0x10', ' 1', '', 'NaN']), 'x']] }] }),
    () => JSON.stringify({ streams: [{ stream: { a: 'b' }, values: Array.from({ length: int(2000) }, (_, k) => [String(NOW - BigInt(k)), 'x'.repeat(int(300))]) }] }),
  ])();
}

function weirdJsonLines(): string {
  return Array.from({ length: 1 + int(20) }, () =>
    pick([
      () => JSON.stringify({ _msg: `m${int(100)}`, level: pick(['info', 'ERR', 7, null, 'warning']), service: pick(['a', 1, null, { x: 1 }]) }),
      () => JSON.stringify({ time: pick(['x', -1, 1e300, '1700000000', '2024-01-01T00:00:00Z', null, [], {}]), message: pick(['m', 1, null, { a: 1 }, []]) }),
      () => '{'.repeat(1 + int(10_000)),
      () => '['.repeat(1 + int(10_000)) + ']'.repeat(int(10_000)),
      () => JSON.stringify(Array.from({ length: 1 + int(30) }, (_, k) => k).reduce<unknown>((acc) => ({ n: acc }), 'leaf')),
      () => randomBytes(int(200)).toString('latin1').replace(/\n/g, ' '),
      () => '',
      () => 'null',
      () => `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"k${int(10)}":"${'x'.repeat(int(1000))}"}`,
    ])(),
  ).join(pick(['\n', '\r\n', '\n\n']));
}

const outcomes = { kept: 0, refused: 0, failed: 0 };

/** Runs one decode: it must return a result or throw a 4xx LogSentinelError. */
function check(what: string, run: () => DecodeResult): void {
  let res: DecodeResult;
  try {
    res = run();
  } catch (err) {
    if (err instanceof LogSentinelError && err.status >= 400 && err.status < 500) {
      outcomes.failed++;
      return;
    }
    assert.fail(`${what}: threw ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`);
  }
  assert.ok(res.accepted >= 0 && res.rejectedEntries >= 0, what);
  let n = 0;
  for (const s of res.batch.streams) n += s.entries.length;
  assert.equal(n, res.accepted, `${what}: accepted counts the entries in the batch`);
  if (res.accepted > 0) outcomes.kept++;
  if (res.rejectedEntries > 0) outcomes.refused++;
  assert.equal(({} as Record<string, unknown>).polluted, undefined, `${what}: no prototype pollution`);
}

test('fuzz: Loki push bodies (JSON, gzip, protobuf + snappy) and JSON lines never crash or hang', { timeout: 60_000 }, () => {
  const counts = { json: 0, gzip: 0, protobuf: 0, jsonlines: 0 };
  const loki = (body: Buffer, ct: string, ce?: string): DecodeResult => decodeLokiPush(body, ct, ce, 'fuzz', LIMITS, NOW);
  for (let i = 0; i < 1500; i++) {
    const json = Buffer.from(encodeLokiPushJson(streams(i)));
    const body = pick([() => mutate(json), () => Buffer.from(weirdJson()), () => randomBytes(int(512))])();
    check(`json #${i}`, () => loki(body, 'application/json'));
    counts.json++;
    if (i % 3 === 0) {
      const gz = pick([() => mutate(gzipSync(json)), () => gzipSync(body), () => randomBytes(int(64))])();
      check(`gzip #${i}`, () => loki(gz, 'application/json', 'gzip'));
      counts.gzip++;
    }
  }
  for (let i = 0; i < 2000; i++) {
    const raw = encodeLokiPushProtobuf(streams(i));
    const body = pick([
      () => mutate(raw), // valid snappy, corrupted contents
      () => Buffer.from(snappy.compress(mutate(Buffer.from(snappy.uncompress(raw))))), // corrupted protobuf, valid snappy
      () => Buffer.from(snappy.compress(randomBytes(int(400)))),
      () => randomBytes(int(400)),
      // a huge declared uncompressed length, or a length-delimited field past the end
      () => Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), randomBytes(int(64))]),
      () => Buffer.from(snappy.compress(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a]))),
    ])();
    check(`protobuf #${i}`, () => loki(body, 'application/x-protobuf'));
    counts.protobuf++;
  }
  for (let i = 0; i < 2000; i++) {
    const body = i % 4 === 0 ? mutate(Buffer.from(weirdJsonLines())) : Buffer.from(weirdJsonLines());
    check(`jsonlines #${i}`, () => decodeJsonLines(body, i % 7 === 0 ? 'gzip' : undefined, 'fuzz', LIMITS, NOW));
    counts.jsonlines++;
  }
  const total = counts.json + counts.gzip + counts.protobuf + counts.jsonlines;
  assert.ok(total >= 6000, `fuzzed ${total} bodies`);
  // The corpus exercises every path: bodies partly kept, entries refused, whole bodies failed.
  assert.ok(outcomes.kept > 100 && outcomes.refused > 100 && outcomes.failed > 1000, JSON.stringify(outcomes));
  console.log(`fuzzed ${total} bodies: ${JSON.stringify(outcomes)}`);
});
