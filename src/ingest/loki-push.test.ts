import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, deflateRawSync, deflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import { decodeLokiPush, encodeLokiPushJson, encodeLokiPushJsonLegacy, encodeLokiPushProtobuf, type LokiPushStream } from './loki-push.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './common/limits.js';
import { formatRejections, type DecodeResult } from './common/validate.js';
import { LogSentinelError } from '../errors.js';
import { streamId } from '../model/labels.js';

const NOW = 1700000000000000000n; // 2023-11-14T22:13:20Z
const T1 = '1700000000123456789';
const MIN = 60_000_000_000n;
const L: IngestLimits = DEFAULT_INGEST_LIMITS;

/** Entries of a result as compact tuples, per stream key. */
function flat(r: DecodeResult): Record<string, Array<[string, string, string, Record<string, string>?]>> {
  const out: Record<string, Array<[string, string, string, Record<string, string>?]>> = {};
  for (const s of r.batch.streams) {
    out[s.key] = s.entries.map((e) => (e.metadata === undefined ? [e.ts.toString(), e.line, e.level] : [e.ts.toString(), e.line, e.level, e.metadata]));
  }
  return out;
}

test('decodeLokiPush decodes valid requests', () => {
  const f = (
    body: Buffer | string,
    contentType: string | undefined,
    contentEncoding: string | undefined,
    want: ReturnType<typeof flat>,
  ): void => {
    const r = decodeLokiPush(typeof body === 'string' ? Buffer.from(body) : body, contentType, contentEncoding, 'team-a', L, NOW);
    assert.deepEqual(r.rejected, []);
    assert.equal(r.rejectedEntries, 0);
    assert.deepEqual(flat(r), want);
    let n = 0;
    for (const s of r.batch.streams) {
      n += s.entries.length;
      assert.equal(s.id, streamId('team-a', s.labels));
      assert.deepEqual(Object.keys(s.labels), Object.keys(s.labels).sort());
    }
    assert.equal(r.accepted, n);
    assert.equal(r.batch.tenant, 'team-a');
  };

  // v1 JSON, ns digits kept exactly, level detected
  f(`{"streams":[{"stream":{"service":"api","env":"prod"},"values":[["${T1}","level=error msg=boom"],["1700000000000000001","INFO ok"]]}]}`, 'application/json', undefined, {
    '{env="prod", service="api"}': [
      [T1, 'level=error msg=boom', 'error'],
      ['1700000000000000001', 'INFO ok', 'info'],
    ],
  });
  // structured metadata as third element; invalid metadata names are normalised as Loki does
  f(`{"streams":[{"stream":{"app":"x"},"values":[["${T1}","hi",{"trace_id":"abc","user.id":"7","1st":"y"}]]}]}`, 'application/json; charset=utf-8', undefined, {
    '{app="x"}': [[T1, 'hi', 'unknown', { trace_id: 'abc', user_id: '7', key_1st: 'y' }]],
  });
  // level from structured metadata and from a stream label
  f(`{"streams":[{"stream":{"app":"x","level":"warn"},"values":[["${T1}","ERROR but label says warn"]]},{"stream":{"app":"y"},"values":[["${T1}","plain",{"level":"debug"}]]}]}`, 'application/json', undefined, {
    '{app="x", level="warn"}': [[T1, 'ERROR but label says warn', 'warn']],
    '{app="y"}': [[T1, 'plain', 'debug', { level: 'debug' }]],
  });
  // the same stream twice in a request is one stream; label order does not matter
  f(`{"streams":[{"stream":{"b":"2","a":"1"},"values":[["1","one"]]},{"stream":{"a":"1","b":"2"},"values":[["2","two"]]}]}`, 'application/json', undefined, {
    '{a="1", b="2"}': [
      ['1', 'one', 'unknown'],
      ['2', 'two', 'unknown'],
    ],
  });
  // streams without entries are skipped, as in Loki
  f(`{"streams":[{"stream":{"a":"1"},"values":[]},{"stream":{"a":"2"},"values":[["5","x"]]}]}`, 'application/json', undefined, { '{a="2"}': [['5', 'x', 'unknown']] });
  // legacy form
  f(encodeLokiPushJsonLegacy([{ labels: { job: 'varlogs' }, entries: [{ ts: '2023-11-14T22:13:20.123456789Z', line: 'WARN legacy' }] }]), 'application/json', undefined, {
    '{job="varlogs"}': [[T1, 'WARN legacy', 'warn']],
  });
  f(`{"streams":[{"labels":"{job=\\"a\\", env=\\"b\\"}","entries":[{"ts":"2023-11-15T00:13:20+02:00","line":"x"}]}]}`, 'application/json', undefined, {
    '{env="b", job="a"}': [['1700000000000000000', 'x', 'unknown']],
  });
  // gzip by header, gzip by magic bytes, deflate (raw and zlib), snappy-encoded JSON
  const body = `{"streams":[{"stream":{"a":"1"},"values":[["${T1}","zipped"]]}]}`;
  const want = { '{a="1"}': [[T1, 'zipped', 'unknown'] as [string, string, string]] };
  f(gzipSync(body), 'application/json', 'gzip', want);
  f(gzipSync(body), 'application/json', undefined, want);
  f(deflateRawSync(body), 'application/json', 'deflate', want);
  f(deflateSync(body), 'application/json', 'deflate', want);
  f(snappy.compress(Buffer.from(body)), 'application/json', 'snappy', want);
  // curl's default content type with a JSON body
  f(body, 'application/x-www-form-urlencoded', undefined, want);
  // unicode and escapes survive
  f(`{"streams":[{"stream":{"a":"ü"},"values":[["1","tab\\there \\u00e9 😀 \\"q\\""]]}]}`, 'application/json', undefined, {
    '{a="ü"}': [['1', 'tab\there é 😀 "q"', 'unknown']],
  });
});

