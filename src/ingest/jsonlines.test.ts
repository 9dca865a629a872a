import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeJsonLines } from './jsonlines.js';
import { DEFAULT_INGEST_LIMITS as L } from './common/limits.js';
import { LogSentinelError } from '../errors.js';

const NOW = 1700000000000000000n;

interface Want {
  stream: string;
  ts: string;
  line: string;
  level: string;
  metadata?: Record<string, string>;
}

function entries(body: string | Buffer, enc?: string, streamFields?: string[]): { got: Want[]; rejected: string[]; accepted: number } {
  const r = decodeJsonLines(typeof body === 'string' ? Buffer.from(body) : body, enc, 't', L, NOW, { streamFields });
  const got: Want[] = [];
  for (const s of r.batch.streams) {
    for (const e of s.entries) {
      const w: Want = { stream: s.key, ts: e.ts.toString(), line: e.line, level: e.level };
      if (e.metadata !== undefined) w.metadata = e.metadata;
      got.push(w);
    }
  }
  return { got, rejected: r.rejected.map((x) => `${x.index}: ${x.reason}`), accepted: r.accepted };
}

test('decodeJsonLines maps fields to time, message, level, labels and metadata', () => {
  const f = (line: string, want: Want, streamFields?: string[]): void => {
    const r = entries(line + '\n', undefined, streamFields);
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(r.got, [want]);
  };
  f('{"_time":"2023-11-14T22:13:20.123456789Z","_msg":"hello","service":"api","env":"prod","trace_id":"t1"}', {
    stream: '{env="prod", service="api"}', ts: '1700000000123456789', line: 'hello', level: 'unknown', metadata: { trace_id: 't1' },
  });
  f('{"timestamp":1700000000,"message":"ERROR boom","app":"x"}', { stream: '{app="x"}', ts: '1700000000000000000', line: 'ERROR boom', level: 'error' });
  f('{"@timestamp":"1700000000123","msg":"m","app":"x"}', { stream: '{app="x"}', ts: '1700000000123000000', line: 'm', level: 'unknown' });
  f('{"time":1700000000123456,"log":"m","app":"x"}', { stream: '{app="x"}', ts: '1700000000123456000', line: 'm', level: 'unknown' });
  f('{"ts":1700000000123456789,"line":"m","app":"x"}', { stream: '{app="x"}', ts: '1700000000123456789', line: 'm', level: 'unknown' });
  f('{"ts":1700000000.5,"msg":"m","app":"x"}', { stream: '{app="x"}', ts: '1700000000500000000', line: 'm', level: 'unknown' });
  // no time → now; no message field → the whole line; no label field → unknown_service
  f('{"a":1}', { stream: '{service_name="unknown_service"}', ts: NOW.toString(), line: '{"a":1}', level: 'unknown', metadata: { a: '1' } });
  // level field wins over the message and stays in metadata
  f('{"msg":"ERROR text","level":"info","app":"x"}', { stream: '{app="x"}', ts: NOW.toString(), line: 'ERROR text', level: 'info', metadata: { level: 'info' } });
  f('{"msg":"x","log":{"level":"warn"},"app":"x"}', { stream: '{app="x"}', ts: NOW.toString(), line: 'x', level: 'warn', metadata: { log_level: 'warn' } });
  // nested objects are flattened, arrays kept as JSON, null dropped, booleans stringified
  f('{"msg":"x","app":"x","http":{"status":500,"req":{"method":"GET"}},"tags":["a","b"],"n":null,"ok":true}', {
    stream: '{app="x"}', ts: NOW.toString(), line: 'x', level: 'unknown',
    metadata: { http_status: '500', http_req_method: 'GET', tags: '["a","b"]', ok: 'true' },
  });
  // _stream_fields chooses the labels; other default label fields become metadata
  f('{"msg":"x","tenant":"acme","app":"y","k8s.pod":"p1"}', {
    stream: '{k8s_pod="p1", tenant="acme"}', ts: NOW.toString(), line: 'x', level: 'unknown', metadata: { app: 'y' },
  }, ['tenant', 'k8s.pod']);
  // a non-string message is serialised
  f('{"message":{"a":1},"app":"x"}', { stream: '{app="x"}', ts: NOW.toString(), line: '{"a":1}', level: 'unknown' });
});

test('decodeJsonLines accepts valid lines and refuses bad ones by line number', () => {
  const body = [
    '{"msg":"one","app":"a"}',
    '',
    'not json',
    '[1,2]',
    '{"msg":"five","app":"a","ts":"yesterday"}',
    '   ',
    '{"msg":"seven","app":"a"}\r',
    '42',
    '{"msg":"nine","app":"a","_time":"2099-01-01T00:00:00Z"}',
  ].join('\n');
  const r = entries(body);
  assert.deepEqual(
    r.got.map((e) => e.line),
    ['one', 'seven'],
  );
  assert.equal(r.accepted, 2);
  assert.deepEqual(r.rejected, [
    `3: cannot parse line 3 of jsonlines request: Unexpected token 'o', "not json" is not valid JSON`,
    '4: cannot parse line 4 of jsonlines request: expected a JSON object',
    '5: cannot parse line 5 of jsonlines request: field "ts": cannot parse timestamp "yesterday": expected RFC 3339 like 2006-01-02T15:04:05.999999999Z',
    '8: cannot parse line 8 of jsonlines request: expected a JSON object',
    `9: entry for stream '{app="a"}' has timestamp too new: 2099-01-01T00:00:00Z`,
  ]);
});

test('decodeJsonLines reads gzip and refuses bad encodings', () => {
  const r = entries(gzipSync('{"msg":"z","app":"a"}\n{"msg":"y","app":"a"}'), 'gzip');
  assert.deepEqual(
    r.got.map((e) => e.line),
    ['z', 'y'],
  );
  assert.throws(
    () => decodeJsonLines(Buffer.from('x'), 'br', 't', L, NOW),
    (e: unknown) => e instanceof LogSentinelError && e.code === 'UNSUPPORTED_MEDIA_TYPE',
  );
  assert.throws(
    () => decodeJsonLines(Buffer.from('x'), 'gzip', 't', L, NOW),
    (e: unknown) => e instanceof LogSentinelError && e.code === 'PUSH_INVALID' && /^cannot decompress jsonlines request/.test(e.message),
  );
  // deeply nested objects do not overflow the stack
  const deep = '{"app":"a","d":' + '{"x":'.repeat(10_000) + '1' + '}'.repeat(10_000) + '}';
  const d = entries(deep);
  assert.equal(d.accepted, 1);
});
