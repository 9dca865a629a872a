import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { LogSentinelError } from '../../errors.js';
import { DEFAULT_INGEST_LIMITS as L, type IngestLimits } from '../common/limits.js';
import { decodeOtlpLogs, otlpFormatOf, type OtlpDecodeOptions } from './decode.js';
import { levelOfSeverityNumber, parseResourceLabels } from './mapping.js';
import { DEFAULT_OTLP_LIMITS, type OtlpLimits } from './model.js';
import { exportLogsResponse, rpcCodeOf, statusBody } from './response.js';
import { ExportLogsServiceResponseType, StatusType } from './schema.js';
import { anyValue, encodeOtlpProtobuf, kv, type OtlpJsonRequest } from './testing/payloads.js';

const NOW = 1700000000000000000n;
const PB = 'application/x-protobuf';
const JSON_CT = 'application/json';
const LABELS = parseResourceLabels(['service.name=service', 'service.namespace', 'deployment.environment.name=env', 'k8s.pod.name']);

interface Got {
  stream: string;
  ts: string;
  line: string;
  level: string;
  metadata?: Record<string, string>;
}

interface Decoded {
  got: Got[];
  rejected: string[];
  rejectedEntries: number;
}

function run(body: Buffer, ct: string, opts: OtlpDecodeOptions = {}, limits: IngestLimits = L, enc?: string): Decoded {
  const r = decodeOtlpLogs(body, ct, enc, 't', limits, NOW, { resourceLabels: LABELS, ...opts });
  const got: Got[] = [];
  for (const s of r.batch.streams) {
    for (const e of s.entries) {
      const g: Got = { stream: s.key, ts: e.ts.toString(), line: e.line, level: e.level };
      if (e.metadata !== undefined) g.metadata = e.metadata;
      got.push(g);
    }
  }
  assert.equal(r.accepted, got.length);
  return { got, rejected: r.rejected.map((x) => `${x.index}: ${x.reason}`), rejectedEntries: r.rejectedEntries };
}

/** Decodes `req` as JSON and as protobuf; both must give the same answer, which is returned. */
function both(req: OtlpJsonRequest, opts: OtlpDecodeOptions = {}, limits: IngestLimits = L): Decoded {
  const j = run(Buffer.from(JSON.stringify(req)), JSON_CT, opts, limits);
  const p = run(encodeOtlpProtobuf(req), PB, opts, limits);
  assert.deepEqual(p, j, 'protobuf and JSON decode alike');
  return j;
}

function one(resource: unknown[], records: unknown[], scope: Record<string, unknown> = {}): OtlpJsonRequest {
  return { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope, logRecords: records }] }] };
}

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

