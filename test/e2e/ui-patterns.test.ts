/**
 * Explore's Patterns tab in a real browser against a real server: the tab lists the patterns of the
 * query's streams with their counts and sparklines, and clicking one adds it as a `|>` filter and
 * shows the lines it matches. Needs `npx vite build --config ui/vite.config.ts` first (this test
 * does not build).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startServer, type ServerHandle } from './harness.js';
import { browserUnavailable, closeBrowserAndServer, collectPageErrors, launchBrowser, newPage, screenshot } from './browser.js';

const skip = browserUnavailable();

describe('Explore patterns tab (browser)', { skip }, () => {
  let server: ServerHandle;
  let browser: Browser;
  before(async () => {
    server = await startServer({ env: { LOGSENTINEL_PATTERNS_MAX_CPU_SHARE: '0' } });
    const now = Date.now();
    const values: Array<[string, string]> = [];
    for (let i = 0; i < 90; i++) {
      const line = i % 3 === 0 ? `user u${i} logged in from 10.0.0.${i}` : `level=info msg="request done" status=${200 + (i % 4)} duration=${i}ms`;
      values.push([(BigInt(now - 20 * 60_000 + i * 10_000) * 1_000_000n).toString(), line]);
    }
    const r = await fetch(server.url + '/loki/api/v1/push', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { service: 'pat' }, values }] }) });
    assert.equal(r.status, 204);
    // Mining runs after the acknowledgement: wait until the API has all 90 lines.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const p = (await (await fetch(`${server.url}/loki/api/v1/patterns?${new URLSearchParams({ query: '{service="pat"}', since: '1h' })}`)).json()) as { data: Array<{ samples: Array<[number, number]> }> };
      if (p.data.reduce((n, d) => n + d.samples.reduce((k, s) => k + s[1], 0), 0) === 90) break;
      if (Date.now() > deadline) throw new Error('patterns not mined in time');
      await new Promise((res) => setTimeout(res, 100));
    }
    browser = await launchBrowser();
  });
  after(() => closeBrowserAndServer(browser, server));

  it('lists patterns with counts and sparklines; a click filters the lines by the pattern', { timeout: 60_000 }, async (t) => {
    const { context, page } = await newPage(browser, { width: 1280, height: 720 });
    const errors = collectPageErrors(page);
    try {
      await page.goto(`${server.url}/explore?${new URLSearchParams({ query: '{service="pat"}', from: 'now-1h', to: 'now' })}`);
      await page.getByRole('tab', { name: 'Patterns' }).click();
      const table = page.getByRole('table', { name: 'Patterns' });
      await table.waitFor();
      assert.equal(new URL(page.url()).searchParams.get('view'), 'patterns');
      const rows = table.locator('tbody tr');
      assert.equal(await rows.count(), 2);
      const texts = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent?.trim())));
      assert.deepEqual(texts, [
        ['level=info msg="request done" status=<_> duration=<_>', 'info', '60'],
        ['user <_> logged in from <_>', 'unknown', '30'],
      ]);
      assert.equal(await table.locator('svg.pattern-spark').count(), 2);
      await screenshot(page, 'explore-patterns');

      await page.getByRole('button', { name: 'user <_> logged in from <_>' }).click();
      await page.waitForURL((u) => u.searchParams.get('view') === null && (u.searchParams.get('query') ?? '').includes('|>'));
      assert.equal(new URL(page.url()).searchParams.get('query'), '{service="pat"} |> "user <_> logged in from <_>"');
      // The statistics bar says 30 lines returned; the rows shown (the list is virtualised) are all logins.
      await page.waitForFunction(() => document.querySelector('[title="Entries returned"] b')?.textContent === '30');
      const lines = await page.locator('.log-row-main').allTextContents();
      assert.ok(lines.length > 0);
      for (const l of lines) assert.match(l, /user u\d+ logged in from 10\.0\.0\.\d+/);
      assert.deepEqual(errors, []);
    } catch (err) {
      t.diagnostic(`screenshot: ${await screenshot(page, 'explore-patterns-failed')}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