test('decodeLokiPush decodes protobuf requests', () => {
  const streams: LokiPushStream[] = [
    { stream: { service: 'checkout', env: 'prod' }, values: [[T1, 'ERROR payment declined', { trace_id: 't-1' }], ['1700000000000000000', 'ok']] },
    { stream: { service: 'auth' }, values: [[1699999999999999999n, '{"level":"warn","msg":"slow"}']] },
  ];
  const want = {
    '{env="prod", service="checkout"}': [
      [T1, 'ERROR payment declined', 'error', { trace_id: 't-1' }],
      ['1700000000000000000', 'ok', 'unknown'],
    ],
    '{service="auth"}': [['1699999999999999999', '{"level":"warn","msg":"slow"}', 'warn']],
  } as ReturnType<typeof flat>;
  const f = (body: Buffer, contentType: string | undefined, contentEncoding?: string): void => {
    const r = decodeLokiPush(body, contentType, contentEncoding, 'team-a', L, NOW);
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(flat(r), want);
    assert.equal(r.accepted, 3);
  };
  const pb = encodeLokiPushProtobuf(streams);
  f(pb, 'application/x-protobuf');
  f(pb, undefined); // Loki's default when no Content-Type
  f(pb, 'application/x-protobuf', 'snappy'); // header set by some clients; body is snappy anyway
  f(gzipSync(pb), 'application/x-protobuf', 'gzip');

  // Hand-built bytes by field number, independent of the encoder's schema: fields out of
  // order (entries before labels), an unknown field, and the hash field.
  const w = protobuf.Writer.create();
  const entry = (sec: number, nanos: number, line: string, md?: Array<[string, string]>): Uint8Array => {
    const e = protobuf.Writer.create();
    e.uint32((2 << 3) | 2).string(line);
    const ts = protobuf.Writer.create();
    ts.uint32((1 << 3) | 0).int64(sec);
    ts.uint32((2 << 3) | 0).int32(nanos);
    e.uint32((1 << 3) | 2).bytes(ts.finish());
    for (const [n, v] of md ?? []) {
      const p = protobuf.Writer.create();
      p.uint32((1 << 3) | 2).string(n).uint32((2 << 3) | 2).string(v);
      e.uint32((3 << 3) | 2).bytes(p.finish());
    }
    e.uint32((99 << 3) | 0).uint32(7); // unknown field
    return e.finish();
  };
  const s1 = protobuf.Writer.create();
  s1.uint32((2 << 3) | 2).bytes(entry(1700000000, 123456789, 'ERROR payment declined', [['trace_id', 't-1']]));
  s1.uint32((2 << 3) | 2).bytes(entry(1700000000, 0, 'ok'));
  s1.uint32((1 << 3) | 2).string('{service="checkout",env="prod"}');
  s1.uint32((3 << 3) | 0).uint64(12345);
  w.uint32((1 << 3) | 2).bytes(s1.finish());
  const s2 = protobuf.Writer.create();
  s2.uint32((1 << 3) | 2).string('{service="auth"}');
  s2.uint32((2 << 3) | 2).bytes(entry(1699999999, 999999999, '{"level":"warn","msg":"slow"}'));
  w.uint32((1 << 3) | 2).bytes(s2.finish());
  f(snappy.compress(Buffer.from(w.finish())), 'application/x-protobuf');
});

