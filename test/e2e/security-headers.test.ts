/**
 * Security headers and CORS against the real server: every route group answers with the CSP,
 * nosniff, frame and referrer headers; by default no route answers `Access-Control-Allow-Origin`
 * (not even to a preflight); configured origins get proper preflights with credentials, `*` gets
 * no credentials; and the built UI runs in Chromium under the policy without a violation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, ROOT, startServer, type ServerHandle } from './harness.js';
import { browserUnavailable, collectPageErrors, launchBrowser, newPage } from './browser.js';
import { CONTENT_SECURITY_POLICY } from '../../src/api/security-headers.js';

const EVIL = 'https://evil.example';
const GRAFANA = 'https://grafana.example:3000';

/** One request per route group: method, path, body (the UI paths need Accept: text/html). */
function routes(): Array<{ method: string; path: string; body?: string; type?: string; accept?: string }> {
  let asset = '/assets/missing.js';
  try {
    asset = '/assets/' + readdirSync(join(ROOT, 'dist/ui/assets')).find((f) => f.endsWith('.js'));
  } catch {
    // UI not built: the asset route is then absent and answers 404, which must carry the headers too
  }
  const now = `${Date.now()}000000`;
  return [
    { method: 'GET', path: '/', accept: 'text/html' },
    { method: 'GET', path: '/', accept: 'application/json' },
    { method: 'GET', path: '/explore', accept: 'text/html' },
    { method: 'GET', path: asset },
    { method: 'GET', path: '/metrics' },
    { method: 'GET', path: '/health/readiness' },
    { method: 'GET', path: '/ready' },
    { method: 'GET', path: '/loki/api/v1/labels' },
    { method: 'GET', path: '/loki/api/v1/query_range?query=%7Bservice%3D%22x%22%7D' },
    { method: 'GET', path: '/loki/api/v1/query?query=bad%7B' },
    { method: 'GET', path: '/loki/api/v1/status/buildinfo' },
    { method: 'GET', path: '/loki/api/v1/rules' },
    { method: 'GET', path: '/prometheus/api/v1/alerts' },
    { method: 'GET', path: '/api/v1/overview' },
    { method: 'GET', path: '/_license' },
    { method: 'POST', path: '/logs/query', body: '{"service":"x"}', type: 'application/json' },
    { method: 'POST', path: '/loki/api/v1/push', body: `{"streams":[{"stream":{"service":"h"},"values":[["${now}","x"]]}]}`, type: 'application/json' },
    { method: 'POST', path: '/api/v1/push/jsonlines', body: '{"message":"x"}\n', type: 'application/x-ndjson' },
    { method: 'POST', path: '/otlp/v1/logs', body: '{"resourceLogs":[]}', type: 'application/json' },
    { method: 'POST', path: '/_bulk', body: '{"index":{"_index":"a"}}\n{"message":"x"}\n', type: 'application/x-ndjson' },
    { method: 'GET', path: '/no/such/route' },
  ];
}

async function call(s: ServerHandle, r: ReturnType<typeof routes>[number], origin: string): Promise<Response> {
  const headers: Record<string, string> = { origin };
  if (r.type) headers['content-type'] = r.type;
  if (r.accept) headers.accept = r.accept;
  return fetch(s.url + r.path, { method: r.method, headers, body: r.body });
}

function preflight(s: ServerHandle, path: string, origin: string, method = 'POST', requestHeaders = 'authorization,content-type,x-scope-orgid'): Promise<Response> {
  return fetch(s.url + path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders } });
}