describe('OTLP mapping', () => {
  test('records become entries with labels, metadata, level, line and time', () => {
    const f = (req: OtlpJsonRequest, want: Got[]): void => {
      const r = both(req);
      assert.deepEqual(r.rejected, []);
      assert.deepEqual(r.got, want);
    };
    // the full set of fields
    f(
      one(
        [kv('service.name', 'checkout'), kv('service.namespace', 'shop'), kv('deployment.environment.name', 'prod'), kv('host.arch', 'amd64'), kv('process.pid', 42)],
        [{
          timeUnixNano: '1700000000123456789', observedTimeUnixNano: '1700000000999999999', severityNumber: 17, severityText: 'ERROR',
          body: { stringValue: 'payment failed' }, attributes: [kv('order.id', 'o-17'), kv('retry', true), kv('amount', 12.5)],
          traceId: TRACE.toUpperCase(), spanId: SPAN, flags: 1, eventName: 'payment.failure',
        }],
        { name: 'checkout-lib', version: '2.1.0', attributes: [kv('lib.tier', 'gold')] },
      ),
      [{
        stream: '{env="prod", service="checkout", service_namespace="shop"}', ts: '1700000000123456789', line: 'payment failed', level: 'error',
        metadata: {
          host_arch: 'amd64', process_pid: '42', lib_tier: 'gold', scope_name: 'checkout-lib', scope_version: '2.1.0',
          order_id: 'o-17', retry: 'true', amount: '12.5', severity_text: 'ERROR', severity_number: '17', flags: '1',
          trace_id: TRACE, span_id: SPAN, event_name: 'payment.failure',
        },
      }],
    );
    // no resource label at all → service="unknown_service"; no time → observed time; no body → ''
    f(one([kv('telemetry.sdk.language', 'go')], [{ observedTimeUnixNano: '1699999999000000001' }]), [
      { stream: '{service="unknown_service"}', ts: '1699999999000000001', line: '', level: 'unknown', metadata: { telemetry_sdk_language: 'go' } },
    ]);
    // no time at all → the time of the request; a resource without attributes
    f({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hi' } }] }] }] }, [
      { stream: '{service="unknown_service"}', ts: String(NOW), line: 'hi', level: 'unknown' },
    ]);
    // all-zero ids mean "none"
    f(one([kv('service.name', 'z')], [{ timeUnixNano: '1', traceId: '0'.repeat(32), spanId: '0'.repeat(16), body: { stringValue: 'z' } }]), [
      { stream: '{service="z"}', ts: '1', line: 'z', level: 'unknown' },
    ]);
    // labels without service.name still name the service as unknown; non-string label values as text
    f(one([kv('k8s.pod.name', 'web-1'), kv('service.namespace', 7)], [{ timeUnixNano: '1', body: { stringValue: 'x' } }]), [
      { stream: '{k8s_pod_name="web-1", service="unknown_service", service_namespace="7"}', ts: '1', line: 'x', level: 'unknown' },
    ]);
  });

  test('bodies: a string is the line, anything else is JSON or its text', () => {
    const f = (body: unknown, line: string): void => {
      const r = both(one([kv('service.name', 'b')], [{ timeUnixNano: '5', body }]));
      assert.deepEqual(r.got.map((g) => g.line), [line]);
    };
    f({ stringValue: 'plain text' }, 'plain text');
    f({ stringValue: '' }, '');
    f(anyValue({ msg: 'user login', user: { id: 7, admin: false }, tags: ['a', 'b'] }), '{"msg":"user login","user":{"id":7,"admin":false},"tags":["a","b"]}');
    f(anyValue([1, 'two', 3.5, null]), '[1,"two",3.5,null]');
    f(anyValue(9223372036854775807n), '9223372036854775807');
    f(anyValue({ big: 9223372036854775807n }), '{"big":"9223372036854775807"}');
    f(anyValue(true), 'true');
    f(anyValue(2.25), '2.25');
    f(anyValue(new Uint8Array([1, 2, 255])), 'AQL/');
    f({}, '');
    f(anyValue(JSON.parse('{"__proto__":{"x":1},"a":1}')), '{"__proto__":{"x":1},"a":1}');
  });

  test('levels follow severity_number ranges, then severity_text, then detection', () => {
    const f = (rec: Record<string, unknown>, level: string): void => {
      const r = both(one([kv('service.name', 'lv')], [{ timeUnixNano: '5', ...rec }]));
      assert.equal(r.got[0].level, level, JSON.stringify(rec));
    };
    const ranges: Array<[number, string]> = [
      [1, 'trace'], [4, 'trace'], [5, 'debug'], [8, 'debug'], [9, 'info'], [12, 'info'],
      [13, 'warn'], [16, 'warn'], [17, 'error'], [20, 'error'], [21, 'critical'], [24, 'critical'],
    ];
    for (const [n, l] of ranges) f({ severityNumber: n, body: { stringValue: 'ERROR in text is ignored' }, severityText: 'debug' }, l);
    f({ severityText: 'WARNING', body: { stringValue: 'x' } }, 'warn');
    f({ severityText: 'Fatal' }, 'critical');
    f({ severityNumber: 99, severityText: 'notice' }, 'info');
    f({ severityText: 'custom', body: { stringValue: 'ERROR disk gone' } }, 'error');
    f({ body: { stringValue: 'level=debug msg=x' } }, 'debug');
    f({ attributes: [kv('level', 'warn')], body: { stringValue: 'x' } }, 'warn');
    f({}, 'unknown');
    for (let n = -1; n <= 25; n++) {
      const want = n < 1 || n > 24 ? undefined : ['trace', 'debug', 'info', 'warn', 'error', 'critical'][Math.floor((n - 1) / 4)];
      assert.equal(levelOfSeverityNumber(n), want, String(n));
    }
  });

  test('attributes are flattened, normalised, and later sources win', () => {
    const r = both(
      one(
        [kv('service.name', 'a'), kv('shared', 'resource'), kv('1st', 'x')],
        [{
          timeUnixNano: '5',
          attributes: [
            kv('shared', 'record'), kv('http', { status: 200, req: { method: 'GET', 'h-1': ['x'] } }), kv('list', [1, { a: 1 }]),
            kv('deep', { a: { b: { c: { d: { e: { f: 'g' } } } } } }), kv('empty', null), kv('', 'nameless'), kv('trace_id', 'spoof'), kv('scope.name', 'spoof'),
          ],
          traceId: TRACE,
        }],
        { name: 'real', attributes: [kv('shared', 'scope')] },
      ),
    );
    assert.deepEqual(r.got[0].metadata, {
      shared: 'record', key_1st: 'x', http_status: '200', http_req_method: 'GET', http_req_h_1: '["x"]', list: '[1,{"a":1}]',
      deep_a_b_c_d_e: '{"f":"g"}', trace_id: TRACE, scope_name: 'real',
    });
  });

  test('resource labels follow the configuration', () => {
    assert.deepEqual([...parseResourceLabels(['service.name=service', ' k8s.pod.name ', 'host.name = host', '', '=x', 'a.b=']).entries()], [
      ['service.name', 'service'], ['k8s.pod.name', 'k8s_pod_name'], ['host.name', 'host'], ['a.b', 'a_b'],
    ]);
    const r = both(one([kv('service.name', 's'), kv('host.name', 'h')], [{ timeUnixNano: '5' }]), { resourceLabels: parseResourceLabels(['host.name=host']) });
    assert.deepEqual(r.got.map((g) => [g.stream, g.metadata]), [['{host="h"}', { service_name: 's' }]]);
  });

  test('JSON accepts snake_case names, numbers for int64, enum names, and ignores unknown fields', () => {
    const req = {
      resource_logs: [{
        resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake' } }], dropped_attributes_count: 0 },
        scope_logs: [{
          scope: { name: 'sc' },
          log_records: [
            { time_unix_nano: 1700000000000000000, severity_number: 'SEVERITY_NUMBER_WARN2', body: { int_value: 5 }, trace_id: TRACE, span_id: SPAN, unknown: { x: 1 } },
            { timeUnixNano: '7', severityNumber: '9', body: { doubleValue: 'NaN' }, attributes: [{ key: 'b', value: { bytesValue: 'AQI=' } }, { key: 'n', value: null }] },
          ],
        }],
      }],
      extra: true,
    };
    const r = run(Buffer.from(JSON.stringify(req)), 'application/json; charset=utf-8');
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(r.got, [
      { stream: '{service="snake"}', ts: '1700000000000000000', line: '5', level: 'warn', metadata: { scope_name: 'sc', severity_number: '14', trace_id: TRACE, span_id: SPAN } },
      { stream: '{service="snake"}', ts: '7', line: 'NaN', level: 'info', metadata: { scope_name: 'sc', b: 'AQI=', severity_number: '9' } },
    ]);
  });

  test('JSON int64 numbers past 2^53 keep every digit', () => {
    const text = '{"resourceLogs":[{"scopeLogs":[{"logRecords":[' +
      '{"timeUnixNano": 1700000000123456789 ,"body":{"intValue":-9223372036854775807},"attributes":[{"key":"k","value":{"int_value":9007199254740993}}]},' +
      '{"observedTimeUnixNano":1700000000000000001,"body":{"stringValue":"\\"timeUnixNano\\": 1700000000123456789}"}},' +
      '{"timeUnixNano":1.5e18}]}]}]}';
    const r = run(Buffer.from(text), JSON_CT);
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(r.got.map((g) => [g.ts, g.line, g.metadata?.k]), [
      ['1700000000123456789', '-9223372036854775807', '9007199254740993'],
      ['1700000000000000001', '"timeUnixNano": 1700000000123456789}', undefined],
      ['1500000000000000000', '', undefined],
    ]);
  });

  test('several resources and scopes, gzip, and empty requests', () => {
    const req: OtlpJsonRequest = {
      resourceLogs: [
        { resource: { attributes: [kv('service.name', 'a')] }, scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body: { stringValue: 'a1' } }] }, { scope: { name: 's2' }, logRecords: [{ timeUnixNano: '2', body: { stringValue: 'a2' } }] }] },
        { resource: { attributes: [kv('service.name', 'b')] }, scopeLogs: [{ logRecords: [{ timeUnixNano: '3', body: { stringValue: 'b1' } }] }] },
        { resource: { attributes: [kv('service.name', 'a')] }, scopeLogs: [{ logRecords: [{ timeUnixNano: '4', body: { stringValue: 'a3' } }] }] },
        { resource: { attributes: [kv('service.name', 'c')] }, scopeLogs: [] },
      ],
    };
    const want = [['{service="a"}', 'a1'], ['{service="a"}', 'a2'], ['{service="a"}', 'a3'], ['{service="b"}', 'b1']];
    assert.deepEqual(both(req).got.map((g) => [g.stream, g.line]), want);
    const gz = run(gzipSync(encodeOtlpProtobuf(req)), PB, {}, L, 'gzip');
    assert.deepEqual(gz.got.map((g) => [g.stream, g.line]), want);
    const gzj = run(gzipSync(Buffer.from(JSON.stringify(req))), JSON_CT, {}, L, 'gzip');
    assert.deepEqual(gzj.got.map((g) => [g.stream, g.line]), want);
    for (const [body, ct] of [[Buffer.alloc(0), PB], [Buffer.from('{}'), JSON_CT], [Buffer.from('{"resourceLogs":[]}'), JSON_CT]] as const) {
      assert.deepEqual(run(body, ct), { got: [], rejected: [], rejectedEntries: 0 });
    }
  });
});

