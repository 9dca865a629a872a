/**
 * Real Loki clients from npm push to LogSentinel unchanged: winston-loki over protobuf + snappy
 * and over JSON, and pino-loki over JSON. Each sends known entries; the test reads them back
 * through LogQL and compares lines and levels. Grafana Alloy and Promtail are Go binaries that
 * cannot be installed here: their protobuf batches are rebuilt below from Loki's schema.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { pino } from 'pino';
import { hostname } from 'node:os';
import pinoLoki from 'pino-loki';
import { startServer, removeDir, type ServerHandle } from './harness.js';

interface Stream {
  stream: Record<string, string>;
  values: Array<[string, string]>;
}

async function query(s: ServerHandle, q: string): Promise<Stream[]> {
  const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: q, since: '10m', limit: '100', direction: 'forward' }));
  const body = (await r.json()) as { data: { result: Stream[] } };
  return body.data.result;
}

async function waitFor(s: ServerHandle, q: string, n: number): Promise<Stream[]> {
  for (let i = 0; i < 100; i++) {
    const res = await query(s, q);
    if (res.reduce((k, x) => k + x.values.length, 0) >= n) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
  return query(s, q);
}

/** (level label, line) pairs, in time order. */
function entries(res: Stream[]): Array<[string, string]> {
  return res
    .flatMap((x) => x.values.map((v) => ({ ts: BigInt(v[0]), level: x.stream.level, line: v[1] })))
    .sort((a, b) => (a.ts < b.ts ? -1 : 1))
    .map((e) => [e.level, e.line]);
}

describe('real Loki clients', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  for (const json of [false, true]) {
    it(`winston-loki (${json ? 'JSON' : 'protobuf + snappy'})`, async () => {
      const app = json ? 'winston-json' : 'winston-proto';
      const transport = new LokiTransport({ host: s.url, labels: { app }, json, batching: true, interval: 0.1, replaceTimestamp: false });
      const logger = winston.createLogger({ transports: [transport], format: winston.format.simple() });
      logger.info('user signed in');
      await new Promise((r) => setTimeout(r, 5));
      logger.warn('disk almost full');
      await new Promise((r) => setTimeout(r, 5));
      logger.error('payment failed');
      await transport.flush();
      const res = await waitFor(s, `{app="${app}"}`, 3);
      const got = entries(res);
      assert.deepEqual(got.map((e) => e[0]), ['info', 'warn', 'error']);
      // winston-loki appends the remaining meta as JSON to the message; the line is kept as sent.
      assert.deepEqual(got.map((e) => e[1]), ['user signed in {"level":"info"}', 'disk almost full {"level":"warn"}', 'payment failed {"level":"error"}']);
      // Loki's own level label from the client is a stream label here, and LogQL sees it.
      const errors = await query(s, `{app="${app}", level="error"}`);
      assert.equal(errors.length, 1);
      logger.close();
    });
  }

  it('pino-loki (JSON)', async () => {
    const stream = pinoLoki({ host: s.url, batching: false, labels: { app: 'pino' } });
    const logger = pino({ level: 'debug' }, stream);
    logger.debug('cache warmed');
    logger.info({ order: 17 }, 'order placed');
    logger.fatal('database unreachable');
    const res = await waitFor(s, '{app="pino"}', 3);
    const got = entries(res);
    assert.equal(got.length, 3);
    const lines = got.map((e) => JSON.parse(e[1]) as { msg: string; order?: number });
    assert.deepEqual(lines.map((l) => l.msg), ['cache warmed', 'order placed', 'database unreachable']);
    assert.equal(lines[1].order, 17);
    const crit = await query(s, '{app="pino"} | json | msg="database unreachable"');
    assert.equal(crit.length, 1);
    // pino-loki sends the level as a stream label (fatal → "critical") and the host name; the
    // label is matched as sent, and is also the entry's `detected_level` (as Loki 3 takes it).
    const fatal = await query(s, '{app="pino", level="critical"}');
    assert.deepEqual(fatal.map((x) => x.stream), [{ app: 'pino', hostname: hostname(), level: 'critical', detected_level: 'critical' }]);
    const r = await fetch(s.url + '/logs/query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ level: 'critical', since: '10m' }) });
    const found = (await r.json()) as { data: { entries: Array<{ line: string; level: string }> } };
    assert.deepEqual(found.data.entries.map((e) => [JSON.parse(e.line).msg, e.level]), [['database unreachable', 'critical']]);
  });
});