test('decodeLokiPush keeps valid entries and names the refused ones', () => {
  const f = (body: string, limits: Partial<IngestLimits>, wantAccepted: number, wantReasons: string[], wantRejectedEntries = wantReasons.length): void => {
    const r = decodeLokiPush(Buffer.from(body), 'application/json', undefined, 't', { ...L, ...limits }, NOW);
    assert.deepEqual(
      r.rejected.map((x) => x.reason),
      wantReasons,
    );
    assert.equal(r.accepted, wantAccepted);
    assert.equal(r.rejectedEntries, wantRejectedEntries);
  };
  const ok = `["${NOW}","fine"]`;
  const one = (labels: string, values: string): string => `{"streams":[{"stream":${labels},"values":[${values}]}]}`;

  // labels (Loki texts)
  f(one('{}', ok), {}, 0, ['error at least one label pair is required per stream']);
  f(`{"streams":[{"values":[${ok}]}]}`, {}, 0, ['error at least one label pair is required per stream']);
  f(one('{"a":"1","b":"2","c":"3"}', ok + ',' + ok), { maxLabelNamesPerSeries: 2 }, 0, [`entry for stream '{a="1", b="2", c="3"}' has 3 label names; limit 2`], 2);
  f(one('{"a":"1","b":"2","service_name":"3"}', ok), { maxLabelNamesPerSeries: 2 }, 1, []); // service_name not counted
  f(one('{"abcdef":"1"}', ok), { maxLabelNameLength: 5 }, 0, [`stream '{abcdef="1"}' has label name too long: 'abcdef'`]);
  f(one('{"a":"123456"}', ok), { maxLabelValueLength: 5 }, 0, [`stream '{a="123456"}' has label value too long: '123456'`]);
  f(one('{"a-b":"1"}', ok), {}, 0, [`Error parsing labels '{"a-b":"1"}' with error: invalid label name "a-b"`]);
  f(one('{"a":1}', ok), {}, 0, [`Error parsing labels '{"a":1}' with error: value of label "a" is not a string`]);
  // entries (Loki texts)
  f(one('{"a":"1"}', `["${NOW + 11n * MIN}","future"],${ok}`), {}, 1, [`entry for stream '{a="1"}' has timestamp too new: 2023-11-14T22:24:20Z`]);
  f(one('{"a":"1"}', `["${NOW + 9n * MIN}","near future"]`), {}, 1, []);
  f(one('{"a":"1"}', `["1","ancient"],${ok}`), {}, 2, []); // any age accepted by default
  f(one('{"a":"1"}', `["1","ancient"],${ok}`), { rejectOlderThanNs: 60n * MIN }, 1, [
    `entry for stream '{a="1"}' has timestamp too old: 1970-01-01T00:00:00Z, oldest acceptable timestamp is: 2023-11-14T21:13:20Z`,
  ]);
  f(one('{"a":"1"}', `["${NOW}","${'x'.repeat(11)}"],${ok}`), { maxLineSize: 10 }, 1, [
    `Max entry size '10' bytes exceeded for stream '{a="1"}' while adding an entry with length '11' bytes`,
  ]);
  f(one('{"a":"1"}', `["${NOW}","ééééé1"]`), { maxLineSize: 10 }, 0, [
    `Max entry size '10' bytes exceeded for stream '{a="1"}' while adding an entry with length '11' bytes`,
  ]);
  f(one('{"a":"1"}', `["${NOW}","x",{"k":"12345"}]`), { maxStructuredMetadataSize: 5 }, 0, [
    `stream '{a="1"}' has structured metadata too large: '6' bytes, limit: '5' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`,
  ]);
  f(one('{"a":"1"}', `["${NOW}","x",{"k":"1","l":"2"}]`), { maxStructuredMetadataEntries: 1 }, 0, [
    `stream '{a="1"}' has too many structured metadata labels: '2', limit: '1'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`,
  ]);
  // malformed entries refuse only themselves
  f(one('{"a":"1"}', `[1700000000000000000,"number ts"],${ok}`), {}, 1, [`cannot parse entry 0 of stream '{a="1"}': timestamp must be a string of nanoseconds, got 1700000000000000000`]);
  f(one('{"a":"1"}', `["17e8","x"],${ok}`), {}, 1, [
    `cannot parse entry 0 of stream '{a="1"}': cannot parse timestamp "17e8": expected nanoseconds since the epoch as a decimal integer string`,
  ]);
  f(one('{"a":"1"}', `["1",42],${ok}`), {}, 1, [`cannot parse entry 0 of stream '{a="1"}': log line must be a string`]);
  f(one('{"a":"1"}', `["1"],${ok}`), {}, 1, [
    `cannot parse entry 0 of stream '{a="1"}': expected ["<unix epoch in nanoseconds>", "<log line>"] with optional structured metadata object`,
  ]);
  f(one('{"a":"1"}', `["1","x",{"k":1}],${ok}`), {}, 1, [`cannot parse entry 0 of stream '{a="1"}': value of structured metadata "k" is not a string`]);
  f(`{"streams":[42,{"stream":{"a":"1"},"values":[${ok}]}]}`, {}, 1, ['cannot parse stream 0 of loki push request: expected an object']);
  // truncation instead of refusal, never inside a character
  const r = decodeLokiPush(Buffer.from(one('{"a":"1"}', `["${NOW}","ééééé1"]`)), 'application/json', undefined, 't', { ...L, maxLineSize: 5, maxLineSizeTruncate: true }, NOW);
  assert.deepEqual(r.rejected, []);
  assert.equal(r.batch.streams[0].entries[0].line, 'éé');
});

