/**
 * Fuzz: thousands of malformed OTLP payloads (random bytes, mutated and truncated valid
 * protobuf and JSON, deep nesting, huge declared lengths and counts, wrong JSON shapes, broken
 * gzip). Every one must either decode or fail with a 4xx LogSentinelError — never another
 * exception, never a hang (the test has a timeout). Seeded, so a failure is reproducible.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { LogSentinelError } from '../../errors.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../common/limits.js';
import { decodeOtlpLogs } from './decode.js';
import { parseResourceLabels } from './mapping.js';
import type { OtlpLimits } from './model.js';
import { anyValue, encodeOtlpProtobuf, kv, type OtlpJsonRequest } from './testing/payloads.js';
import { fuzzer } from '../../testing/seeded-random.js';

const SEED = 0x5eed;
const LIMITS: IngestLimits = { ...DEFAULT_INGEST_LIMITS, maxDecompressedBodySize: 1 << 20 };
const OTLP: OtlpLimits = { maxRecordsPerRequest: 1000, maxAttributes: 64, maxDepth: 16, maxStringBytes: 4096, maxValues: 1000 };
const LABELS = parseResourceLabels(['service.name=service', 'host.name']);
const PB = 'application/x-protobuf';
const JS = 'application/json';


const { rand, int, pick, bytes: randomBytes } = fuzzer(SEED);

function sample(i: number): OtlpJsonRequest {
  return {
    resourceLogs: [{
      resource: { attributes: [kv('service.name', `svc${i % 3}`), kv('host.name', 'h'), kv('extra', { a: [1, 2], b: { c: true } })] },
      scopeLogs: [{
        scope: { name: 'lib', version: '1', attributes: [kv('s', 1.5)] },
        logRecords: [
          { timeUnixNano: '1700000000000000000', severityNumber: (i % 24) + 1, severityText: 'X', body: { stringValue: `line ${i}` }, attributes: [kv('k', 'v'), kv('n', i)], traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', flags: 1 },
          { observedTimeUnixNano: '1700000000000000001', body: anyValue({ m: 'structured', l: [1, 'x', { d: null }] }), attributes: [kv('bytes', new Uint8Array([1, 2, 3]))] },
        ],
      }],
    }],
  };
}

function mutate(b: Buffer): Buffer {
  const out = Buffer.from(b);
  const n = 1 + int(4);
  let cur = out;
  for (let k = 0; k < n; k++) {
    const op = int(5);
    const at = cur.length === 0 ? 0 : int(cur.length);
    if (op === 0 && cur.length > 0) cur[at] ^= 1 << int(8);
    else if (op === 1 && cur.length > 0) cur[at] = int(256);
    else if (op === 2) cur = Buffer.concat([cur.subarray(0, at), randomBytes(1 + int(4)), cur.subarray(at)]);
    else if (op === 3) cur = Buffer.concat([cur.subarray(0, at), cur.subarray(Math.min(cur.length, at + 1 + int(4)))]);
    else if (cur.length > 0) cur[at] = pick([0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x08]);
  }
  return cur;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Nests `inner` in length-delimited fields, outermost first, in O(total size). */
function nest(fields: number[], inner: Buffer): Buffer {
  const heads: number[][] = new Array(fields.length);
  let size = inner.length;
  for (let i = fields.length - 1; i >= 0; i--) {
    heads[i] = [(fields[i] << 3) | 2, ...varint(size)];
    size += heads[i].length;
  }
  const out = Buffer.alloc(size);
  let p = 0;
  for (const h of heads) for (const x of h) out[p++] = x;
  inner.copy(out, p);
  return out;
}

/** A request whose one record has an attribute nested `depth` arrays (or kvlists) deep. */
function deepProto(depth: number, kvlist: boolean): Buffer {
  const fields = [1, 2, 2, 6, 2]; // request.resourceLogs, .scopeLogs, .logRecords, record.attributes, keyValue.value
  for (let i = 0; i < depth; i++) fields.push(...(kvlist ? [6, 1, 2] : [5, 1])); // AnyValue.kvlist → values(KeyValue) → value | AnyValue.array → values
  return nest(fields, Buffer.from([0x0a, 0x01, 0x78]));
}

function deepJson(depth: number): string {
  return '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":' + '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"x"}' + ']}}'.repeat(depth) + '}]}]}]}';
}

const WRONG: unknown[] = [null, 0, -1, 1.5, 'x', '', true, [], {}, [1], { a: 1 }, '1e400', 'Infinity', '18446744073709551616', 'ffffffff', '00'];

/** Replaces a random node of a JSON value with a value of a random (probably wrong) type. */
function corrupt(v: unknown, depth = 0): unknown {
  if (depth > 0 && rand() < 0.15) return pick(WRONG);
  if (Array.isArray(v)) {
    if (v.length === 0) return rand() < 0.5 ? [pick(WRONG)] : v;
    const i = int(v.length);
    return v.map((x, j) => (j === i ? corrupt(x, depth + 1) : x));
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return v;
    const k = pick(keys);
    return { ...(v as Record<string, unknown>), [k]: corrupt((v as Record<string, unknown>)[k], depth + 1) };
  }
  return pick(WRONG);
}

interface Case {
  kind: string;
  body: Buffer;
  ct: string;
  enc?: string;
  /** When set and the payload decodes: how many records must have been refused. */
  refused?: number;
}