/**
 * Grafana Alloy's `loki.write` and Promtail send one snappy-compressed `logproto.PushRequest`
 * per batch: several streams, labels as Prometheus text (escaped quotes, any UTF-8), the stream
 * `hash` set, entries with structured metadata, a tenant header. This batch is encoded with a
 * schema written here from Loki's push.proto and compressed by the native `snappy` package (the
 * same block format as Go's), independently of LogSentinel's own encoder and decoder.
 */
describe('Alloy / Promtail protobuf batches', () => {
  const SCHEMA = `
    syntax = "proto3";
    package logproto;
    message PushRequest { repeated StreamAdapter streams = 1; }
    message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
    message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
    message LabelPairAdapter { string name = 1; string value = 2; }
    message Timestamp { int64 seconds = 1; int32 nanos = 2; }`;
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('a multi-stream batch with structured metadata and escaped labels reads back field for field', async () => {
    const protobuf = (await import('protobufjs')).default;
    const snappy = await import('snappy');
    const PushRequest = protobuf.parse(SCHEMA).root.lookupType('logproto.PushRequest');
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const ts = (i: number): { seconds: number; nanos: number } => {
      const ns = base + BigInt(i) * 1_000_123n;
      return { seconds: Number(ns / 1_000_000_000n), nanos: Number(ns % 1_000_000_000n) };
    };
    const want: Array<{ labels: Record<string, string>; ns: bigint; line: string; meta: Record<string, string> }> = [];
    const streams: Array<{ labels: Record<string, string>; n: number }> = [
      { labels: { job: 'alloy/app', namespace: 'shop', pod: 'checkout-7d9f', container: 'app', level: 'info' }, n: 200 },
      { labels: { job: 'alloy/app', namespace: 'shop', pod: 'checkout-7d9f', container: 'app', level: 'error' }, n: 50 },
      { labels: { job: 'varlogs', filename: '/var/log/"quoted" dir/ünï.log', level: 'warn' }, n: 20 },
    ];
    let i = 0;
    const msg = {
      streams: streams.map((st, k) => {
        const labelText = '{' + Object.entries(st.labels).map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(', ') + '}';
        const entries = [];
        // Promtail sends entries of a stream in time order, but batches may interleave streams.
        for (let j = 0; j < st.n; j++, i++) {
          const t = ts(i * 3 + k);
          const line = `${st.labels.level} ${k}:${j} order=${1000 + j} took=${j % 17}ms "quoted" ✓`;
          const meta: Record<string, string> = j % 3 === 0 ? { trace_id: `4bf92f3577b34da6a3ce929d0e0e${String(4700 + j).padStart(4, '0')}`, span_id: '00f067aa0ba902b7' } : {};
          entries.push({ timestamp: t, line, structuredMetadata: Object.entries(meta).map(([name, value]) => ({ name, value })) });
          // The stream's `level` label is also the entry's `detected_level` metadata (Loki 3).
          want.push({ labels: st.labels, ns: BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanos), line, meta: { ...meta, detected_level: st.labels.level } });
        }
        return { labels: labelText, entries, hash: 1234567 + k };
      }),
    };
    const body = snappy.compressSync(Buffer.from(PushRequest.encode(PushRequest.fromObject(msg)).finish()));
    const r = await fetch(s.url + '/loki/api/v1/push', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf', 'User-Agent': 'Alloy/v1.9.0 (linux; binary)', 'X-Scope-OrgID': 'alloy-tenant' },
      body: new Uint8Array(body),
    });
    assert.equal(r.status, 204, await r.text());

    const q = await fetch(
      s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{job=~".+"}', since: '10m', limit: '1000', direction: 'forward' }),
      { headers: { 'X-Scope-OrgID': 'alloy-tenant', 'X-Loki-Response-Encoding-Flags': 'categorize-labels' } },
    );
    assert.equal(q.status, 200);
    const res = (await q.json()) as { data: { result: Array<{ stream: Record<string, string>; values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]> }> } };
    const got = res.data.result
      .flatMap((x) => x.values.map((v) => ({ labels: x.stream, ns: BigInt(v[0]), line: v[1], meta: v[2]?.structuredMetadata ?? {} })))
      .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    want.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    assert.equal(got.length, want.length);
    assert.deepEqual(got, want);
  });
});
