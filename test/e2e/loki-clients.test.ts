/**
 * Real Loki clients from npm push to LogSentinel unchanged: winston-loki over protobuf + snappy
 * and over JSON, and pino-loki over JSON. Each sends known entries; the test reads them back
 * through LogQL and compares lines and levels.
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
    // label is matched as sent.
    const fatal = await query(s, '{app="pino", level="critical"}');
    assert.deepEqual(fatal.map((x) => x.stream), [{ app: 'pino', hostname: hostname(), level: 'critical' }]);
    const r = await fetch(s.url + '/logs/query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ level: 'critical', since: '10m' }) });
    const found = (await r.json()) as { data: { entries: Array<{ line: string; level: string }> } };
    assert.deepEqual(found.data.entries.map((e) => [JSON.parse(e.line).msg, e.level]), [['database unreachable', 'critical']]);
  });
});
