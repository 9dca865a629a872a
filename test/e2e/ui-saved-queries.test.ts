/**
 * Saved queries in Explore, in headless Chromium against a real LogSentinel with authentication
 * on (docs/ui.md "Saved queries"): ann (tenant team-a, scopes logs:read and rules:write) saves
 * the query in the editor with its range, is told when a name is taken, finds it again after a
 * reload, opens it (the query and range land in the URL and its lines show), renames it; bob
 * (tenant team-b, logs:read only) sees none of team-a's queries and is told saving needs
 * rules:write; ann deletes it. Screenshots go to test-artifacts/screenshots/. The UI must be
 * built first (`npm run build`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, closeBrowserAndServer, collectPageErrors, launchBrowser, newPage, screenshot } from './browser.js';
import { startServer, type ServerHandle } from './harness.js';
import { adminCredentials, api } from './auth-helpers.js';
import { randomSecret } from '../../src/auth/token.js';
import { registerSecret } from '../../src/testing/secrets.js';

const skip = browserUnavailable();

const ANN = 'ann-' + randomSecret(9);
const BOB = 'bob-' + randomSecret(9);
registerSecret(ANN, BOB);

const QUERY = '{service="api"} |= "error"';
const editor = (page: Page) => page.getByRole('combobox', { name: 'LogQL query' });
const panel = (page: Page) => page.getByRole('dialog', { name: 'Saved queries' });
const savedList = (page: Page) => panel(page).getByRole('list', { name: 'Saved queries list' });

/** Chromium logs every refused request (401 before the login, the 409 of a taken name) as a console error. */
function unexpected(messages: string[]): string[] {
  return messages.filter((m) => !/Failed to load resource: the server responded with a status of (401|409)/.test(m));
}

