/**
 * The Overview, Live tail and Alerts pages in headless Chromium against a real LogSentinel:
 * generated logs pushed over Loki's API show up as services and top errors; a live tail shows
 * lines pushed while it follows, with a rate, pause and resume; a rule firing on pushed error lines
 * shows with its labels and annotations and links to its logs in Explore. Screenshots go to
 * test-artifacts/screenshots/. The UI must be built first (`npx vite build --config ui/vite.config.ts`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, closeBrowserAndServer, collectPageErrors, launchBrowser, newPage, pushStreams, screenshot } from './browser.js';
import { startServer, type ServerHandle } from './harness.js';

const skip = browserUnavailable();
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** Some minutes of traffic from three services, with repeated error shapes. */
function generated(): Array<{ stream: Record<string, string>; values: string[][] }> {
  const now = nowNs();
  const at = (secondsAgo: number, k: number): string => (now - BigInt(secondsAgo) * 1_000_000_000n - BigInt(k)).toString();
  const web: string[][] = [];
  const payments: string[][] = [];
  const checkout: string[][] = [];
  for (let i = 0; i < 120; i++) {
    web.push([at(i * 5, 1), `level=info msg="GET /api/items/${i} 200" duration=${i % 17}ms`]);
    if (i % 3 === 0) payments.push([at(i * 5, 2), `level=error msg="card declined for order ${1000 + i}" provider=acme`]);
    payments.push([at(i * 5, 3), `level=info msg="payment ${i} accepted"`]);
    if (i % 8 === 0) checkout.push([at(i * 5, 4), `level=error msg="timeout after ${200 + i}ms calling inventory at 10.0.0.${i % 250}:8080"`]);
    checkout.push([at(i * 5, 5), `level=warn msg="slow cart ${i}"`]);
  }
  return [
    { stream: { service: 'web', env: 'prod' }, values: web.reverse() },
    { stream: { service: 'payments', env: 'prod' }, values: payments.reverse() },
    { stream: { service: 'checkout', env: 'prod' }, values: checkout.reverse() },
  ];
}

const RULES = `name: ui-test
interval: 1s
rules:
  - alert: PaymentErrors
    expr: sum by (service) (count_over_time({service="payments"} |= "error" [10m])) > 0
    labels:
      severity: page
    annotations:
      summary: "{{ $labels.service }} logged {{ $value }} errors"
  - alert: QuietRule
    expr: sum(count_over_time({service="nothing-here"} [1m])) > 100
`;

