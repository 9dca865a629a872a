import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeEsBulk, invalidIndexName, newBulkId, EsBulkRequestError, type EsBulkOptions } from './elasticsearch-bulk.js';
import { DEFAULT_INGEST_LIMITS as L, type IngestLimits } from './common/limits.js';
import { LogSentinelError } from '../errors.js';

const NOW = 1700000000000000000n;

interface Got {
  stream: string;
  ts: string;
  line: string;
  level: string;
  metadata?: Record<string, string>;
}

function ids(): () => string {
  let n = 0;
  return () => `id${++n}`;
}

function decode(body: string | Buffer, opts: EsBulkOptions = {}, limits: IngestLimits = L, enc?: string): ReturnType<typeof decodeEsBulk> {
  return decodeEsBulk(typeof body === 'string' ? Buffer.from(body) : body, enc, 't', limits, NOW, { newId: ids(), ...opts });
}

function entries(r: ReturnType<typeof decodeEsBulk>): Got[] {
  const got: Got[] = [];
  for (const s of r.batch.streams) {
    for (const e of s.entries) {
      const w: Got = { stream: s.key, ts: e.ts.toString(), line: e.line, level: e.level };
      if (e.metadata !== undefined) w.metadata = e.metadata;
      got.push(w);
    }
  }
  return got;
}

const nd = (...lines: unknown[]): string => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

test('decodeEsBulk maps documents to time, line, level, labels and metadata', () => {
  const f = (doc: unknown, want: Got, opts: EsBulkOptions = {}, action: unknown = { index: { _index: 'app' } }): void => {
    const r = decode(nd(action, doc), opts);
    assert.deepEqual(r.items.map((i) => [i.status, i.error?.reason]), [[201, undefined]]);
    assert.deepEqual(entries(r), [want]);
  };
  // RFC 3339 @timestamp, message, ECS nested service.name and host.name as labels, log.level
  f(
    { '@timestamp': '2023-11-14T22:13:20.123456789Z', message: 'boom', service: { name: 'api' }, host: { name: 'h1', ip: ['10.0.0.1'] }, log: { level: 'warn' } },
    { stream: '{host_name="h1", index="app", service_name="api"}', ts: '1700000000123456789', line: 'boom', level: 'warn', metadata: { host_ip: '["10.0.0.1"]', log_level: 'warn' } },
  );
  // flat dotted ECS names work the same
  f(
    { '@timestamp': '2023-11-14T22:13:20Z', message: 'x', 'service.name': 'api', 'log.level': 'ERROR' },
    { stream: '{index="app", service_name="api"}', ts: '1700000000000000000', line: 'x', level: 'error', metadata: { log_level: 'ERROR' } },
  );
  // epoch millis, jsonlines label fields, level detected from the message
  f({ '@timestamp': 1700000000123, message: 'WARN slow query', app: 'db', env: 'prod' }, { stream: '{app="db", env="prod", index="app"}', ts: '1700000000123000000', line: 'WARN slow query', level: 'warn' });
  // epoch millis as a string; ISO date without zone is UTC; date only is midnight UTC
  f({ '@timestamp': '1700000000123', message: 'm' }, { stream: '{index="app"}', ts: '1700000000123000000', line: 'm', level: 'unknown' });
  f({ '@timestamp': '2023-11-14T22:13:20.5', message: 'm' }, { stream: '{index="app"}', ts: '1700000000500000000', line: 'm', level: 'unknown' });
  f({ '@timestamp': '2023-11-14', message: 'm' }, { stream: '{index="app"}', ts: '1699920000000000000', line: 'm', level: 'unknown' });
  f({ '@timestamp': '2023-11-14T23:13+01:00', message: 'm' }, { stream: '{index="app"}', ts: '1699999980000000000', line: 'm', level: 'unknown' });
  // no @timestamp → now (+ item position); no message → the source line as sent
  f({ a: 1, level: 'info' }, { stream: '{index="app"}', ts: NOW.toString(), line: '{"a":1,"level":"info"}', level: 'info', metadata: { a: '1' } });
  // a `level` that is no level word stays in metadata, and the message decides
  f({ message: 'ERROR x', level: 'verbose' }, { stream: '{index="app"}', ts: NOW.toString(), line: 'ERROR x', level: 'error', metadata: { level: 'verbose' } });
  // a non-string message is serialised; nested objects flattened; null dropped; booleans kept
  f(
    { message: { text: 'hi' }, http: { request: { method: 'GET' }, status: 200 }, gone: null, ok: true, severity: 'debug' },
    { stream: '{index="app"}', ts: NOW.toString(), line: '{"text":"hi"}', level: 'debug', metadata: { http_request_method: 'GET', http_status: '200', ok: 'true', severity: 'debug' } },
  );
  // the action's _id is kept in metadata; a numeric _id too
  f({ message: 'm' }, { stream: '{index="app"}', ts: NOW.toString(), line: 'm', level: 'unknown', metadata: { _id: 'doc-1' } }, {}, { create: { _index: 'app', _id: 'doc-1' } });
  f({ message: 'm' }, { stream: '{index="app"}', ts: NOW.toString(), line: 'm', level: 'unknown', metadata: { _id: '42' } }, {}, { index: { _index: 'app', _id: 42 } });
  // index from the path; the action's _index wins over it
  f({ message: 'm' }, { stream: '{index="from-path"}', ts: NOW.toString(), line: 'm', level: 'unknown' }, { pathIndex: 'from-path' }, { index: {} });
  f({ message: 'm' }, { stream: '{index="app"}', ts: NOW.toString(), line: 'm', level: 'unknown' }, { pathIndex: 'from-path' });
  // configured fields and label name
  f(
    { ts: '2023-11-14T22:13:20Z', event: { original: 'raw text' }, message: 'other' },
    { stream: '{es_index="app"}', ts: '1700000000000000000', line: 'raw text', level: 'unknown', metadata: { message: 'other' } },
    { timestampField: 'ts', messageField: 'event.original', indexLabel: 'es_index' },
  );
  // data streams: create into logs-*-* is the same
  f({ '@timestamp': '2023-11-14T22:13:20Z', message: 'ds', data_stream: { type: 'logs' } }, {
    stream: '{index="logs-nginx-default"}', ts: '1700000000000000000', line: 'ds', level: 'unknown', metadata: { data_stream_type: 'logs' },
  }, {}, { create: { _index: 'logs-nginx-default' } });
  // 7.x clients' _type and other action parameters are ignored
  f({ message: 'm' }, { stream: '{index="app"}', ts: NOW.toString(), line: 'm', level: 'unknown' }, {}, { index: { _index: 'app', _type: '_doc', routing: 'r', pipeline: 'p' } });
});