test('decodeLokiPush refuses streams over the active stream limit', () => {
  const body = `{"streams":[{"stream":{"a":"1"},"values":[["1","x"]]},{"stream":{"a":"2"},"values":[["1","y"],["2","z"]]}]}`;
  const r = decodeLokiPush(Buffer.from(body), 'application/json', undefined, 'acme', L, NOW, { admitStream: (_id, key) => key === '{a="1"}' });
  assert.equal(r.accepted, 1);
  assert.equal(r.rejectedEntries, 2);
  assert.equal(
    r.rejected[0].reason,
    `Maximum active stream limit exceeded when trying to create stream {a="2"}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: 'acme'`,
  );
});

test('decodeLokiPush counts refusals by Loki reason and the bytes it accepted', () => {
  const f = (streams: unknown[], limits: Partial<IngestLimits>, wantReasons: Record<string, number> | undefined, wantBytes: number, admit?: (key: string) => boolean): void => {
    const body = Buffer.from(JSON.stringify({ streams }));
    const r = decodeLokiPush(body, 'application/json', undefined, 't', { ...L, ...limits }, NOW, { countBytes: true, admitStream: admit && ((_id, key) => admit(key)) });
    assert.deepEqual(r.reasons, wantReasons);
    assert.equal(r.acceptedBytes, wantBytes);
    let n = 0;
    for (const v of Object.values(r.reasons ?? {})) n += v;
    assert.equal(n, r.rejectedEntries, 'every refusal has a reason');
  };
  const v = (...lines: string[]): string[][] => lines.map((l) => [T1, l]);
  f([{ stream: { a: '1' }, values: v('abc', 'ééé') }], {}, undefined, 3 + 6);
  // structured metadata counts, names and values
  f([{ stream: { a: '1' }, values: [[T1, 'ab', { trace: 'xyz' }]] }], {}, undefined, 2 + 5 + 3);
  f([{ stream: { a: '1' }, values: v('short', 'far too long') }], { maxLineSize: 6 }, { line_too_long: 1 }, 5);
  f([{ stream: { a: '1' }, values: v('x') }, { stream: { a: '2' }, values: v('y', 'z') }], {}, { stream_limit: 2 }, 1, (key) => key === '{a="1"}');
  f([{ stream: {}, values: v('x') }], {}, { missing_labels: 1 }, 0);
  f([{ stream: { a: 'x'.repeat(30) }, values: v('x') }], { maxLabelValueLength: 10 }, { label_value_too_long: 1 }, 0);
  f([{ stream: { a: '1' }, values: [[String(NOW + 20n * MIN), 'future'], ['nope', 'x']] }], {}, { too_far_in_future: 1, invalid: 1 }, 0);
  f([{ stream: { a: '1' }, values: [['1', 'old']] }], { rejectOlderThanNs: MIN }, { greater_than_max_sample_age: 1 }, 0);
  // not asked to count: nothing is measured
  const r = decodeLokiPush(Buffer.from(JSON.stringify({ streams: [{ stream: { a: '1' }, values: v('abc') }] })), 'application/json', undefined, 't', L, NOW);
  assert.equal(r.acceptedBytes, 0);
});