describe('OTLP limits refuse records, not requests', () => {
  const small: OtlpLimits = { maxRecordsPerRequest: 5, maxAttributes: 3, maxDepth: 2, maxStringBytes: 16, maxValues: 8 };
  const f = (records: unknown[], wantLines: string[], wantRejected: string[], resource: unknown[] = [kv('service.name', 'lim')], limits: IngestLimits = L): void => {
    const r = both(one(resource, records), { limits: small }, limits);
    assert.deepEqual(r.got.map((g) => g.line), wantLines);
    assert.deepEqual(r.rejected, wantRejected);
    assert.equal(r.rejectedEntries, wantRejected.length === 1 && records.length > 1 && wantLines.length === 0 ? records.length : r.rejectedEntries);
  };
  const rec = (line: string, attrs: unknown[] = []): Record<string, unknown> => ({ timeUnixNano: '5', body: { stringValue: line }, attributes: attrs });
  const at = 'resourceLogs[0].scopeLogs[0].logRecords';

  test('too many attributes, too deep, string too long', () => {
    f([rec('ok'), rec('many', [kv('a', 1), kv('b', 2), kv('c', 3), kv('d', 4)]), rec('ok2')], ['ok', 'ok2'], [
      `1: cannot accept log record 1 of OTLP logs request: ${at}[1] has 4 attributes; limit 3`,
    ]);
    f([rec('deep', [kv('a', [[['x']]])]), rec('ok')], ['ok'], [
      `0: cannot accept log record 0 of OTLP logs request: ${at}[0] nests arrays or kvlists deeper than the limit of 2`,
    ]);
    f([rec('ok', [kv('a', [['x']])])], ['ok'], []);
    f([rec('long', [kv('a', 'x'.repeat(17))]), rec('key', [kv('k'.repeat(17), 'x')]), rec('ok', [kv('a', 'x'.repeat(16))])], ['ok'], [
      `0: cannot accept log record 0 of OTLP logs request: ${at}[0] has a string of 17 bytes; limit 16`,
      `1: cannot accept log record 1 of OTLP logs request: ${at}[1] has a string of 17 bytes; limit 16`,
    ]);
    // values at any depth are counted: the body (1), the array (1) and its elements
    f([{ timeUnixNano: '5', body: anyValue([1, 2, 3, 4, 5, 6]) }, { timeUnixNano: '5', body: anyValue([1, 2, 3, 4, 5, 6, 7]), attributes: [kv('a', 1)] }], ['[1,2,3,4,5,6]'], [
      `1: cannot accept log record 1 of OTLP logs request: ${at}[1] has more than 8 values (attributes, array and kvlist entries); limit 8`,
    ]);
    // the body is limited by maxLineSize, not maxStringBytes; kvlist entries count as attributes
    f([rec('b'.repeat(100))], ['b'.repeat(100)], []);
    f([{ timeUnixNano: '5', body: anyValue({ a: 1, b: 2, c: 3, d: 4 }) }, rec('ok')], ['ok'], [
      `0: cannot accept log record 0 of OTLP logs request: ${at}[0] (a kvlist value) has 4 attributes; limit 3`,
    ]);
  });

  test('resource and scope limits refuse their records', () => {
    f([rec('a'), rec('b')], [], [
      '0: cannot accept log record 0 of OTLP logs request: resourceLogs[0] resource has 4 attributes; limit 3',
      '1: cannot accept log record 1 of OTLP logs request: resourceLogs[0] resource has 4 attributes; limit 3',
    ], [kv('service.name', 'x'), kv('a', 1), kv('b', 1), kv('c', 1)]);
    const r = both({ resourceLogs: [{ scopeLogs: [{ scope: { name: 'n'.repeat(17) }, logRecords: [rec('a')] }, { logRecords: [rec('b')] }] }] }, { limits: small });
    assert.deepEqual(r.got.map((g) => g.line), ['b']);
    assert.deepEqual(r.rejected, ['0: cannot accept log record 0 of OTLP logs request: resourceLogs[0].scopeLogs[0] scope has a string of 17 bytes; limit 16']);
  });

  test('ingest limits apply as for every protocol', () => {
    const lim: IngestLimits = { ...L, maxLineSize: 10, maxLabelValueLength: 8 };
    f([rec('short'), rec('much too long')], ['short'], [
      "1: Max entry size '10' bytes exceeded for stream '{service=\"lim\"}' while adding an entry with length '13' bytes",
    ], undefined, lim);
    const r = both(one([kv('service.name', 'a-very-long-name')], [rec('a'), rec('b')]), {}, lim);
    assert.deepEqual(r.got, []);
    assert.equal(r.rejectedEntries, 2);
    assert.match(r.rejected[0], /has label value too long/);
    const old = both(one([kv('service.name', 'a')], [{ timeUnixNano: String(NOW + 3_600_000_000_000n) }, rec('ok')]));
    assert.deepEqual(old.got.map((g) => g.line), ['ok']);
    assert.match(old.rejected[0], /^0: entry for stream '\{service="a"\}' has timestamp too new/);
  });

  test('more records than the request limit fail the request', () => {
    for (const body of [Buffer.from(JSON.stringify(one([], Array(6).fill(rec('x'))))), encodeOtlpProtobuf(one([], Array(6).fill(rec('x'))))]) {
      const ct = body[0] === 0x7b ? JSON_CT : PB;
      assert.throws(() => run(body, ct, { limits: small }), (e: unknown) => e instanceof LogSentinelError && e.status === 400 && e.message === 'cannot parse OTLP logs request: more than 5 log records; limit 5 per request');
    }
    assert.equal(both(one([], Array(5).fill(rec('x'))), { limits: small }).got.length, 5);
  });
});