test('decodeEsBulk groups by stream, answers items in order and keeps request framing rules', () => {
  const body = nd(
    { index: { _index: 'a' } }, { message: 'one', service: 's1' },
    '',
    { create: { _index: 'b', _id: 'x' } }, { message: 'two' },
    { index: { _index: 'a' } }, { message: 'three', service: 's1' },
  ).replace(/\n$/, ''); // no final newline: accepted
  const r = decode(body);
  assert.deepEqual(r.items.map((i) => [i.op, i.index, i.id, i.status]), [['index', 'a', 'id1', 201], ['create', 'b', 'x', 201], ['index', 'a', 'id2', 201]]);
  assert.equal(r.accepted, 3);
  assert.deepEqual(r.batch.streams.map((s) => [s.key, s.entries.map((e) => e.line)]), [['{index="a", service="s1"}', ['one', 'three']], ['{index="b"}', ['two']]]);
  // identical documents without a time are distinct entries (now + position)
  const same = decode(nd({ index: { _index: 'a' } }, { message: 'ping' }, { index: { _index: 'a' } }, { message: 'ping' }));
  assert.deepEqual(entries(same).map((e) => e.ts), [NOW.toString(), (NOW + 1n).toString()]);
  // CRLF line ends
  assert.equal(decode('{"index":{"_index":"a"}}\r\n{"message":"m"}\r\n').accepted, 1);
  // gzip, with and without Content-Encoding
  const gz = gzipSync(nd({ index: { _index: 'a' } }, { message: 'zipped' }));
  assert.deepEqual(entries(decode(gz, {}, L, 'gzip')).map((e) => e.line), ['zipped']);
  assert.deepEqual(entries(decode(gz)).map((e) => e.line), ['zipped']);
});

