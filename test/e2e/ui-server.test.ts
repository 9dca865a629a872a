/**
 * The server side of the web UI against a real server: the built UI at `/` and its page paths,
 * `/` answering Elasticsearch's handshake to non-browser clients, hashed assets, and the
 * `/api/v1/overview` summary the overview page shows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, removeDir, ROOT, startServer, type ServerHandle } from './harness.js';

const UI_BUILT = existsSync(join(ROOT, 'dist/ui/index.html'));

interface Overview {
  start: string;
  end: string;
  stepSeconds: number;
  totals: { lines: number; errors: number; bytes: number; streams: number; services: number };
  ingestRate: Array<[number, number, number]>;
  services: Array<{ service: string; label: string; selector: string; lines: number; errors: number; bytes: number }>;
  topErrors: Array<{ pattern: string; example: string; sample: string; count: number; service: string; selector: string; lastSeen: string }>;
  errorSample: { lines: number; limit: number };
  storage: { backend: string; bytes: number };
  queue: { depth: number | null };
}

describe('web UI serving and the overview API', () => {
  let s: ServerHandle;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('/ gives browsers the UI and other clients the Elasticsearch handshake', async (t) => {
    if (!UI_BUILT) {
      if (process.env.CI === 'true') assert.fail('dist/ui is not built: npm install builds it');
      return t.skip('the web UI is not built (npm run build writes dist/ui)');
    }
    const html = await fetch(s.url + '/', { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    const page = await html.text();
    assert.match(page, /<div id="root"><\/div>/);

    const es = await fetch(s.url + '/', { headers: { Accept: 'application/json' } });
    assert.equal(es.status, 200);
    assert.equal(es.headers.get('x-elastic-product'), 'Elasticsearch');
    const info = (await es.json()) as { version: { number: string }; tagline: string };
    assert.equal(info.version.number, '8.17.0');
    assert.equal(info.tagline, 'You Know, for Search');

    // A rule's page: names are %-escaped path segments, `/` included.
    for (const p of ['/explore', '/tail', '/alerts', '/overview', '/explore/anything', '/alerts/rule/ns%2Fa/checkout%20%26%20payments/High%20errors']) {
      const r = await fetch(s.url + p + '?query=%7Bapp%3D%22x%22%7D');
      assert.equal(r.status, 200, p);
      assert.equal(await r.text(), page, `${p} serves index.html so links open the right view`);
    }
    // Every asset index.html references is served, cacheable for good (names carry content hashes).
    const refs = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(refs.length >= 2, 'a script and a stylesheet');
    for (const ref of refs) {
      const r = await fetch(s.url + ref);
      assert.equal(r.status, 200, ref);
      assert.match(r.headers.get('cache-control') ?? '', /immutable/);
      assert.ok((await r.arrayBuffer()).byteLength > 0);
    }
    assert.ok(readdirSync(join(ROOT, 'dist/ui/assets')).length >= 2);
    assert.equal((await fetch(s.url + '/assets/missing.js')).status, 404);
  });

  it('/api/v1/overview counts lines and errors by service and groups error messages by shape', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const ts = (i: number): string => (now - 60_000_000_000n + BigInt(i) * 1_000_000n).toString();
    const push = async (stream: Record<string, string>, lines: string[], offset: number): Promise<void> => {
      const r = await fetch(s.url + '/loki/api/v1/push', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream, values: lines.map((l, i) => [ts(offset + i), l]) }] }),
      });
      assert.equal(r.status, 204, await r.text());
    };
    await push({ service: 'checkout' }, [
      'level=info msg="order placed" order=1',
      'level=error msg="payment declined" order=17 user=9f3a2b1c7d',
      'level=error msg="payment declined" order=18 user=0a1b2c3d4e',
      'level=error msg="payment declined" order=19 user=77aa88bb99',
      'level=critical msg="db down" host=10.0.0.12:5432',
    ], 0);
    await push({ app: 'worker', env: 'prod' }, ['INFO job 1 done', 'INFO job 2 done', 'ERROR job 3 failed after 3 retries'], 100);
    await push({ env: 'dev' }, ['no service label here'], 200);

    const { status, body } = (await getJson(s, '/api/v1/overview', { since: '1h' })) as { status: number; body: Overview };
    assert.equal(status, 200);
    assert.equal(body.stepSeconds, 30, '1h in at most 120 points');
    assert.deepEqual(body.totals, { lines: 9, errors: 5, bytes: body.totals.bytes, streams: 3, services: 3 });
    assert.deepEqual(
      body.services.map((x) => [x.service, x.label, x.selector, x.lines, x.errors]),
      [
        ['checkout', 'service', '{service="checkout"}', 5, 4],
        ['worker', 'app', '{app="worker"}', 3, 1],
        ['unknown', '', '{env="dev"}', 1, 0],
      ],
    );
    assert.deepEqual(
      body.topErrors.map((e) => [e.pattern, e.count, e.service, e.selector]),
      [
        // logfmt lines by their msg, other lines by their text.
        ['payment declined', 3, 'checkout', '{service="checkout"}'],
        // Ties: the most recent first.
        ['ERROR job <n> failed after <n> retries', 1, 'worker', '{app="worker"}'],
        ['db down', 1, 'checkout', '{service="checkout"}'],
      ],
    );
    assert.equal(body.topErrors[0].example, 'level=error msg="payment declined" order=19 user=77aa88bb99', 'the newest example');
    assert.equal(body.topErrors[0].sample, 'payment declined', 'its message as written');
    assert.equal(body.topErrors[1].sample, 'ERROR job 3 failed after 3 retries');
    assert.deepEqual(body.errorSample, { lines: 5, limit: 5000 });
    const total = body.ingestRate.reduce((a, p) => a + p[1] * body.stepSeconds, 0);
    const errors = body.ingestRate.reduce((a, p) => a + p[2] * body.stepSeconds, 0);
    assert.equal(Math.round(total), 9);
    assert.equal(Math.round(errors), 5);
    assert.ok(body.ingestRate.length >= 120 && body.ingestRate.length <= 121);
    assert.equal(body.storage.backend, 'duckdb');
    assert.ok(body.storage.bytes > 0);
    assert.equal(body.queue.depth, 0);

    // Another tenant sees nothing of it.
    const other = (await getJson(s, '/api/v1/overview', { since: '1h' }, { 'X-Scope-OrgID': 'nobody' })) as { status: number; body: Overview };
    assert.equal(other.body.totals.lines, 0);
    assert.deepEqual(other.body.services, []);
    // Bad parameters are a 400 naming them.
    const bad = await fetch(s.url + '/api/v1/overview?since=forever');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /since/);
  });
});
