/**
 * Log patterns end to end (docs/patterns.md): lines of known templates pushed over Loki's push
 * API come back from `GET /loki/api/v1/patterns` in Loki's shape, each template recovered with
 * `<_>` at its variable positions; a recovered pattern works as a `|>` line filter; bad requests
 * get a 400; with `patterns.enabled: false` the endpoint answers 501; and the new-pattern alert
 * reaches a webhook once per new error pattern.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getJson, removeDir, startServer, type ServerHandle } from './harness.js';

const TEMPLATES = ['user <_> logged in from <_>', 'level=info msg="request done" status=<_> duration=<_>', 'cache miss for key <_>'];

function fill(t: string, i: number): string {
  let k = 0;
  return t.replace(/<_>/g, () => (k++ % 2 === 0 ? String(1000 + ((i * 7919) % 9000)) : `v${(i * 31) % 97}x`));
}

async function push(s: ServerHandle, labels: Record<string, string>, lines: string[], tsMs = Date.now()): Promise<void> {
  const values = lines.map((l, i) => [String(BigInt(tsMs) * 1_000_000n + BigInt(i)), l]);
  const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: labels, values }] }) });
  assert.equal(r.status, 204, await r.text());
}

/** Polls until `f` returns a value (mining runs after the acknowledgement). */
async function eventually<T>(f: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('patterns API', () => {
  let s: ServerHandle;
  let hook: Server;
  const received: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }> = [];
  before(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(...(JSON.parse(body) as { alerts: typeof received }).alerts);
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as AddressInfo).port;
    s = await startServer({
      env: {
        LOGSENTINEL_ALERTING_WEBHOOK_URLS: `http://127.0.0.1:${port}/hook`,
        LOGSENTINEL_PATTERNS_ALERT_ENABLED: 'true',
        LOGSENTINEL_PATTERNS_ALERT_LEARN_FOR: '0s',
        LOGSENTINEL_ALERTING_CRITICAL_ENABLED: 'false',
        // Exact counts: no sampling, however busy the test machine is.
        LOGSENTINEL_PATTERNS_MAX_CPU_SHARE: '0',
      },
    });
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
    hook.close();
  });

  it("answers Loki's shape with every template recovered", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(fill(TEMPLATES[i % TEMPLATES.length], i));
    const t0 = Date.now();
    await push(s, { app: 'pat', env: 'e2e' }, lines, t0);
    await push(s, { app: 'other' }, ['unrelated line 1', 'unrelated line 2'], t0);
    const params = { query: '{app="pat"}', start: String(t0 - 60_000), end: String(t0 + 60_000), step: '10s' };
    const body = await eventually(async () => {
      const r = await getJson(s, '/loki/api/v1/patterns', { ...params, start: `${t0 - 60_000}000000`, end: `${t0 + 60_000}000000` });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const total = (r.body.data as Array<{ samples: Array<[number, number]> }>).reduce((n, d) => n + d.samples.reduce((k, x) => k + x[1], 0), 0);
      return total === 300 ? r.body : undefined;
    }, 'all 300 lines mined');
    assert.equal(body.status, 'success');
    assert.deepEqual(body.data.map((d: { pattern: string }) => d.pattern).sort(), [...TEMPLATES].sort());
    for (const d of body.data) {
      assert.deepEqual(Object.keys(d).sort(), ['level', 'pattern', 'samples']);
      assert.equal(d.level, d.pattern.startsWith('level=info') ? 'info' : 'unknown');
      for (const [ts, n] of d.samples) {
        assert.ok(Number.isInteger(ts) && ts % 10 === 0 && Math.abs(ts - t0 / 1000) < 70, `timestamp ${ts} is whole seconds on the step`);
        assert.ok(Number.isInteger(n) && n > 0);
      }
      assert.equal(d.samples.reduce((k: number, x: [number, number]) => k + x[1], 0), 100);
    }
    // A recovered pattern is a working line filter.
    const q = await getJson(s, '/loki/api/v1/query_range', { query: `{app="pat"} |> ${JSON.stringify(TEMPLATES[0])}`, start: `${t0 - 60_000}000000`, end: `${t0 + 60_000}000000`, limit: '1000' });
    assert.equal(q.status, 200);
    assert.equal(q.body.data.result.reduce((n: number, r: { values: unknown[] }) => n + r.values.length, 0), 100);
  });

  it('refuses bad requests with a 400 naming the problem', async () => {
    const f = async (params: Record<string, string>, want: RegExp): Promise<void> => {
      const r = await getJson(s, '/loki/api/v1/patterns', params);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(String(r.body), want);
    };
    await f({}, /parameter query is required/);
    await f({ query: 'count_over_time({app="pat"}[1m])' }, /stream selector/);
    await f({ query: '{app=' }, /parse error/);
    await f({ query: '{app="pat"}', step: 'x' }, /step/);
  });

  it('fires the new-pattern alert once per new error pattern', async () => {
    const t0 = Date.now();
    await push(s, { app: 'alerting' }, ['level=error msg="db timeout" after=30s', 'level=error msg="db timeout" after=31s', 'level=info msg="started"'], t0);
    await push(s, { app: 'alerting' }, ['level=error msg="db timeout" after=32s', 'level=error msg="disk full" device=sda1'], t0 + 1);
    const got = await eventually(async () => {
      const mine = received.filter((a) => a.labels.app === 'alerting');
      return mine.length >= 2 ? mine : undefined;
    }, 'two alerts');
    await new Promise((r) => setTimeout(r, 500));
    const mine = received.filter((a) => a.labels.app === 'alerting');
    assert.equal(mine.length, 2, JSON.stringify(mine));
    assert.deepEqual(got.map((a) => [a.status, a.labels.alertname, a.labels.level, a.annotations.line]).sort(), [
      ['firing', 'NewLogPattern', 'error', 'level=error msg="db timeout" after=30s'],
      ['firing', 'NewLogPattern', 'error', 'level=error msg="disk full" device=sda1'],
    ]);
    // And the alerts API lists them.
    const api = await getJson(s, '/prometheus/api/v1/alerts');
    const listed = (api.body.data.alerts as Array<{ labels: Record<string, string>; state: string }>).filter((a) => a.labels.alertname === 'NewLogPattern' && a.labels.app === 'alerting');
    assert.deepEqual(listed.map((a) => a.state), ['firing', 'firing']);
  });
});

describe('patterns API when disabled', () => {
  it('answers 501 with the reason', async () => {
    const s = await startServer({ env: { LOGSENTINEL_PATTERNS_ENABLED: 'false' } });
    try {
      const r = await getJson(s, '/loki/api/v1/patterns', { query: '{app="x"}' });
      assert.equal(r.status, 501);
      assert.match(String(r.body), /patterns\.enabled is false/);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });
});
