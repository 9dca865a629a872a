/**
 * A rule's own page in headless Chromium against a real LogSentinel: a rule fires on pushed error
 * lines; from /alerts its name and its alert open its page, which shows the definition, the firing
 * alert and the expression charted over a window around the time the alert became active, with
 * a link to Explore; the built-in CriticalLogEntry gets a page too; an unknown rule says so; the
 * tenant picker reloads the page for the chosen tenant. Screenshots go to test-artifacts/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, closeBrowserAndServer, collectPageErrors, launchBrowser, newPage, pushStreams, screenshot } from './browser.js';
import { getJson, startServer, type ServerHandle } from './harness.js';

const skip = browserUnavailable();

/** Error and info lines of `payments` over the last five minutes, oldest first. */
function paymentLines(): string[][] {
  const now = BigInt(Date.now()) * 1_000_000n;
  const values: string[][] = [];
  for (let i = 60; i > 0; i--) {
    const ts = (now - BigInt(i * 5) * 1_000_000_000n).toString();
    values.push([ts, i % 4 === 0 ? `level=error msg="card declined for order ${i}"` : `level=info msg="payment ${i} accepted"`]);
  }
  return values;
}

// A space in the alert's name and an ampersand in the group's: the page path escapes both.
const NAMESPACE = 'e2e';
const GROUP = 'checkout & payments';
const RULE = 'Payment errors';
const EXPR = 'sum by (service) (count_over_time({service="payments"} |= "error" [10m])) > 2';
const RULES = `name: ${GROUP}
interval: 1s
rules:
  - alert: ${RULE}
    expr: ${EXPR}
    labels:
      severity: page
    annotations:
      summary: "{{ $labels.service }} declined {{ $value }} cards"
  - alert: QuietRule
    expr: sum(count_over_time({service="nothing-here"} [1m])) > 100
`;

interface RuleAnswer {
  name: string;
  alerts?: Array<{ labels: Record<string, string>; state: string; activeAt: string }>;
}