describe('web UI pages', { skip }, () => {
  let server: ServerHandle;
  let browser: Browser;

  before(async () => {
    server = await startServer({ env: { LOGSENTINEL_RULER_EVALUATION_INTERVAL: '1s' } });
    await pushStreams(server, generated());
    const r = await fetch(server.url + '/loki/api/v1/rules/ui', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: RULES });
    assert.equal(r.status, 202, await r.text());
    browser = await launchBrowser();
  });

  after(() => closeBrowserAndServer(browser, server));

  async function open(path: string, opts: Parameters<typeof newPage>[1] & { tenant?: string } = {}): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const { context, page } = await newPage(browser, opts);
    if (opts.tenant) await context.addInitScript((t) => localStorage.setItem('logsentinel.tenant', t), opts.tenant);
    const errors = collectPageErrors(page);
    await page.goto(server.url + path);
    return { page, errors, close: () => context.close() };
  }

  it('Overview shows the services, the top errors and links them to Explore', async () => {
    const { page, errors, close } = await open('/overview');
    try {
      const services = page.getByRole('table', { name: 'Lines and errors by service' });
      await services.getByRole('link', { name: 'payments' }).waitFor({ timeout: 15_000 });
      const names = await services.locator('tbody tr td:first-child a').allTextContents();
      assert.deepEqual(names, ['payments', 'checkout', 'web']);
      const href = await services.getByRole('link', { name: 'web' }).getAttribute('href');
      assert.equal(new URL(href!, server.url).searchParams.get('query'), '{service="web"}');

      const top = page.getByRole('list', { name: 'Top error messages' });
      const patterns = await top.locator('.top-error-pattern').allTextContents();
      // Grouped by the logfmt msg field, with the newest message as written beneath.
      assert.deepEqual(patterns, ['card declined for order <n>', 'timeout after <n>ms calling inventory at <ip>']);
      assert.match((await top.locator('.top-error-sample').first().textContent()) ?? '', /^card declined for order \d+$/);
      const errHref = await top.getByRole('link').first().getAttribute('href');
      assert.equal(new URL(errHref!, server.url).searchParams.get('query'), '{service="payments"} |= "card declined for order"');
      assert.match(await page.getByRole('group', { name: 'Queue depth' }).innerText(), /\d/);
      await page.getByRole('figure', { name: /Ingest rate/ }).waitFor();
      await screenshot(page, 'overview');

      await page.getByRole('button', { name: 'Last 15m' }).click();
      await page.waitForURL(/range=15m/);
      await services.getByRole('link', { name: 'payments' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('Overview in the light theme', async () => {
    const { page, errors, close } = await open('/overview?range=6h', { colorScheme: 'light' });
    try {
      await page.getByRole('table', { name: 'Lines and errors by service' }).waitFor({ timeout: 15_000 });
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
      await screenshot(page, 'overview-light');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('the theme follows the system, across visits, until the user picks one', async () => {
    const { page, errors, close } = await open('/overview', { colorScheme: 'dark' });
    try {
      const theme = (): Promise<string | undefined> => page.evaluate(() => document.documentElement.dataset.theme);
      await page.getByRole('table', { name: 'Lines and errors by service' }).waitFor({ timeout: 15_000 });
      assert.equal(await theme(), 'dark');
      // The system switches while the page is open, and again before the next visit: followed both times.
      await page.emulateMedia({ colorScheme: 'light' });
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.reload();
      await page.getByRole('table', { name: 'Lines and errors by service' }).waitFor({ timeout: 15_000 });
      assert.equal(await theme(), 'dark');
      assert.equal(await page.evaluate(() => localStorage.getItem('logsentinel.theme')), null, 'nothing remembered before a choice');
      // A choice is kept, whatever the system does after it.
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.reload();
      await page.getByRole('table', { name: 'Lines and errors by service' }).waitFor({ timeout: 15_000 });
      assert.equal(await theme(), 'light');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('a tenant without logs or rules gets empty states that say what to do', async () => {
    const { page, errors, close } = await open('/overview', { tenant: 'nobody' });
    try {
      await page.getByRole('status').filter({ hasText: 'No logs in the last hour' }).getByText(/loki\/api\/v1\/push/).waitFor({ timeout: 15_000 });
      await page.getByRole('link', { name: 'Alerts' }).click();
      await page.getByRole('status').filter({ hasText: 'No rules of your own for tenant nobody' }).getByText('/loki/api/v1/rules/<namespace>').waitFor({ timeout: 15_000 });
      // The live tail follows the tenant of the tenant box too (sent as orgId: a browser cannot
      // set X-Scope-OrgID on a WebSocket).
      await page.getByRole('link', { name: 'Live tail' }).click();
      await page.getByRole('textbox', { name: 'Log query to follow' }).fill('{service="tenanttail"}');
      await page.getByRole('button', { name: 'Start following' }).click();
      await page.getByRole('status', { name: 'Tail status: Live' }).waitFor({ timeout: 10_000 });
      await pushStreams(server, [{ stream: { service: 'tenanttail' }, values: [[nowNs().toString(), 'line of the default tenant']] }]);
      await pushStreams(server, [{ stream: { service: 'tenanttail' }, values: [[nowNs().toString(), 'line of tenant nobody']] }], 'nobody');
      await page.getByText('line of tenant nobody').waitFor({ timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await page.getByText('line of the default tenant').count(), 0);
      await page.getByRole('button', { name: 'Stop following' }).click();
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('Live tail follows a query: pushed lines appear, lines/s shows, pause and resume, stop', async () => {
    const { page, errors, close } = await open('/tail');
    try {
      await page.getByRole('textbox', { name: 'Log query to follow' }).fill('{service="tailtest"}');
      await page.getByRole('button', { name: 'Start following' }).click();
      await page.getByRole('status', { name: 'Tail status: Live' }).waitFor({ timeout: 10_000 });
      assert.match(page.url(), /\/tail\?query=%7Bservice%3D%22tailtest%22%7D&follow=1$/);

      // Pushes spread over a second or two, so the rate has something to average.
      for (let i = 0; i < 6; i++) {
        await pushStreams(server, [{ stream: { service: 'tailtest' }, values: [[nowNs().toString(), `level=info msg="tail line ${i}"`], [(nowNs() + 1n).toString(), `level=error msg="tail error ${i}"`]] }]);
        await new Promise((r) => setTimeout(r, 250));
      }
      await page.getByText('tail error 5').waitFor({ timeout: 10_000 });
      const rate = Number(await page.getByTestId('tail-rate').innerText());
      assert.ok(rate > 0, `lines/s shows ${rate}`);
      await screenshot(page, 'tail-following');

      await page.getByRole('button', { name: 'Pause the view' }).click();
      await pushStreams(server, [{ stream: { service: 'tailtest' }, values: [[nowNs().toString(), 'while paused A'], [(nowNs() + 1n).toString(), 'while paused B'], [(nowNs() + 2n).toString(), 'while paused C']] }]);
      await page.waitForFunction(() => document.querySelector('[data-testid="tail-paused-count"]')?.textContent === '3', undefined, { timeout: 10_000 });
      assert.equal(await page.getByText('while paused A').count(), 0, 'the paused view stays frozen');
      await screenshot(page, 'tail-paused');

      await page.getByRole('button', { name: 'Resume the view' }).click();
      await page.getByText('while paused C').waitFor();
      assert.equal(await page.getByText('tail line 0').count(), 1, 'nothing repeated');

      await page.getByRole('button', { name: 'Stop following' }).click();
      await page.getByRole('status', { name: 'Tail status: Stopped' }).waitFor();
      assert.doesNotMatch(page.url(), /follow=1/);
      await pushStreams(server, [{ stream: { service: 'tailtest' }, values: [[nowNs().toString(), 'after stop']] }]);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await page.getByText('after stop').count(), 0);
      await page.getByText('while paused C').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('Live tail reports a bad query instead of retrying it', async () => {
    const { page, close } = await open('/tail?query=' + encodeURIComponent('{service=') + '&follow=1');
    try {
      await page.getByRole('alert').filter({ hasText: 'refused the tail' }).waitFor({ timeout: 10_000 });
      await page.getByRole('status', { name: 'Tail status: Failed' }).waitFor();
    } finally {
      await close();
    }
  });

  it('Alerts shows a firing rule with labels and annotations and links it to Explore', async () => {
    const { page, errors, close } = await open('/alerts');
    try {
      const card = page.getByRole('listitem', { name: 'Alert PaymentErrors firing' });
      await card.waitFor({ timeout: 20_000 });
      await card.getByRole('list', { name: 'Labels of alert PaymentErrors' }).getByText('severity=page').waitFor();
      await card.getByText('service=payments').waitFor();
      await card.getByText(/payments logged \d+ errors/).waitFor();
      const rules = page.getByRole('table', { name: 'Rules' });
      await rules.getByRole('row', { name: 'Rule QuietRule' }).getByText('inactive').waitFor();
      await rules.getByRole('row', { name: 'Rule PaymentErrors' }).getByText('firing').waitFor();
      // Alerts and rules are counted apart: here one firing alert of one firing rule, beside the
      // built-in critical-entries rule and QuietRule, both inactive.
      const summary = await page.locator('p.summary').innerText();
      assert.match(summary, /^Alerts: 1 firing · 0 pending — Rules: 1 firing · 0 pending · 2 inactive/, summary);
      await screenshot(page, 'alerts-firing');

      await page.getByRole('button', { name: /^inactive/ }).click();
      await page.waitForURL(/state=inactive/);
      await rules.getByRole('row', { name: 'Rule QuietRule' }).waitFor();
      assert.equal(await rules.getByRole('row', { name: 'Rule PaymentErrors' }).count(), 0);
      await page.getByRole('button', { name: /^all/ }).click();

      await card.getByRole('link', { name: 'Logs of alert PaymentErrors' }).click();
      await page.waitForURL(/\/explore\?/);
      const u = new URL(page.url());
      assert.equal(u.searchParams.get('query'), '{service="payments"} |= "error"');
      assert.match(u.searchParams.get('from') ?? '', /^\d{13}$/);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('Alerts at 1280×720', async () => {
    const { page, errors, close } = await open('/alerts', { width: 1280, height: 720 });
    try {
      await page.getByRole('listitem', { name: 'Alert PaymentErrors firing' }).waitFor({ timeout: 20_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      await screenshot(page, 'alerts-1280x720');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  // Last: it restarts the server.
  it('Live tail survives a server restart: it says so, reconnects and resumes without repeats', async () => {
    const { page, errors, close } = await open('/tail?query=' + encodeURIComponent('{service="restart"}') + '&follow=1');
    try {
      await page.getByRole('status', { name: 'Tail status: Live' }).waitFor({ timeout: 10_000 });
      await pushStreams(server, [{ stream: { service: 'restart' }, values: [[nowNs().toString(), 'before restart']] }]);
      await page.getByText('before restart').waitFor({ timeout: 10_000 });

      const { port, dataDir } = server;
      await server.stop();
      await page.getByRole('alert').filter({ hasText: /Connection lost/ }).waitFor({ timeout: 10_000 });
      server = await startServer({ port, dataDir, env: { LOGSENTINEL_RULER_EVALUATION_INTERVAL: '1s' } });
      await page.getByRole('status', { name: 'Tail status: Live' }).waitFor({ timeout: 30_000 });
      await pushStreams(server, [{ stream: { service: 'restart' }, values: [[nowNs().toString(), 'after restart']] }]);
      await page.getByText('after restart').waitFor({ timeout: 10_000 });
      await page.getByRole('status').filter({ hasText: /Connection lost .* Reconnected at .*resumed after/ }).waitFor();
      assert.equal(await page.getByText('before restart').count(), 1, 'the entry before the restart is not repeated');
      await screenshot(page, 'tail-reconnected');
      // The page itself logs nothing; Chromium reports the refused connections on the console.
      assert.deepEqual(errors.filter((e) => !/WebSocket connection|Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
    } finally {
      await close();
    }
  });
});