test('decodeLokiPush refuses protobuf entries individually', () => {
  const f = (labels: string, wantAccepted: number, wantReasons: string[]): void => {
    const w = protobuf.Writer.create();
    const s = protobuf.Writer.create();
    s.uint32((1 << 3) | 2).string(labels);
    const e = protobuf.Writer.create();
    e.uint32((2 << 3) | 2).string('no timestamp');
    s.uint32((2 << 3) | 2).bytes(e.finish());
    const ts = protobuf.Writer.create().uint32(8).int64(1700000000).finish();
    const e2 = protobuf.Writer.create();
    e2.uint32((1 << 3) | 2).bytes(ts).uint32((2 << 3) | 2).string('fine');
    s.uint32((2 << 3) | 2).bytes(e2.finish());
    w.uint32((1 << 3) | 2).bytes(s.finish());
    const r = decodeLokiPush(snappy.compress(Buffer.from(w.finish())), 'application/x-protobuf', undefined, 't', L, NOW);
    assert.deepEqual(
      r.rejected.map((x) => x.reason),
      wantReasons,
    );
    assert.equal(r.accepted, wantAccepted);
  };
  f('{a="1"}', 1, [`cannot parse entry 0 of stream '{a="1"}': timestamp is missing`]);
  f('{a="1", a="2"}', 0, [`stream '{a="1", a="2"}' has duplicate label name: 'a'`]);
  f('{a=1}', 0, [`Error parsing labels '{a=1}' with error: cannot parse labels "{a=1}": expected quoted label value at position 3`]);
  f('', 0, ['error at least one label pair is required per stream']);
  f('{}', 0, ['error at least one label pair is required per stream']);
});