describe('security headers and CORS', () => {
  describe('by default', () => {
    let s: ServerHandle;
    before(async () => {
      s = await startServer();
    });
    after(async () => {
      await s.stop();
      removeDir(s.dataDir);
    });

    it('every route group answers with the security headers and without any CORS header', async () => {
      for (const r of routes()) {
        const res = await call(s, r, EVIL);
        await res.arrayBuffer();
        const what = `${r.method} ${r.path} (${res.status})`;
        assert.ok(res.status < 500, what);
        assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, what);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
        assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer', what);
        assert.equal(res.headers.get('strict-transport-security'), null, `${what}: no HSTS over plain HTTP`);
        for (const [k] of res.headers) assert.ok(!k.startsWith('access-control-'), `${what} answered ${k}`);
      }
      for (const path of ['/loki/api/v1/push', '/loki/api/v1/query_range', '/api/v1/overview', '/']) {
        const res = await preflight(s, path, EVIL);
        await res.arrayBuffer();
        for (const [k] of res.headers) assert.ok(!k.startsWith('access-control-'), `preflight of ${path} answered ${k}`);
      }
    });

    it('the built UI runs under the policy in Chromium without a violation', async (t) => {
      const why = browserUnavailable();
      if (why) return t.skip(why);
      const browser = await launchBrowser();
      try {
        const { context, page } = await newPage(browser);
        await context.addInitScript(() => {
          const w = window as unknown as { cspViolations: string[] };
          w.cspViolations = [];
          document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
        });
        const errors = collectPageErrors(page);
        const push = await fetch(s.url + '/loki/api/v1/push', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ streams: [{ stream: { service: 'csp' }, values: [[`${Date.now()}000000`, 'level=error msg="under the policy"']] }] }),
        });
        assert.equal(push.status, 204);
        const main = await page.goto(s.url + '/explore?query=' + encodeURIComponent('{service="csp"}'));
        assert.equal(main?.headers()['content-security-policy'], CONTENT_SECURITY_POLICY);
        await page.getByText('under the policy').first().waitFor({ timeout: 15_000 });
        for (const name of ['Overview', 'Alerts', 'Live tail']) {
          await page.getByRole('link', { name }).click();
          await page.waitForLoadState('networkidle');
        }
        await page.getByRole('textbox', { name: 'Log query to follow' }).fill('{service="csp"}');
        await page.getByRole('button', { name: 'Start following' }).click();
        await page.getByRole('status', { name: 'Tail status: Live' }).waitFor({ timeout: 10_000 });
        assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), []);
        assert.deepEqual(errors, []);
        await context.close();
      } finally {
        await browser.close();
      }
    });
  });

  describe('with server.cors.allowedOrigins', () => {
    let s: ServerHandle;
    let any: ServerHandle;
    before(async () => {
      [s, any] = await Promise.all([
        startServer({ env: { LOGSENTINEL_SERVER_CORS_ALLOWED_ORIGINS: `${GRAFANA}, https://other.example` } }),
        startServer({ env: { LOGSENTINEL_SERVER_CORS_ALLOWED_ORIGINS: '*' } }),
      ]);
    });
    after(async () => {
      await Promise.all([s.stop(), any.stop()]);
      removeDir(s.dataDir);
      removeDir(any.dataDir);
    });

    it('answers preflights and requests of listed origins with credentials, and nothing to others', async () => {
      const pf = await preflight(s, '/loki/api/v1/push', GRAFANA);
      assert.equal(pf.status, 204);
      assert.equal(pf.headers.get('access-control-allow-origin'), GRAFANA);
      assert.equal(pf.headers.get('access-control-allow-credentials'), 'true');
      assert.match(pf.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(pf.headers.get('access-control-allow-headers') ?? '', /Authorization.*X-Scope-OrgID/);
      assert.equal(pf.headers.get('access-control-max-age'), '600');
      assert.match(pf.headers.get('vary') ?? '', /Origin/);

      const get = await fetch(s.url + '/loki/api/v1/labels', { headers: { origin: GRAFANA } });
      await get.arrayBuffer();
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('access-control-allow-origin'), GRAFANA);
      assert.equal(get.headers.get('access-control-allow-credentials'), 'true');
      assert.match(get.headers.get('access-control-expose-headers') ?? '', /X-Request-Id/);

      for (const res of [await preflight(s, '/loki/api/v1/push', EVIL), await fetch(s.url + '/loki/api/v1/labels', { headers: { origin: EVIL } })]) {
        await res.arrayBuffer();
        assert.equal(res.headers.get('access-control-allow-origin'), null);
        assert.equal(res.headers.get('access-control-allow-credentials'), null);
      }
      // not a preflight: no Access-Control-Request-Method
      const bad = await fetch(s.url + '/loki/api/v1/push', { method: 'OPTIONS', headers: { origin: GRAFANA } });
      await bad.arrayBuffer();
      assert.equal(bad.status, 400);
    });

    it('a wildcard allows any origin but never with credentials', async () => {
      const pf = await preflight(any, '/loki/api/v1/query_range', EVIL, 'GET');
      assert.equal(pf.status, 204);
      assert.equal(pf.headers.get('access-control-allow-origin'), '*');
      assert.equal(pf.headers.get('access-control-allow-credentials'), null);
      const get = await fetch(any.url + '/loki/api/v1/labels', { headers: { origin: EVIL } });
      await get.arrayBuffer();
      assert.equal(get.headers.get('access-control-allow-origin'), '*');
      assert.equal(get.headers.get('access-control-allow-credentials'), null);
    });

    it('refuses an origin that is not an origin at start', async () => {
      await assert.rejects(startServer({ env: { LOGSENTINEL_SERVER_CORS_ALLOWED_ORIGINS: 'https://grafana.example/path' } }), /server\.cors\.allowedOrigins: "https:\/\/grafana\.example\/path" is not an origin/);
    });
  });
});
