/** Operations wired in the running server: periodic retention, structured logs with request ids. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startServer, removeDir } from './harness.js';

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

describe('operations', () => {
  it('retention deletes entries older than the configured period on its interval', async () => {
    const s = await startServer({ env: { LOGSENTINEL_RETENTION_PERIOD: '1h', LOGSENTINEL_RETENTION_INTERVAL: '200ms' } });
    try {
      const old = (nowNs() - 2n * 3_600_000_000_000n).toString();
      const fresh = (nowNs() - 1_000_000_000n).toString();
      const r = await fetch(s.url + '/loki/api/v1/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream: { service: 'ret' }, values: [[old, 'two hours old'], [fresh, 'fresh']] }] }),
      });
      assert.equal(r.status, 204);
      const lines = async (): Promise<string[]> => {
        const q = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{service="ret"}', since: '3h' }));
        const j = (await q.json()) as { data: { result: Array<{ values: string[][] }> } };
        return j.data.result.flatMap((x) => x.values.map((v) => v[1]));
      };
      let got = await lines();
      for (let i = 0; i < 50 && got.length !== 1; i++) {
        await new Promise((res) => setTimeout(res, 100));
        got = await lines();
      }
      assert.deepEqual(got, ['fresh']);
      const metrics = await (await fetch(s.url + '/metrics')).text();
      assert.match(metrics, /^retention_deleted_entries_total [1-9]/m);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });

  it('line filters skip the blocks whose filters rule the needle out, and say so on /metrics', async () => {
    const s = await startServer();
    try {
      // Three blocks of 32,768 lines are sealed; the needle is in the second only.
      const t0 = nowNs() - 600_000_000_000n;
      for (let b = 0; b < 4; b++) {
        const values = Array.from({ length: 32_768 }, (_, i) => [(t0 + BigInt(b * 32_768 + i) * 1000n).toString(), `request ${b}-${i} handled${b === 1 && i === 7 ? ' zq7rare9token' : ''}`]);
        const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { service: 'skip' }, values }] }) });
        assert.equal(r.status, 204);
      }
      const q = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: '{service="skip"} |= "zq7rare9token"', since: '1h', limit: '10' }));
      const j = (await q.json()) as { data: { result: Array<{ values: string[][] }> } };
      assert.deepEqual(j.data.result.flatMap((x) => x.values.map((v) => v[1])), ['request 1-7 handled zq7rare9token']);
      const metrics = await (await fetch(s.url + '/metrics')).text();
      assert.match(metrics, /^storage_line_blocks_total\{result="skipped"\} [2-9]/m);
      assert.match(metrics, /^storage_line_blocks_total\{result="read"\} 1$/m);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });

  it("LogSentinel's own logs are JSON lines carrying the request id", async () => {
    const s = await startServer({ env: { LOGSENTINEL_SERVER_LOG_LEVEL: 'debug' } });
    try {
      const r = await fetch(s.url + '/loki/api/v1/labels', { headers: { 'X-Request-Id': 'req-e2e-42' } });
      assert.equal(r.headers.get('x-request-id'), 'req-e2e-42');
      await r.text();
      let line: Record<string, unknown> | undefined;
      for (let i = 0; i < 50 && !line; i++) {
        line = s
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.reqId === 'req-e2e-42');
        if (!line) await new Promise((res) => setTimeout(res, 50));
      }
      assert.ok(line, 'a log line with the request id');
      assert.equal(line.url, '/loki/api/v1/labels');
      assert.equal(line.status, 200);
      assert.equal(typeof line.time, 'string');
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });

  it('request bodies over the size limit are refused with 413, compressed or not', async () => {
    const s = await startServer({ env: { LOGSENTINEL_SERVER_MAX_REQUEST_BYTES: '64KiB' } });
    try {
      const big = JSON.stringify({ streams: [{ stream: { service: 'big' }, values: [[nowNs().toString(), 'x'.repeat(100_000)]] }] });
      const r1 = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      assert.equal(r1.status, 413);
      assert.match(await r1.text(), /larger than the limit/);
      // A gzip bomb: 20 MB of JSON that compresses to a few KB.
      const bomb = gzipSync(JSON.stringify({ streams: [{ stream: { service: 'bomb' }, values: [[nowNs().toString(), 'a'.repeat(20_000_000)]] }] }));
      assert.ok(bomb.length < 64 * 1024);
      const r2 = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: new Uint8Array(bomb) });
      assert.equal(r2.status, 413, await r2.clone().text());
      assert.match(await r2.text(), /decompress|too large|limit/i);
      assert.equal((await fetch(s.url + '/health/liveness')).status, 200);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });
});