describe('saved queries in Explore (browser)', { skip, timeout: 180_000 }, () => {
  const admin = adminCredentials();
  let server: ServerHandle;
  let browser: Browser;

  before(async () => {
    server = await startServer({ auth: true, env: admin.env });
    const user = async (name: string, password: string, scopes: string[], tenant: string): Promise<void> => {
      const r = await api(server.url, admin.token, 'POST', '/api/v1/auth/users', { name, password, scopes, tenants: [tenant] });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    };
    await user('ann', ANN, ['logs:read', 'rules:write'], 'team-a');
    await user('bob', BOB, ['logs:read'], 'team-b');
    const now = BigInt(Date.now()) * 1_000_000n;
    for (const [tenant, word] of [['team-a', 'alpha'], ['team-b', 'bravo']]) {
      const values = Array.from({ length: 12 }, (_, i) => [(now - BigInt(12 - i) * 60_000_000_000n).toString(), `level=${i % 3 === 0 ? 'error' : 'info'} msg="${word} request ${i}" ${i % 3 === 0 ? 'error' : 'ok'}`]);
      const r = await fetch(server.url + '/loki/api/v1/push', {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin.token}`, 'X-Scope-OrgID': tenant, 'Content-Type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream: { service: 'api' }, values }] }),
      });
      assert.equal(r.status, 204, await r.text());
    }
    browser = await launchBrowser();
  });

  after(() => closeBrowserAndServer(browser, server));

  async function logIn(page: Page, user: string, password: string): Promise<void> {
    await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await editor(page).waitFor();
  }

  it('saves, finds after a reload, opens, renames; another tenant sees none of it; deletes', async () => {
    const { context, page } = await newPage(browser, { width: 1366, height: 800 });
    const errors = collectPageErrors(page);
    const qs = new URLSearchParams({ query: QUERY, from: 'now-6h', to: 'now' });
    await page.goto(`${server.url}/explore?${qs.toString()}`);
    await logIn(page, 'ann', ANN);
    await page.locator('.log-row-main').first().waitFor();

    // Save the query in the editor, keeping its range.
    await page.getByRole('button', { name: 'Saved queries' }).click();
    await panel(page).getByLabel('Name', { exact: true }).fill('API errors');
    await panel(page).getByLabel('Description', { exact: true }).fill('what pages the on-call');
    assert.equal(await panel(page).getByLabel(/Keep the time range \(Last 6 hours\)/).isChecked(), true);
    await panel(page).getByRole('button', { name: 'Save', exact: true }).click();
    await panel(page).getByRole('status').getByText('Saved “API errors”.').waitFor();
    await savedList(page).getByRole('listitem', { name: 'API errors' }).waitFor();

    // The same name again, in other case: the server's 409 is shown beside the form.
    await panel(page).getByLabel('Name', { exact: true }).fill('api ERRORS');
    await panel(page).getByRole('button', { name: 'Save', exact: true }).click();
    const refusal = panel(page).locator('.saved-form').getByRole('alert');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /^HTTP 409: cannot save query "api ERRORS": tenant team-a already has a saved query named "API errors"/);
    await screenshot(page, 'explore-saved-queries');

    // On the server, for the tenant, with its author and range.
    const cookie = (await context.cookies(server.url)).find((c) => c.name === 'ls_session')!;
    registerSecret(cookie.value);
    const stored = await api(server.url, admin.token, 'GET', '/api/v1/saved-queries', undefined);
    assert.deepEqual(stored.body.savedQueries, [], "the admin token's default tenant has none");
    const forA = await fetch(server.url + '/api/v1/saved-queries', { headers: { Authorization: `Bearer ${admin.token}`, 'X-Scope-OrgID': 'team-a' } }).then((r) => r.json());
    assert.equal(forA.savedQueries.length, 1);
    assert.deepEqual({ name: forA.savedQueries[0].name, query: forA.savedQueries[0].query, range: forA.savedQueries[0].range, createdBy: forA.savedQueries[0].createdBy, description: forA.savedQueries[0].description }, { name: 'API errors', query: QUERY, range: { from: 'now-6h', to: 'now' }, createdBy: 'ann', description: 'what pages the on-call' });

    // A fresh Explore, reloaded: the saved query is found by searching, opened, and runs.
    await page.goto(`${server.url}/explore`);
    await page.reload();
    await page.getByRole('button', { name: 'Saved queries' }).click();
    await panel(page).getByLabel('Search saved queries').fill('errors');
    const row = savedList(page).getByRole('listitem', { name: 'API errors' });
    await row.waitFor();
    await panel(page).getByLabel('Search saved queries').fill('latency');
    await panel(page).getByText('No saved query has “latency” in its name.').waitFor();
    await panel(page).getByLabel('Search saved queries').fill('api');
    await row.getByRole('button', { name: 'Open API errors' }).click();
    await page.locator('.log-row-main').first().waitFor();
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('query'), QUERY);
    assert.equal(url.searchParams.get('from'), 'now-6h');
    const shown = await page.locator('.log-row-main').allTextContents();
    assert.equal(shown.length, 4, shown.join('\n'));
    for (const l of shown) assert.match(l, /alpha request \d+" error/);
    assert.equal(await panel(page).count(), 0, 'opening closes the panel');
    await screenshot(page, 'explore-saved-query-opened');

    // Rename.
    await page.getByRole('button', { name: 'Saved queries' }).click();
    await savedList(page).getByRole('button', { name: 'Rename API errors' }).click();
    await savedList(page).getByLabel('New name for API errors').fill('API errors (6 h)');
    await savedList(page).getByRole('button', { name: 'Rename', exact: true }).click();
    await savedList(page).getByRole('listitem', { name: 'API errors (6 h)' }).waitFor();

    // bob, in team-b with logs:read only, sees none of team-a's queries and may not save.
    const bob = await newPage(browser, { width: 1366, height: 800 });
    await bob.page.goto(`${server.url}/explore`);
    await logIn(bob.page, 'bob', BOB);
    await bob.page.getByRole('button', { name: 'Saved queries' }).click();
    await panel(bob.page).getByText('No saved queries for this tenant yet').waitFor();
    await panel(bob.page).getByText('Saving, renaming and deleting need scope rules:write').waitFor();
    assert.equal(await panel(bob.page).getByRole('button', { name: 'Save', exact: true }).isDisabled(), true);
    await screenshot(bob.page, 'explore-saved-queries-read-only');
    await bob.context.close();

    // Delete, asked twice; gone on the server too.
    await savedList(page).getByRole('button', { name: 'Delete API errors (6 h)' }).click();
    await savedList(page).getByRole('button', { name: 'Really delete API errors (6 h)' }).click();
    await panel(page).getByText('No saved queries for this tenant yet').waitFor();
    const after = await fetch(server.url + '/api/v1/saved-queries', { headers: { Authorization: `Bearer ${admin.token}`, 'X-Scope-OrgID': 'team-a' } }).then((r) => r.json());
    assert.deepEqual(after.savedQueries, []);

    assert.deepEqual(unexpected(errors), []);
    await context.close();
  });
});