test('decodeEsBulk answers per-item errors and stores the other items', () => {
  const f = (action: unknown, source: unknown, want: [number, string, RegExp], opts: EsBulkOptions = {}, limits: IngestLimits = L): void => {
    const lines = source === undefined ? [action] : [action, source];
    const r = decode(nd(...lines, { index: { _index: 'ok' } }, { message: 'kept' }), opts, limits);
    assert.equal(r.items.length, 2);
    const it = r.items[0];
    assert.deepEqual([it.status, it.error?.type], [want[0], want[1]], JSON.stringify(it));
    assert.match(it.error!.reason, want[2]);
    assert.deepEqual(r.items[1].status, 201);
    assert.deepEqual(entries(r).map((e) => e.line), ['kept']);
    assert.equal(r.accepted, 1);
    assert.equal(r.rejectedEntries, 1);
  };
  f({ delete: { _index: 'a', _id: '1' } }, undefined, [400, 'illegal_argument_exception', /^cannot delete document \[1\] in index \[a\]: LogSentinel stores logs append-only/]);
  f({ update: { _index: 'a', _id: '1' } }, { doc: { a: 1 } }, [400, 'illegal_argument_exception', /^cannot update document \[1\]/]);
  f({ index: {} }, { message: 'm' }, [400, 'action_request_validation_exception', /index is missing/]);
  f({ index: { _index: 'Upper' } }, { message: 'm' }, [400, 'invalid_index_name_exception', /Invalid index name \[Upper\], must be lowercase/]);
  f({ index: { _index: 'a*b' } }, { message: 'm' }, [400, 'invalid_index_name_exception', /must not contain '\*'/]);
  f({ index: { _index: '_a' } }, { message: 'm' }, [400, 'invalid_index_name_exception', /must not start with/]);
  f({ index: { _index: 'a', _id: 'x'.repeat(513) } }, { message: 'm' }, [400, 'action_request_validation_exception', /too long, must be no longer than 512 bytes but was: 513/]);
  f({ index: { _index: 'a' } }, 'not json', [400, 'document_parsing_exception', /^\[2:1\] failed to parse: /]);
  f({ index: { _index: 'a' } }, [1, 2], [400, 'document_parsing_exception', /must be a JSON object, found \[START_ARRAY\]/]);
  f({ index: { _index: 'a' } }, '"text"', [400, 'document_parsing_exception', /found \[VALUE_STRING\]/]);
  f({ index: { _index: 'a' } }, { '@timestamp': 'yesterday', message: 'm' }, [400, 'document_parsing_exception', /failed to parse field \[@timestamp\] of type \[date\] in document with id 'id1'/]);
  f({ index: { _index: 'a' } }, { '@timestamp': '2099-01-01T00:00:00Z', message: 'm' }, [400, 'illegal_argument_exception', /has timestamp too new/]);
  let deep: unknown = { leaf: 1 };
  for (let i = 0; i < 25; i++) deep = { n: deep };
  f({ index: { _index: 'a' } }, deep, [400, 'document_parsing_exception', /Limit of mapping depth \[20\] has been exceeded due to object field \[n\.n\.n/]);
  f({ index: { _index: 'a' } }, { a: [[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]] }, [400, 'document_parsing_exception', /Limit of mapping depth/]);
  const wide: Record<string, number> = {};
  for (let i = 0; i < 1001; i++) wide['f' + i] = i;
  f({ index: { _index: 'a' } }, wide, [400, 'illegal_argument_exception', /Limit of total fields \[1000\] has been exceeded/]);
  const many: Record<string, number> = {};
  for (let i = 0; i < 200; i++) many['f' + i] = i;
  f({ index: { _index: 'a' } }, many, [400, 'illegal_argument_exception', /too many structured metadata labels: '200', limit: '128'/]);
  f({ index: { _index: 'a' } }, { message: 'x'.repeat(300) }, [400, 'illegal_argument_exception', /Max entry size '256' bytes exceeded for stream '\{index="a"\}'/], {}, { ...L, maxLineSize: 256 });
  f({ index: { _index: 'a' } }, { message: 'm', huge: Array.from({ length: 20000 }, (_, i) => i) }, [400, 'illegal_argument_exception', /structured metadata too large/]);
  f({ index: { _index: 'a' } }, { message: 'm', service: 'v'.repeat(3000) }, [400, 'illegal_argument_exception', /has label value too long/]);
  f({ index: { _index: 'a' } }, { message: 'm', app: 'new' }, [429, 'es_rejected_execution_exception', /Maximum active stream limit exceeded when trying to create stream \{app="new", index="a"\}/], {
    admitStream: (_id, key) => key === '{index="ok"}',
  });
  // an action without its source at the end of the body
  const r = decode(nd({ index: { _index: 'ok' } }, { message: 'kept' }, { index: { _index: 'a' } }));
  assert.deepEqual(r.items.map((i) => [i.status, i.error?.type]), [[201, undefined], [400, 'action_request_validation_exception']]);
  assert.match(r.items[1].error!.reason, /source is missing for the index action on line 3/);
});

test('decodeEsBulk answers items past maxItems with 429 so clients resend them', () => {
  const lines: unknown[] = [];
  for (let i = 0; i < 5; i++) lines.push({ index: { _index: 'a' } }, { message: 'm' + i });
  const r = decode(nd(...lines), { maxItems: 3 });
  assert.deepEqual(r.items.map((i) => i.status), [201, 201, 201, 429, 429]);
  assert.equal(r.items[3].error!.type, 'es_rejected_execution_exception');
  assert.match(r.items[3].error!.reason, /more than 3 items; send the rest again/);
  assert.equal(r.accepted, 3);
});

test('decodeEsBulk refuses a body that cannot be read as a whole, as Elasticsearch does', () => {
  const f = (body: string | Buffer, status: number, type: string | undefined, reason: RegExp, enc?: string): void => {
    try {
      decode(body, {}, L, enc);
    } catch (err) {
      assert.ok(err instanceof LogSentinelError, String(err));
      assert.equal(err.status, status);
      if (type !== undefined) assert.equal((err as EsBulkRequestError).esType, type);
      assert.match(err.message, reason);
      return;
    }
    assert.fail('expected a refusal of ' + JSON.stringify(body.toString().slice(0, 80)));
  };
  f('', 400, 'action_request_validation_exception', /no requests added/);
  f('\n\n  \n', 400, 'action_request_validation_exception', /no requests added/);
  f('not json\n{}\n', 400, 'parse_exception', /^Malformed action\/metadata line \[1\], cannot parse JSON/);
  f(nd({ index: { _index: 'a' } }, { m: 1 }, '{"index":'), 400, 'parse_exception', /line \[3\]/);
  f(nd({ foo: {} }, {}), 400, 'illegal_argument_exception', /line \[1\], expected one of \[create, delete, index, update\] but found \[foo\]/);
  f(nd({}), 400, 'illegal_argument_exception', /expected FIELD_NAME but found \[END_OBJECT\]/);
  f(nd({ index: {}, create: {} }), 400, 'illegal_argument_exception', /expected END_OBJECT/);
  f(nd({ index: 1 }), 400, 'illegal_argument_exception', /expected START_OBJECT but found \[VALUE_NUMBER\]/);
  f(nd([1]), 400, 'illegal_argument_exception', /expected START_OBJECT but found \[START_ARRAY\]/);
  f(nd({ index: { _index: 5 } }), 400, 'illegal_argument_exception', /field \[_index\] must be a string/);
  f(nd({ index: { _index: 'a', _id: {} } }), 400, 'illegal_argument_exception', /field \[_id\] must be a string/);
  f(Buffer.from([0x1f, 0x8b, 1, 2, 3]), 400, undefined, /cannot decompress elasticsearch bulk request/);
  f('x', 415, undefined, /Content-Encoding "br" not supported/, 'br');
  const big = decodeEsBulk.bind(null, Buffer.alloc(2000, 32), undefined, 't', { ...L, maxDecompressedBodySize: 1000 }, NOW, {});
  assert.throws(big, (err: unknown) => err instanceof LogSentinelError && err.status === 413);
});

test('invalidIndexName follows Elasticsearch rules', () => {
  const f = (name: string, want: string | null): void => assert.equal(invalidIndexName(name), want, name);
  f('logs-nginx-default', null);
  f('.ds-logs', null);
  f('filebeat-8.17.0', null);
  f('', 'must not be empty');
  f('Logs', 'must be lowercase');
  f('a b', "must not contain ' '");
  f('a,b', "must not contain ','");
  f('-a', "must not start with '_', '-', or '+'");
  f('..', "must not be '.' or '..'");
  f('a'.repeat(256), 'index name is too long, (256 > 255)');
});

test('newBulkId makes 20-character URL-safe ids, distinct across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = newBulkId();
    assert.match(id, /^[A-Za-z0-9_-]{20}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 1000);
});