test('decodeLokiPush throws for undecodable bodies', () => {
  const f = (body: Buffer | string, contentType: string | undefined, contentEncoding: string | undefined, code: string, msg: RegExp): void => {
    assert.throws(
      () => decodeLokiPush(typeof body === 'string' ? Buffer.from(body) : body, contentType, contentEncoding, 't', L, NOW),
      (e: unknown) => e instanceof LogSentinelError && e.code === code && msg.test(e.message),
    );
  };
  const pb = encodeLokiPushProtobuf([{ stream: { a: '1' }, values: [[T1, 'x'.repeat(200)]] }]);
  const raw = snappy.uncompress(pb);
  f('not json', 'application/json', undefined, 'PUSH_INVALID', /^cannot parse loki push request: Unexpected token/);
  f('[1,2]', 'application/json', undefined, 'PUSH_INVALID', /^cannot parse loki push request: expected a JSON object/);
  f('"str"', 'application/json', undefined, 'PUSH_INVALID', /expected a JSON object/);
  f('null', 'application/json', undefined, 'PUSH_INVALID', /expected a JSON object/);
  f('{}', 'application/json', undefined, 'PUSH_INVALID', /^error at least one valid stream is required for ingestion$/);
  f('{"streams":[]}', 'application/json', undefined, 'PUSH_INVALID', /^error at least one valid stream is required for ingestion$/);
  f('{"streams":{}}', 'application/json', undefined, 'PUSH_INVALID', /"streams" must be an array/);
  f('{"streams":[{"stream":{"a":"1"},"values":[["1","x"]]}', 'application/json', undefined, 'PUSH_INVALID', /^cannot parse loki push request/);
  f('{"x":1}', 'text/plain', 'br', 'UNSUPPORTED_MEDIA_TYPE', /^cannot decode loki push request: Content-Encoding "br" not supported$/);
  f('hello', 'text/plain', undefined, 'UNSUPPORTED_MEDIA_TYPE', /^cannot parse loki push request: unsupported Content-Type "text\/plain"/);
  f('not gzip at all', 'application/json', 'gzip', 'PUSH_INVALID', /^cannot decompress loki push request: /);
  f(Buffer.from([0x1f, 0x8b, 8, 0, 0]), 'application/json', undefined, 'PUSH_INVALID', /^cannot decompress loki push request/);
  f('definitely not snappy', 'application/x-protobuf', undefined, 'PUSH_INVALID', /^cannot decompress loki push request: snappy: /);
  f(Buffer.alloc(0), 'application/x-protobuf', undefined, 'PUSH_INVALID', /^cannot decompress loki push request: snappy/);
  f(snappy.compress(Buffer.alloc(0)), 'application/x-protobuf', undefined, 'PUSH_INVALID', /^error at least one valid stream is required/);
  f(pb.subarray(0, pb.length - 20), 'application/x-protobuf', undefined, 'PUSH_INVALID', /^cannot decompress loki push request: snappy/);
  f(snappy.compress(raw.subarray(0, raw.length - 20)), 'application/x-protobuf', undefined, 'PUSH_INVALID', /^cannot parse loki push request: protobuf: /);
  f(snappy.compress(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), 'application/x-protobuf', undefined, 'PUSH_INVALID', /^cannot parse loki push request: protobuf: /);
  f(snappy.compress(Buffer.from([0x0f, 0x01])), 'application/x-protobuf', undefined, 'PUSH_INVALID', /^cannot parse loki push request: protobuf: /);
  f(snappy.compress(Buffer.from('{"streams":[]}')), 'application/x-protobuf', undefined, 'PUSH_INVALID', /^cannot parse loki push request: protobuf: /);
  // size limits: plain body, gzip bomb, snappy declared length
  const small = { ...L, maxDecompressedBodySize: 1000 };
  assert.throws(() => decodeLokiPush(Buffer.alloc(2000, 0x20), 'application/json', undefined, 't', small, NOW), (e: unknown) => e instanceof LogSentinelError && e.code === 'PAYLOAD_TOO_LARGE' && /request body too large: 2000 bytes, limit: 1000 bytes/.test(e.message));
  assert.throws(() => decodeLokiPush(gzipSync(Buffer.alloc(1_000_000, 0x20)), 'application/json', 'gzip', 't', small, NOW), (e: unknown) => e instanceof LogSentinelError && e.code === 'PAYLOAD_TOO_LARGE');
  assert.throws(() => decodeLokiPush(snappy.compress(Buffer.alloc(1_000_000, 1)), 'application/x-protobuf', undefined, 't', small, NOW), (e: unknown) => e instanceof LogSentinelError && e.code === 'PAYLOAD_TOO_LARGE');
  // a 5-byte body claiming 90 MB is refused without allocating it
  f(Buffer.from([0x80, 0x80, 0x80, 0x2b, 0x00]), 'application/x-protobuf', undefined, 'PUSH_INVALID', /declared length does not fit the body/);
});