function* cases(): Generator<Case> {
  const pbs = Array.from({ length: 8 }, (_, i) => encodeOtlpProtobuf(sample(i)));
  const jsons = Array.from({ length: 8 }, (_, i) => JSON.stringify(sample(i)));
  for (let i = 0; i < 1500; i++) yield { kind: 'random bytes', body: randomBytes(int(200)), ct: pick([PB, JS]) };
  for (let i = 0; i < 3000; i++) yield { kind: 'mutated protobuf', body: mutate(pick(pbs)), ct: PB };
  for (const pb of pbs.slice(0, 2)) for (let n = 0; n < pb.length; n++) yield { kind: 'truncated protobuf', body: pb.subarray(0, n), ct: PB };
  for (const js of jsons.slice(0, 1)) for (let n = 0; n < js.length; n += 3) yield { kind: 'truncated JSON', body: Buffer.from(js.slice(0, n)), ct: JS };
  for (let i = 0; i < 1500; i++) yield { kind: 'corrupted JSON shape', body: Buffer.from(JSON.stringify(corrupt(sample(i)))), ct: JS };
  for (let i = 0; i < 500; i++) yield { kind: 'mutated JSON text', body: mutate(Buffer.from(pick(jsons))), ct: JS };
  for (const d of [15, 16, 17, 100, 1000, 10_000, 50_000]) {
    const refused = d > OTLP.maxDepth ? 1 : 0;
    yield { kind: 'deep protobuf array', body: deepProto(d, false), ct: PB, refused };
    yield { kind: 'deep protobuf kvlist', body: deepProto(d, true), ct: PB, refused };
    yield { kind: 'deep JSON', body: Buffer.from(deepJson(d)), ct: JS, refused };
  }
  // huge declared lengths and counts
  for (let i = 0; i < 200; i++) {
    const len = pick([0x7fffffff, 0xffffffff, 2 ** 28, 1 << 20, 1000]);
    yield { kind: 'huge length', body: Buffer.from([pick([0x0a, 0x12, 0x2a, 0x32]), ...varint(len), ...randomBytes(int(20))]), ct: PB };
  }
  const emptyRecord = Buffer.from([0x12, 0x00]); // ScopeLogs.log_records = {}
  for (const n of [999, 1000, 1001, 5000]) {
    const scope = Buffer.concat(Array(n).fill(emptyRecord));
    yield { kind: 'many records', body: nest([1, 2], scope), ct: PB };
    yield { kind: 'many records JSON', body: Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: Array(n).fill({}) }] }] })), ct: JS };
  }
  const attr = nest([6], Buffer.from([0x0a, 0x01, 0x6b]));
  for (const n of [64, 65, 10_000]) yield { kind: 'many attributes', body: nest([1, 2, 2], Buffer.concat(Array(n).fill(attr))), ct: PB, refused: n > 64 ? 1 : 0 };
  const elem = nest([1], Buffer.from([0x0a, 0x01, 0x78])); // ArrayValue.values = AnyValue{string_value: "x"}
  for (const n of [998, 999, 100_000]) yield { kind: 'huge array body', body: nest([1, 2, 2, 5, 5], Buffer.concat(Array(n).fill(elem))), ct: PB, refused: n + 1 > 1000 ? 1 : 0 };
  yield { kind: 'long string', body: nest([1, 2, 2, 6], Buffer.concat([Buffer.from([0x0a, ...varint(5000)]), Buffer.alloc(5000, 0x61)])), ct: PB, refused: 1 };
  // gzip: valid, truncated, random
  for (let i = 0; i < 200; i++) {
    const gz = gzipSync(pick(pbs));
    yield { kind: 'broken gzip', body: i % 2 === 0 ? gz.subarray(0, int(gz.length)) : mutate(gz), ct: PB, enc: 'gzip' };
  }
  yield { kind: 'gzip bomb', body: gzipSync(Buffer.alloc(2 << 20)), ct: PB, enc: 'gzip' };
}

test('fuzz: malformed OTLP payloads give a result or a 4xx error, nothing else', { timeout: 60_000 }, () => {
  const started = Date.now();
  const byKind = new Map<string, { n: number; ok: number; status: Map<number, number> }>();
  const failures: string[] = [];
  let total = 0;
  for (const c of cases()) {
    total++;
    const k = byKind.get(c.kind) ?? { n: 0, ok: 0, status: new Map<number, number>() };
    byKind.set(c.kind, k);
    k.n++;
    try {
      const r = decodeOtlpLogs(c.body, c.ct, c.enc, 't', LIMITS, 1700000000000000000n, { resourceLabels: LABELS, limits: OTLP });
      assert.ok(r.accepted >= 0 && r.rejectedEntries >= 0);
      assert.ok(r.accepted + r.rejectedEntries <= OTLP.maxRecordsPerRequest);
      if (c.refused !== undefined) assert.equal(r.rejectedEntries, c.refused, `${c.kind} #${k.n}: ${JSON.stringify(r.rejected)}`);
      k.ok++;
    } catch (err) {
      if (err instanceof LogSentinelError && err.status >= 400 && err.status < 500 && err.message.length > 0) {
        k.status.set(err.status, (k.status.get(err.status) ?? 0) + 1);
      } else if (failures.length < 10) {
        failures.push(`${c.kind} #${k.n} (${c.body.subarray(0, 40).toString('hex')}): ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(total >= 5000, `only ${total} payloads`);
  // Every family must have produced both outcomes where both are possible, or the fuzzer is blind.
  const summary = [...byKind].map(([kind, k]) => `${kind}: ${k.n} (${k.ok} decoded, ${[...k.status].map(([s, n]) => `${n}×${s}`).join(' ')})`);
  console.log(`${total} payloads in ${Date.now() - started} ms\n  ${summary.join('\n  ')}`);
  assert.ok((byKind.get('mutated protobuf')?.ok ?? 0) > 0 && (byKind.get('mutated protobuf')?.status.get(400) ?? 0) > 0);
  assert.ok((byKind.get('corrupted JSON shape')?.status.get(400) ?? 0) > 0);
});