describe('OTLP malformed requests', () => {
  const fails = (body: Buffer | string, ct: string | undefined, status: number, message: string | RegExp, enc?: string, limits: IngestLimits = L): void => {
    const b = typeof body === 'string' ? Buffer.from(body) : body;
    assert.throws(
      () => decodeOtlpLogs(b, ct, enc, 't', limits, NOW, {}),
      (e: unknown) => {
        assert.ok(e instanceof LogSentinelError, String(e));
        assert.equal(e.status, status, e.message);
        if (typeof message === 'string') assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      },
      String(body).slice(0, 80),
    );
  };
  const rec = (r: Record<string, unknown>): string => JSON.stringify(one([], [r]));
  const at = 'resourceLogs[0].scopeLogs[0].logRecords[0]';

  test('JSON shapes name the offending path', () => {
    const p = 'cannot parse OTLP logs request: ';
    fails('{"resourceLogs":[', JSON_CT, 400, /^cannot parse OTLP logs request: invalid JSON: /);
    fails('[]', JSON_CT, 400, p + 'body: expected a JSON object with resourceLogs');
    fails('"x"', JSON_CT, 400, p + 'body: expected a JSON object with resourceLogs');
    fails('{"resourceLogs":{}}', JSON_CT, 400, p + 'resourceLogs: expected an array');
    fails('{"resourceLogs":[1]}', JSON_CT, 400, p + 'resourceLogs[0]: expected a resource logs object');
    fails('{"resourceLogs":[{"resource":[]}]}', JSON_CT, 400, p + 'resourceLogs[0].resource: expected an object');
    fails('{"resourceLogs":[{"resource":{"attributes":[1]}}]}', JSON_CT, 400, p + 'resourceLogs[0].resource.attributes[0]: expected a key/value object');
    fails('{"resourceLogs":[{"scopeLogs":[{"logRecords":"x"}]}]}', JSON_CT, 400, p + 'resourceLogs[0].scopeLogs[0].logRecords: expected an array');
    fails('{"resourceLogs":[{"scopeLogs":[{"scope":{"name":5}}]}]}', JSON_CT, 400, p + 'resourceLogs[0].scopeLogs[0].scope.name: expected a string');
    fails(rec({ timeUnixNano: 'soon' }), JSON_CT, 400, p + `${at}.timeUnixNano: expected an integer or a decimal string, got "soon"`);
    fails(rec({ timeUnixNano: '-1' }), JSON_CT, 400, p + `${at}.timeUnixNano: integer -1 out of range`);
    fails(rec({ timeUnixNano: 1.5 }), JSON_CT, 400, p + `${at}.timeUnixNano: expected an integer or a decimal string, got 1.5`);
    fails(rec({ severityNumber: 'LOUD' }), JSON_CT, 400, p + `${at}.severityNumber: expected an integer or a decimal string, got "LOUD"`);
    fails(rec({ traceId: 'xyz' }), JSON_CT, 400, p + `${at}.traceId: expected 32 hex digits, got "xyz"`);
    fails(rec({ spanId: TRACE }), JSON_CT, 400, p + `${at}.spanId: expected 16 hex digits, got "${TRACE}"`);
    fails(rec({ flags: 2 ** 32 }), JSON_CT, 400, p + `${at}.flags: integer 4294967296 out of range`);
    fails(rec({ body: 'text' }), JSON_CT, 400, p + `${at}.body: expected an AnyValue object`);
    fails(rec({ body: { stringValue: 1 } }), JSON_CT, 400, p + `${at}.body.stringValue: expected a string`);
    fails(rec({ body: { boolValue: 'true' } }), JSON_CT, 400, p + `${at}.body.boolValue: expected true or false`);
    fails(rec({ body: { intValue: '1e3' } }), JSON_CT, 400, p + `${at}.body.intValue: expected an integer or a decimal string, got "1e3"`);
    fails(rec({ body: { intValue: '9223372036854775808' } }), JSON_CT, 400, p + `${at}.body.intValue: integer 9223372036854775808 out of range`);
    fails(rec({ body: { doubleValue: 'lots' } }), JSON_CT, 400, p + `${at}.body.doubleValue: expected a number, got "lots"`);
    fails(rec({ body: { bytesValue: '%%' } }), JSON_CT, 400, p + `${at}.body.bytesValue: expected a base64 string`);
    fails(rec({ body: { arrayValue: [] } }), JSON_CT, 400, p + `${at}.body.arrayValue: expected an object`);
    fails(rec({ body: { kvlistValue: { values: {} } } }), JSON_CT, 400, p + `${at}.body.kvlistValue.values: expected an array`);
    fails(rec({ attributes: [{ key: 'k', value: { arrayValue: { values: [7] } } }] }), JSON_CT, 400, p + `${at}.attributes[0].value.arrayValue.values[0]: expected an AnyValue object`);
  });

  test('protobuf errors say what overran or was invalid', () => {
    const good = encodeOtlpProtobuf(one([kv('service.name', 's')], [{ timeUnixNano: '5', body: { stringValue: 'hello' }, traceId: TRACE }]));
    const p = /^cannot parse OTLP logs request: protobuf: /;
    fails(good.subarray(0, good.length - 3), PB, 400, p);
    fails(Buffer.concat([good, Buffer.from([0x0a, 0x05, 0x01])]), PB, 400, p);
    fails(Buffer.from([0x00, 0x01]), PB, 400, 'cannot parse OTLP logs request: protobuf: invalid field number 0 at offset 1');
    fails(Buffer.from([0x0b, 0x0c]), PB, 400, 'cannot parse OTLP logs request: protobuf: unsupported wire type 3 at offset 1');
    fails(Buffer.from([0x0f]), PB, 400, 'cannot parse OTLP logs request: protobuf: unsupported wire type 7 at offset 1');
    fails(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), PB, 400, /protobuf: resource logs overruns its parent/);
    fails(Buffer.from([0x80]), PB, 400, p);
    // a trace id of the wrong length
    const badTrace = encodeOtlpProtobuf(one([], [{ timeUnixNano: '5', traceId: 'abcd' }]));
    fails(badTrace, PB, 400, `cannot parse OTLP logs request: protobuf: ${at}: trace_id must be 16 bytes, got 2`);
    const badSpan = encodeOtlpProtobuf(one([], [{ timeUnixNano: '5', spanId: 'abcd' }]));
    fails(badSpan, PB, 400, `cannot parse OTLP logs request: protobuf: ${at}: span_id must be 8 bytes, got 2`);
    // JSON sent as protobuf is not a valid message
    fails('{"resourceLogs":[]}', PB, 400, p);
  });

  test('content type, encoding and size', () => {
    fails('{}', 'text/plain', 415, 'cannot parse OTLP logs request: unsupported Content-Type "text/plain"; send application/x-protobuf or application/json');
    fails('{}', undefined, 415, /unsupported Content-Type ""/);
    fails('{}', JSON_CT, 415, 'cannot decode OTLP logs request: Content-Encoding "br" not supported', 'br');
    fails('not gzip', JSON_CT, 400, /^cannot decompress OTLP logs request: /, 'gzip');
    fails(gzipSync(Buffer.alloc(2000, 0x20)), JSON_CT, 413, 'cannot decompress OTLP logs request: decompressed body exceeds the limit of 1000 bytes', 'gzip', { ...L, maxDecompressedBodySize: 1000 });
    fails(Buffer.alloc(1001, 0x20), JSON_CT, 413, /request body too large: 1001 bytes, limit: 1000 bytes/, undefined, { ...L, maxDecompressedBodySize: 1000 });
    assert.equal(otlpFormatOf('Application/X-Protobuf; proto=x'), 'protobuf');
    assert.equal(otlpFormatOf('application/json;charset=UTF-8'), 'json');
  });
});