test('decodeLokiPush survives hostile input', () => {
  const tryDecode = (body: Buffer, ct: string): void => {
    try {
      decodeLokiPush(body, ct, undefined, 't', L, NOW);
    } catch (e) {
      assert.ok(e instanceof LogSentinelError, String(e));
    }
  };
  // deeply nested JSON
  tryDecode(Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)), 'application/json');
  tryDecode(Buffer.from(`{"streams":[{"stream":{"a":"1"},"values":[["1","x",${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}]]}]}`), 'application/json');
  // a 10 MB line: refused by max_line_size, the rest accepted
  const big = 'x'.repeat(10 * 1024 * 1024);
  const r = decodeLokiPush(Buffer.from(encodeLokiPushJson([{ stream: { a: '1' }, values: [[T1, big], [T1, 'small']] }])), 'application/json', undefined, 't', L, NOW);
  assert.equal(r.accepted, 1);
  assert.match(r.rejected[0].reason, /^Max entry size '262144' bytes exceeded for stream '\{a="1"\}' while adding an entry with length '10485760' bytes$/);
  const rp = decodeLokiPush(encodeLokiPushProtobuf([{ stream: { a: '1' }, values: [[T1, big], [T1, 'small']] }]), 'application/x-protobuf', undefined, 't', L, NOW);
  assert.equal(rp.accepted, 1);
  // random and bit-flipped protobuf bodies never crash or hang
  const pb = snappy.uncompress(encodeLokiPushProtobuf([{ stream: { a: '1', b: '2' }, values: [[T1, 'hello', { k: 'v' }], [T1, 'world']] }]));
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(pb);
    b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    tryDecode(snappy.compress(b.subarray(0, Math.floor(rnd() * b.length) + 1)), 'application/x-protobuf');
    const junk = Buffer.alloc(Math.floor(rnd() * 64));
    for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(rnd() * 256);
    tryDecode(junk, 'application/x-protobuf');
    tryDecode(snappy.compress(junk), 'application/x-protobuf');
  }
});

test('formatRejections groups like Loki', () => {
  const f = (reasons: string[], want: string, max?: number): void => {
    assert.equal(formatRejections(reasons.map((reason) => ({ reason })), max), want);
  };
  f([], '');
  f(['a'], 'a');
  f(['a', 'a'], '2 errors like: a');
  f(['a', 'b', 'a'], '2 errors like: a; 1 errors like: b');
  f(['a', 'b', 'c'], '1 errors like: a; 1 errors like: b (and 1 more errors)', 2);
});
