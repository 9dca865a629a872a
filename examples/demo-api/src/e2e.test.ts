/**
 * End to end: the demo ships its logs with pino-loki to a real LogSentinel (started by the
 * repository's e2e harness), and they come back through LogQL by request id, at their levels.
 * Needs the repository root's dependencies (LogSentinel itself); without them it is skipped.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startServer, removeDir, type ServerHandle } from '../../../test/e2e/harness.js';
import { createLogs } from './logger.js';
import { startService } from './service.js';
import { ERROR_CATALOGUE } from './errors.js';
import { collectLines, eventually } from './testing/collect.js';

interface Stream {
  stream: Record<string, string>;
  values: Array<[string, string]>;
}

const rootInstalled = existsSync(join(ROOT, 'node_modules', '@duckdb')) && existsSync(join(ROOT, 'src', 'main.ts'));

async function queryRange(s: ServerHandle, query: string): Promise<Stream[]> {
  const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query, since: '10m', limit: '100', direction: 'forward' }));
  const body = (await r.json()) as { status: string; data: { result: Stream[] } };
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.data.result;
}

/**
 * Lines for one request id with their stream labels, ordered by message: lines of one request
 * often share a millisecond (pino's resolution) and then their order is not defined.
 */
async function byRequestId(s: ServerHandle, id: string, n: number): Promise<Array<{ labels: Record<string, string>; line: Record<string, unknown> }>> {
  const query = `{service="demo-api"} | json | request_id="${id}"`;
  const flat = async (): Promise<Array<{ labels: Record<string, string>; line: Record<string, unknown> }>> =>
    (await queryRange(s, query))
      .flatMap((x) => x.values.map((v) => ({ labels: x.stream, line: JSON.parse(v[1]) as Record<string, unknown> })))
      .sort((a, b) => String(a.line.msg).localeCompare(String(b.line.msg)));
  return eventually(async () => {
    const got = await flat();
    return got.length >= n ? got : undefined;
  }, `${n} lines for ${query}`);
}

describe('demo API → LogSentinel (end to end)', { skip: rootInstalled ? false : 'LogSentinel is not installed at the repository root (run npm install there); the root test run covers this' }, () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.stop();
    if (s !== undefined) removeDir(s.dataDir);
  });

  it('ships the lines of each request, queryable by request_id, with database_error at level error', async () => {
    const out = collectLines();
    const logs = createLogs({ logLevel: 'info', serviceName: 'demo-api', logsentinelUrl: s.url + '/', auth: { kind: 'none' }, batchIntervalSeconds: 0.2 }, { stdout: out });
    let draw = 0.5;
    const service = await startService({ port: 0, host: '127.0.0.1', serviceName: 'demo-api', logsentinelUrl: s.url + '/', auth: { kind: 'none' } }, logs, {
      random: () => draw,
      sleep: () => Promise.resolve(),
    });
    const call = async (path: string, id: string, init: RequestInit = {}): Promise<number> => {
      const r = await fetch(service.url + path, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-request-id': id } });
      await r.arrayBuffer();
      assert.equal(r.headers.get('x-request-id'), id);
      return r.status;
    };
    assert.equal(await call('/api/users', 'e2e-users-ok'), 200);
    draw = 0.01;
    assert.equal(await call('/api/users', 'e2e-users-db-error'), 500);
    draw = 0.5;
    assert.equal(await call('/api/echo', 'e2e-echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' }), 200);
    assert.equal(await call('/api/error?type=client', 'e2e-client-error'), 400);
    await service.stop('test over');

    const f = async (id: string, want: Array<{ level: string; msg: string; status: number }>): Promise<Array<{ labels: Record<string, string>; line: Record<string, unknown> }>> => {
      const got = await byRequestId(s, id, want.length);
      assert.deepEqual(
        got.map((g) => ({ level: g.line.level, msg: g.line.msg, status: g.line.status })),
        want,
        id,
      );
      for (const g of got) {
        assert.equal(g.line.request_id, id);
        assert.equal(g.labels.service, 'demo-api');
      }
      return got;
    };
    await f('e2e-users-ok', [{ level: 'info', msg: 'request completed', status: 200 }]);
    const db = await f('e2e-users-db-error', [
      { level: 'error', msg: ERROR_CATALOGUE.database_error.message, status: 500 },
      { level: 'info', msg: 'request completed', status: 500 },
    ]);
    assert.equal(db[0].line.error_type, 'database_error');
    // The stream LogSentinel stored the error line in is labelled error (from pino-loki's
    // level label, which the level map keeps in step with pino's level names).
    assert.equal(db[0].labels.level, 'error');
    assert.equal(db[1].labels.level, 'info');
    await f('e2e-echo', [{ level: 'info', msg: 'request completed', status: 200 }]);
    await f('e2e-client-error', [
      { level: 'warn', msg: ERROR_CATALOGUE.client_error.message, status: 400 },
      { level: 'info', msg: 'request completed', status: 400 },
    ]);

    // LogSentinel's own level filter finds the database_error among the service's error lines.
    const r = await fetch(s.url + '/logs/query', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'demo-api', level: 'error', contains: 'e2e-users-db-error', since: '10m' }),
    });
    const found = (await r.json()) as { data: { entries: Array<{ line: string; level: string; labels: Record<string, string> }> } };
    assert.deepEqual(
      found.data.entries.map((e) => [e.level, (JSON.parse(e.line) as { error_type?: string }).error_type]),
      [['error', 'database_error']],
    );
    // The label set stays small: service plus what pino-loki adds, and the detected_level every
    // entry carries as structured metadata (as Loki 3 shows it).
    const streams = await queryRange(s, '{service="demo-api"}');
    for (const st of streams) assert.deepEqual(Object.keys(st.stream).sort(), ['detected_level', 'hostname', 'level', 'service'], JSON.stringify(st.stream));
  });
});
