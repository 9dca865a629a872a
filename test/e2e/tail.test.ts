/**
 * Live tail end to end over a real WebSocket (the `ws` client, as logcli and Grafana connect):
 * the embedded server, and — against a real Redis and PostgreSQL — a tail on a query pod that
 * receives lines pushed to an ingest pod and committed by a process pod.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import WebSocket from 'ws';
import { removeDir, startServer, type ServerHandle } from './harness.js';
import { deletePrefix, redisUnavailable, TEST_REDIS_URL, uniquePrefix } from '../../src/queue/redis-streams/testing/test-redis.js';
import { postgresUnavailable, TEST_POSTGRES_URL } from '../../src/storage/postgres/testing/test-postgres.js';

interface TailMessage {
  streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>;
  dropped_entries: unknown;
}

/** Opens a tail and collects its messages; `opened` resolves once the socket is open. */
function openTail(base: string, query: string, tenant?: string): { messages: TailMessage[]; opened: Promise<void>; close: () => void; ws: WebSocket } {
  const url = `${base.replace(/^http/, 'ws')}/loki/api/v1/tail?${new URLSearchParams({ query })}`;
  const ws = new WebSocket(url, { headers: tenant ? { 'X-Scope-OrgID': tenant } : {} });
  const messages: TailMessage[] = [];
  ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString()) as TailMessage));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { messages, opened, close: () => ws.close(), ws };
}

function lines(messages: TailMessage[]): string[] {
  return messages.flatMap((m) => m.streams.flatMap((s) => s.values.map((v) => v[1])));
}

async function eventually<T>(f: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs}ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function push(base: string, values: string[][], tenant?: string, service = 't'): Promise<void> {
  const r = await fetch(base + '/loki/api/v1/push', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(tenant ? { 'X-Scope-OrgID': tenant } : {}) },
    body: JSON.stringify({ streams: [{ stream: { service }, values }] }),
  });
  assert.equal(r.status, 204, await r.text());
}

describe('live tail (embedded)', () => {
  let server: ServerHandle;
  after(async () => {
    if (server) {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  it('sends exactly the matching live lines in Loki tail messages', { timeout: 60_000 }, async () => {
    server = await startServer();
    const tail = openTail(server.url, '{service="t"} |= "keep"');
    await tail.opened;
    const t0 = BigInt(Date.now()) * 1_000_000n;
    await push(server.url, [
      [t0.toString(), 'keep one'],
      [(t0 + 1n).toString(), 'drop one'],
      [(t0 + 2n).toString(), 'keep two'],
    ]);
    await push(server.url, [[(t0 + 3n).toString(), 'keep other service']], undefined, 'u');
    await push(server.url, [[(t0 + 4n).toString(), 'keep other tenant']], 'other');
    await eventually(() => (lines(tail.messages).length >= 2 ? true : undefined), 'both matching lines arrived');
    // Give anything that should not come a chance to arrive.
    await new Promise((r) => setTimeout(r, 500));
    tail.close();
    assert.deepEqual(lines(tail.messages), ['keep one', 'keep two']);
    for (const m of tail.messages) {
      assert.deepEqual(Object.keys(m).sort(), ['dropped_entries', 'streams']);
      assert.equal(m.dropped_entries, null);
      // As in query_range, the detected level shows as the label `level` and as `detected_level`.
      for (const s of m.streams) assert.deepEqual(s.stream, { service: 't', level: 'unknown', detected_level: 'unknown' });
    }
    const values = tail.messages.flatMap((m) => m.streams.flatMap((s) => s.values));
    assert.deepEqual(values, [
      [t0.toString(), 'keep one'],
      [(t0 + 2n).toString(), 'keep two'],
    ]);

    // A new tail starts with the last matching entries from storage.
    const again = openTail(server.url, '{service="t"} |= "keep"');
    await again.opened;
    await eventually(() => (lines(again.messages).length >= 2 ? true : undefined), 'past entries arrived');
    again.close();
    assert.deepEqual(lines(again.messages), ['keep one', 'keep two']);
    assert.deepEqual(again.messages[0].streams[0].stream, { service: 't', level: 'unknown', detected_level: 'unknown' }, 'the same labels as live entries');

    // Browsers cannot set X-Scope-OrgID on a WebSocket: the orgId parameter names the tenant.
    const url = `${server.url.replace(/^http/, 'ws')}/loki/api/v1/tail?${new URLSearchParams({ query: '{service="t"}', orgId: 'other' })}`;
    const ws = new WebSocket(url);
    const got: TailMessage[] = [];
    ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as TailMessage));
    await eventually(() => (lines(got).length >= 1 ? true : undefined), "the other tenant's entry arrived");
    ws.close();
    assert.deepEqual(lines(got), ['keep other tenant']);
  });

  it('refuses a bad query or delay_for before the upgrade', { timeout: 30_000 }, async () => {
    for (const q of ['query=' + encodeURIComponent('{service="t"'), 'query=' + encodeURIComponent('{service="t"}') + '&delay_for=6', '']) {
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/loki/api/v1/tail?${q}`);
      const status = await new Promise<number>((resolve, reject) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => reject(new Error(`tail with ${q} was accepted`)));
        ws.once('error', () => undefined);
      });
      ws.terminate();
      assert.equal(status, 400, q);
    }
  });
});

const clusterSkip = (await redisUnavailable()) ?? (await postgresUnavailable());

describe('live tail across pods', { skip: clusterSkip }, () => {
  const prefix = uniquePrefix('tail');
  const schema = prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase();
  const env = {
    LOGSENTINEL_QUEUE_REDIS_URL: TEST_REDIS_URL,
    LOGSENTINEL_QUEUE_REDIS_PREFIX: prefix,
    LOGSENTINEL_QUEUE_REDIS_BLOCK: '200ms',
    LOGSENTINEL_STORAGE_POSTGRES_URL: TEST_POSTGRES_URL,
    LOGSENTINEL_STORAGE_POSTGRES_SCHEMA: schema,
  };
  const servers: ServerHandle[] = [];
  after(async () => {
    for (const s of servers) {
      await s.stop();
      removeDir(s.dataDir);
    }
    await deletePrefix(TEST_REDIS_URL, prefix);
    const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  it('a tail on the query pod receives lines pushed to the ingest pod', { timeout: 90_000 }, async () => {
    const start = async (command: string): Promise<ServerHandle> => {
      const s = await startServer({ command, env });
      servers.push(s);
      return s;
    };
    const ingest = await start('ingest');
    await start('process');
    const query = await start('query');
    const tail = openTail(query.url, '{service="t"} |= "keep"', 'team-t');
    await tail.opened;
    // The query pod subscribes to the tenant's channel asynchronously; push until a line arrives.
    const t0 = BigInt(Date.now()) * 1_000_000n;
    let i = 0;
    await eventually(async () => {
      await push(ingest.url, [[(t0 + BigInt(i * 2)).toString(), `keep ${i}`], [(t0 + BigInt(i * 2 + 1)).toString(), `drop ${i}`]], 'team-t');
      i++;
      await new Promise((r) => setTimeout(r, 300));
      return lines(tail.messages).length > 0 ? true : undefined;
    }, 'a pushed line reached the tail', 30_000);
    await new Promise((r) => setTimeout(r, 500));
    tail.close();
    const got = lines(tail.messages);
    assert.ok(got.every((l) => l.startsWith('keep ')), `only matching lines: ${JSON.stringify(got)}`);
    assert.equal(new Set(got).size, got.length, 'no line twice');
    assert.equal(got.at(-1), `keep ${i - 1}`, 'the last pushed matching line arrived');
  });
});
