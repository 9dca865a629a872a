/**
 * The real OpenTelemetry JS SDK sends logs to LogSentinel over OTLP/HTTP: `@opentelemetry/sdk-logs`
 * with the JSON exporter (`exporter-logs-otlp-http`) and, separately, the protobuf exporter
 * (`exporter-logs-otlp-proto`, gzip). Known records (severities, attributes, a structured body,
 * a trace context) are emitted, flushed, and read back through LogQL field by field: line,
 * timestamp, level, stream labels and structured metadata. Raw requests then check the
 * partial-success and google.rpc.Status answers over HTTP.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, TraceFlags, trace, type HrTime } from '@opentelemetry/api';
import { SeverityNumber, type LogRecord } from '@opentelemetry/api-logs';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import protobuf from 'protobufjs';
import { startServer, removeDir, type ServerHandle } from './harness.js';

interface Stream {
  stream: Record<string, string>;
  values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]>;
}

interface Entry {
  labels: Record<string, string>;
  ts: string;
  line: string;
  metadata: Record<string, string>;
}

async function query(s: ServerHandle, q: string): Promise<Stream[]> {
  const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: q, since: '10m', limit: '100', direction: 'forward' }), {
    headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
  });
  const body = (await r.json()) as { data: { result: Stream[] } };
  return body.data.result;
}

async function entries(s: ServerHandle, q: string, n: number): Promise<Entry[]> {
  let res: Stream[] = [];
  for (let i = 0; i < 100; i++) {
    res = await query(s, q);
    if (res.reduce((k, x) => k + x.values.length, 0) >= n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return res
    .flatMap((x) => x.values.map((v) => ({ labels: x.stream, ts: v[0], line: v[1], metadata: v[2]?.structuredMetadata ?? {} })))
    .sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : 1));
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const BASE_S = Math.floor(Date.now() / 1000) - 120;

function at(i: number): { hr: HrTime; ns: string } {
  const nanos = 123_456_789 + i * 1000 + 7;
  return { hr: [BASE_S, nanos], ns: String(BigInt(BASE_S) * 1_000_000_000n + BigInt(nanos)) };
}

/** The records every client emits, with what LogSentinel must store for each. */
function cases(): Array<{ rec: LogRecord; line: string; level: string; metadata: Record<string, string> }> {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  return [
    {
      rec: { severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'user signed in', attributes: { 'user.id': 'u-1', 'http.status_code': 200 }, context: ctx },
      line: 'user signed in', level: 'info',
      metadata: { 'user_id': 'u-1', http_status_code: '200', severity_text: 'INFO', severity_number: '9', trace_id: TRACE_ID, span_id: SPAN_ID, flags: '1' },
    },
    {
      rec: { severityNumber: SeverityNumber.WARN2, severityText: 'WARN', body: 'disk almost full', attributes: { 'disk.free_pct': 4.5, mounts: ['/', '/data'] } },
      line: 'disk almost full', level: 'warn',
      metadata: { disk_free_pct: '4.5', mounts: '["/","/data"]', severity_text: 'WARN', severity_number: '14' },
    },
    {
      rec: { severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: { msg: 'payment failed', order: { id: 17, total: 12.5 }, tags: ['a', 'b'] }, attributes: { retryable: false, payment: { provider: 'acme', code: 'E42' } } },
      line: '{"msg":"payment failed","order":{"id":17,"total":12.5},"tags":["a","b"]}', level: 'error',
      metadata: { retryable: 'false', payment_provider: 'acme', payment_code: 'E42', severity_text: 'ERROR', severity_number: '17' },
    },
    {
      rec: { body: 'level=debug msg="cache warmed"', eventName: 'cache.warm' },
      line: 'level=debug msg="cache warmed"', level: 'debug',
      metadata: { event_name: 'cache.warm' },
    },
    {
      rec: { severityNumber: SeverityNumber.FATAL, severityText: 'FATAL', body: 'out of memory' },
      line: 'out of memory', level: 'critical',
      metadata: { severity_text: 'FATAL', severity_number: '21' },
    },
  ];
}