describe('OTLP responses', () => {
  test('ExportLogsServiceResponse and Status in both encodings', () => {
    assert.equal(exportLogsResponse('json', 0, ''), '{}');
    assert.equal((exportLogsResponse('protobuf', 0, '') as Buffer).length, 0);
    assert.equal(exportLogsResponse('json', 3, 'bad'), '{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"bad"}}');
    const pr = ExportLogsServiceResponseType.toObject(ExportLogsServiceResponseType.decode(exportLogsResponse('protobuf', 3, 'bad') as Buffer), { longs: String });
    assert.deepEqual(pr, { partialSuccess: { rejectedLogRecords: '3', errorMessage: 'bad' } });
    assert.equal(statusBody('json', 3, 'nope'), '{"code":3,"message":"nope"}');
    assert.deepEqual(StatusType.toObject(StatusType.decode(statusBody('protobuf', 8, 'full') as Buffer)), { code: 8, message: 'full' });
    const codes: Array<[number, number]> = [[400, 3], [413, 8], [415, 3], [429, 8], [404, 5], [500, 13], [503, 14], [504, 4]];
    for (const [http, rpc] of codes) assert.equal(rpcCodeOf(http), rpc, String(http));
  });

  test('default limits are sane', () => {
    assert.ok(DEFAULT_OTLP_LIMITS.maxDepth >= 8 && DEFAULT_OTLP_LIMITS.maxAttributes >= 128);
  });
});