describe('web UI: a page per alert rule', { skip }, () => {
  let server: ServerHandle;
  let browser: Browser;
  /** When the rule's alert became active, as the rules API says. */
  let activeAtMs: number;

  const rulesOf = async (): Promise<RuleAnswer[]> => {
    const r = await getJson(server, '/prometheus/api/v1/rules');
    assert.equal(r.status, 200);
    return (r.body.data.groups as Array<{ rules: RuleAnswer[] }>).flatMap((g) => g.rules);
  };

  before(async () => {
    server = await startServer({ env: { LOGSENTINEL_RULER_EVALUATION_INTERVAL: '1s' } });
    await pushStreams(server, [{ stream: { service: 'payments', env: 'prod' }, values: paymentLines() }]);
    const r = await fetch(`${server.url}/loki/api/v1/rules/${NAMESPACE}`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: RULES });
    assert.equal(r.status, 202, await r.text());
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rule = (await rulesOf()).find((x) => x.name === RULE);
      const firing = rule?.alerts?.find((a) => a.state === 'firing');
      if (firing) {
        assert.equal(firing.labels.service, 'payments');
        activeAtMs = Date.parse(firing.activeAt);
        break;
      }
      if (Date.now() > deadline) assert.fail(`the rule did not fire within 30 s: ${JSON.stringify(rule)}`);
      await new Promise((res) => setTimeout(res, 250));
    }
    browser = await launchBrowser();
  });

  after(() => closeBrowserAndServer(browser, server));

  async function open(path: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
    const { context, page } = await newPage(browser);
    const errors = collectPageErrors(page);
    await page.goto(server.url + path);
    return { page, errors, close: () => context.close() };
  }

  it('from /alerts, the rule opens its page: definition, firing alert, chart around the firing time, Explore link', async () => {
    const { page, errors, close } = await open('/alerts');
    try {
      const rules = page.getByRole('table', { name: 'Rules' });
      const before = Date.now();
      await rules.getByRole('row', { name: `Rule ${RULE}` }).getByRole('link', { name: RULE, exact: true }).click();
      await page.waitForURL(/\/alerts\/rule\//);
      assert.equal(new URL(page.url()).pathname, `/alerts/rule/${NAMESPACE}/checkout%20%26%20payments/Payment%20errors`);
      await page.getByRole('heading', { level: 1, name: RULE }).waitFor();

      const def = page.getByRole('definition').filter({ hasText: EXPR });
      await def.first().waitFor();
      const definition = page.locator(`dl[aria-label="Definition of ${RULE}"]`);
      assert.match(await definition.innerText(), new RegExp(`Namespace\\s+${NAMESPACE}\\s+Group\\s+${GROUP}`));
      await definition.getByRole('list', { name: `Labels of ${RULE}` }).getByText('severity=page').waitFor();
      await definition.getByText('{{ $labels.service }} declined {{ $value }} cards').waitFor();
      await definition.getByText('ok', { exact: true }).waitFor();

      // The firing alert, with its own labels and its annotation filled in.
      const card = page.getByRole('list', { name: `Alerts of ${RULE}` }).getByRole('listitem', { name: `Alert ${RULE} firing` });
      await card.getByText('service=payments').waitFor();
      await card.getByText('severity=page').waitFor();
      await card.getByText(/payments declined \d+ cards/).waitFor();

      // The chart spans 30 minutes before the alert became active to the time the page loaded it.
      const chart = page.getByRole('figure', { name: `Chart of ${RULE}` });
      await chart.locator('canvas').waitFor();
      await page.waitForFunction((label) => document.querySelector(`figure[aria-label="${label}"]`)?.getAttribute('data-x-max') !== null, `Chart of ${RULE}`);
      const xMin = Number(await chart.getAttribute('data-x-min'));
      const xMax = Number(await chart.getAttribute('data-x-max'));
      const after = Date.now();
      assert.ok(Math.abs(xMin - (activeAtMs / 1000 - 1800)) < 0.01, `axis starts 30 min before activeAt: ${xMin} vs ${activeAtMs / 1000}`);
      assert.ok(xMax * 1000 >= before - 1000 && xMax * 1000 <= after + 1000, `axis ends at the load time: ${xMax}`);
      assert.ok(xMin < activeAtMs / 1000 && activeAtMs / 1000 <= xMax, 'the window holds the firing time');
      assert.equal(Number(await chart.getAttribute('data-markers')), activeAtMs / 1000, 'a marker at the firing time');
      // The comparison's threshold is drawn as a series of its own, beside the query's.
      await chart.getByRole('button', { name: /threshold > 2/ }).waitFor();
      await chart.getByRole('button', { name: /service="payments"/ }).waitFor();
      await screenshot(page, 'alert-rule-firing');

      const explore = page.getByRole('link', { name: 'Open in Explore' });
      const u = new URL((await explore.getAttribute('href'))!, server.url);
      assert.equal(u.pathname, '/explore');
      assert.equal(u.searchParams.get('query'), EXPR);
      assert.equal(Number(u.searchParams.get('from')), Math.floor(xMin * 1000));
      assert.equal(Number(u.searchParams.get('to')), Math.ceil(xMax * 1000));
      await explore.click();
      await page.waitForURL(/\/explore\?/);
      assert.equal(new URL(page.url()).searchParams.get('query'), EXPR);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it("an alert on /alerts links to its rule's page", async () => {
    const { page, errors, close } = await open('/alerts');
    try {
      await page.getByRole('listitem', { name: `Alert ${RULE} firing` }).getByRole('link', { name: `Rule of alert ${RULE}` }).click();
      await page.waitForURL(/\/alerts\/rule\//);
      await page.getByRole('heading', { level: 1, name: RULE }).waitFor();
      await page.getByRole('list', { name: `Alerts of ${RULE}` }).getByText('service=payments').waitFor();
      // Back to the list by the breadcrumb.
      await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Alerts' }).click();
      await page.waitForURL((url) => url.pathname === '/alerts');
      await page.getByRole('table', { name: 'Rules' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('a rule with no alert charts the last hour', async () => {
    const { page, errors, close } = await open(`/alerts/rule/${NAMESPACE}/${encodeURIComponent(GROUP)}/QuietRule`);
    try {
      await page.getByRole('heading', { level: 1, name: 'QuietRule' }).waitFor();
      await page.getByText('No alert of this rule is firing or pending.').waitFor();
      const chart = page.getByRole('figure', { name: 'Chart of QuietRule' });
      await chart.locator('canvas').waitFor();
      await page.waitForFunction(() => document.querySelector('figure[aria-label="Chart of QuietRule"]')?.getAttribute('data-x-max') !== null);
      const span = Number(await chart.getAttribute('data-x-max')) - Number(await chart.getAttribute('data-x-min'));
      assert.ok(Math.abs(span - 3600) < 0.01, `one hour: ${span}`);
      assert.equal(await chart.getAttribute('data-markers'), null);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('the built-in CriticalLogEntry gets a page with its alerts and no chart', async () => {
    await pushStreams(server, [{ stream: { service: 'db' }, values: [[(BigInt(Date.now()) * 1_000_000n).toString(), 'level=critical msg="disk failed"']] }]);
    const deadline = Date.now() + 15_000;
    while (!(await rulesOf()).find((x) => x.name === 'CriticalLogEntry')?.alerts?.length) {
      if (Date.now() > deadline) assert.fail('CriticalLogEntry did not fire within 15 s');
      await new Promise((res) => setTimeout(res, 200));
    }
    const { page, errors, close } = await open('/alerts');
    try {
      await page.getByRole('table', { name: 'Rules' }).getByRole('link', { name: 'CriticalLogEntry', exact: true }).click();
      await page.waitForURL(/\/alerts\/rule\/logsentinel\/critical-log-entries\/CriticalLogEntry$/);
      const card = page.getByRole('list', { name: 'Alerts of CriticalLogEntry' }).getByRole('listitem', { name: 'Alert CriticalLogEntry firing' });
      await card.getByText('service=db').waitFor();
      await card.getByText('disk failed').waitFor();
      await page.getByText('it has no LogQL expression to chart').waitFor();
      await page.getByText('evaluated on ingest, not on a schedule').waitFor();
      assert.equal(await page.getByRole('figure').count(), 0);
      await screenshot(page, 'alert-rule-critical');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('an unknown rule says so and links back; another tenant reloads the page', async () => {
    const { page, errors, close } = await open(`/alerts/rule/${NAMESPACE}/${encodeURIComponent(GROUP)}/NoSuchThing`);
    try {
      const notice = page.getByRole('status').filter({ hasText: 'No such rule: NoSuchThing in group checkout & payments of namespace e2e' });
      await notice.waitFor();
      await screenshot(page, 'alert-rule-unknown');
      await notice.getByRole('link', { name: 'Back to all rules and alerts' }).click();
      await page.waitForURL((url) => url.pathname === '/alerts');

      // The rule's page for a tenant without it, then back to the default tenant.
      await page.goto(`${server.url}/alerts/rule/${NAMESPACE}/${encodeURIComponent(GROUP)}/${encodeURIComponent(RULE)}`);
      await page.getByRole('list', { name: `Alerts of ${RULE}` }).waitFor();
      const tenant = page.getByLabel('Tenant (X-Scope-OrgID)');
      await tenant.fill('nobody');
      await tenant.press('Enter');
      await page.getByRole('status').filter({ hasText: `No such rule: ${RULE}` }).filter({ hasText: 'for tenant nobody' }).waitFor();
      await tenant.fill('');
      await tenant.press('Enter');
      await page.getByRole('list', { name: `Alerts of ${RULE}` }).getByText('service=payments').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});