describe('real OpenTelemetry SDK exporters', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  const clients = [
    { name: 'otel-json', exporter: (url: string) => new JsonExporter({ url: url + '/v1/logs' }) },
    {
      name: 'otel-proto',
      exporter: (url: string) => new ProtoExporter({ url: url + '/otlp/v1/logs', compression: 'gzip' as NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>['compression'] }),
    },
  ];
  for (const c of clients) {
    it(`${c.name}: every field reads back through LogQL`, async () => {
      const resource = resourceFromAttributes({
        'service.name': c.name,
        'service.namespace': 'shop',
        'deployment.environment.name': 'e2e',
        'host.name': 'box-1',
        'service.version': '1.2.3',
        'cloud.region': 'eu-west-1',
      });
      const provider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: c.exporter(s.url), scheduledDelayMillis: 50 })] });
      const logger = provider.getLogger('checkout-lib', '2.1.0');
      const want = cases();
      want.forEach((w, i) => logger.emit({ ...w.rec, timestamp: at(i).hr }));
      await provider.forceFlush();
      await provider.shutdown();

      const got = await entries(s, `{service="${c.name}"}`, want.length);
      const labels = { service: c.name, service_namespace: 'shop', deployment_environment: 'e2e', host_name: 'box-1' };
      const common = { service_version: '1.2.3', cloud_region: 'eu-west-1', scope_name: 'checkout-lib', scope_version: '2.1.0' };
      assert.deepEqual(
        got,
        want.map((w, i) => ({ labels, ts: at(i).ns, line: w.line, metadata: { ...common, ...w.metadata, level: w.level, detected_level: w.level } })),
      );

      // level, metadata and labels are all queryable
      const errors = await entries(s, `{service="${c.name}"} | level="error"`, 1);
      assert.deepEqual(errors.map((e) => e.line), [want[2].line]);
      const traced = await entries(s, `{service="${c.name}"} | trace_id="${TRACE_ID}"`, 1);
      assert.deepEqual(traced.map((e) => e.line), ['user signed in']);
      const crit = await entries(s, `{deployment_environment="e2e", service="${c.name}"} | level="critical"`, 1);
      assert.deepEqual(crit.map((e) => e.line), ['out of memory']);
    });
  }
});

describe('OTLP/HTTP answers', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer({ env: { LOGSENTINEL_LIMITS_MAX_LINE_SIZE: '64' } });
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  const now = (): string => String(BigInt(Date.now()) * 1_000_000n);
  const record = (line: string): Record<string, unknown> => ({ timeUnixNano: now(), severityNumber: 9, body: { stringValue: line } });
  const body = (lines: string[]): string =>
    JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'answers' } }] }, scopeLogs: [{ logRecords: lines.map(record) }] }] });

  it('partial success keeps the valid records and names the refused ones', async () => {
    const r = await fetch(s.url + '/v1/logs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(['kept 1', 'x'.repeat(65), 'kept 2']) });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await r.json(), {
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage: "Max entry size '64' bytes exceeded for stream '{service=\"answers\"}' while adding an entry with length '65' bytes",
      },
    });
    const got = await entries(s, '{service="answers"}', 2);
    assert.deepEqual(got.map((e) => e.line), ['kept 1', 'kept 2']);
  });

  it('malformed payloads get 400 with a google.rpc.Status in the request encoding', async () => {
    const j = await fetch(s.url + '/otlp/v1/logs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"zz"}]}]}]}' });
    assert.equal(j.status, 400);
    assert.deepEqual(await j.json(), {
      code: 3,
      message: 'cannot parse OTLP logs request: resourceLogs[0].scopeLogs[0].logRecords[0].traceId: expected 32 hex digits, got "zz"',
    });
    const p = await fetch(s.url + '/v1/logs', { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([0x0a, 0x10, 0x12]) });
    assert.equal(p.status, 400);
    assert.equal(p.headers.get('content-type'), 'application/x-protobuf');
    // decoded with a Status schema written here, independently of the server's
    const Status = protobuf.parse('syntax = "proto3"; message Status { int32 code = 1; string message = 2; }').root.lookupType('Status');
    const st = Status.toObject(Status.decode(new Uint8Array(await p.arrayBuffer()))) as { code: number; message: string };
    assert.equal(st.code, 3);
    assert.match(st.message, /^cannot parse OTLP logs request: protobuf: resource logs overruns its parent/);
    const u = await fetch(s.url + '/v1/logs', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    assert.equal(u.status, 415);
    assert.equal(((await u.json()) as { code: number }).code, 3);
  });
});
