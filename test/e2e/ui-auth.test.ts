/**
 * Authentication in the web UI, in headless Chromium against a real LogSentinel with auth on
 * (docs/specs/auth.md, docs/ui.md): a user logs in (a wrong password first), queries in Explore
 * and tails as their default tenant, sees only their tenants in the picker, is sent back to the
 * login when their session ends and returns where they were; an admin creates a user and a token
 * on the admin page, the token works from outside the browser until it is revoked there; logout
 * ends the session on the server; and a form on another origin posting `text/plain` to the push
 * and rules endpoints while the admin is logged in changes nothing. Screenshots of the login and
 * admin pages go to test-artifacts/screenshots/. The UI must be built first (`npm run build`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserUnavailable, launchBrowser, newPage, screenshot } from './browser.js';
import { removeDir, startServer, type ServerHandle } from './harness.js';
import { registerSecret } from '../../src/testing/secrets.js';

const skip = browserUnavailable();

const ADMIN_PASSWORD = 'admin-' + randomBytes(9).toString('base64url');
const ADMIN_TOKEN = `lst_${'abcdefghijkl'}_${randomBytes(32).toString('base64url')}`;
const ANN_PASSWORD = 'ann-' + randomBytes(9).toString('base64url');
const ANN_NEW_PASSWORD = 'ann2-' + randomBytes(9).toString('base64url');
const TENANT_LABEL = 'Tenant (X-Scope-OrgID)';
// The server logs are searched for these after the run (src/testing/secrets.ts).
registerSecret(ADMIN_PASSWORD, ADMIN_TOKEN, ANN_PASSWORD, ANN_NEW_PASSWORD, 'carl-password-1', 'carl-password-2', 'not-her-password', 'one-more-guess', ...Array.from({ length: 8 }, (_, i) => 'wrong-guess-' + i));

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

interface Answer {
  status: number;
  text: string;
  retryAfter: string | null;
}

async function call(s: ServerHandle, path: string, opts: { method?: string; token?: string; tenant?: string; body?: unknown; cookie?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.tenant) headers['X-Scope-OrgID'] = opts.tenant;
  if (opts.cookie) headers.Cookie = opts.cookie;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(s.url + path, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  return { status: r.status, text: await r.text(), retryAfter: r.headers.get('retry-after') };
}

async function push(s: ServerHandle, tenant: string, service: string, lines: string[], token = ADMIN_TOKEN): Promise<Answer> {
  const values = lines.map((l, i) => [(nowNs() + BigInt(i)).toString(), l]);
  return call(s, '/loki/api/v1/push', { method: 'POST', token, tenant, body: { streams: [{ stream: { service }, values }] } });
}

/** The lines of `query` over the last hour, as `tenant`, with the admin token unless another is given. */
async function lines(s: ServerHandle, tenant: string, query: string, token = ADMIN_TOKEN): Promise<string[]> {
  const qs = new URLSearchParams({ query, start: ((nowNs() - 3_600_000_000_000n)).toString(), end: (nowNs() + 1_000_000_000n).toString(), limit: '1000' });
  const r = await call(s, `/loki/api/v1/query_range?${qs.toString()}`, { token, tenant });
  assert.equal(r.status, 200, r.text);
  const body = JSON.parse(r.text) as { data: { result: { values: [string, string][] }[] } };
  return body.data.result.flatMap((st) => st.values.map((v) => v[1]));
}

/** Asks until the answer has status `want` (changes reach every process within 5 s), and returns the last status. */
async function statusWithin(ask: () => Promise<Answer>, want: number): Promise<number> {
  let status = 0;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    status = (await ask()).status;
    if (status === want) break;
  }
  return status;
}

/** Chromium logs every 401 and 429 answer as a console error; the login page expects them. */
function unexpected(messages: string[]): string[] {
  return messages.filter((m) => !/Failed to load resource: the server responded with a status of (401|429)/.test(m));
}

describe('web UI authentication', { skip, timeout: 240_000 }, () => {
  let server: ServerHandle;
  let browser: Browser;
  let evil: Server;
  let evilUrl = '';

  before(async () => {
    server = await startServer({
      auth: true,
      env: { LOGSENTINEL_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD, LOGSENTINEL_AUTH_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    const made = await call(server, '/api/v1/auth/users', { method: 'POST', token: ADMIN_TOKEN, body: { name: 'ann', password: ANN_PASSWORD, scopes: ['logs:read', 'rules:read'], tenants: ['team-a', 'team-b'], defaultTenant: 'team-a' } });
    assert.equal(made.status, 201, made.text);
    for (const [tenant, word] of [['team-a', 'alpha'], ['team-b', 'bravo'], ['team-c', 'charlie']]) {
      const r = await push(server, tenant, 'web', [1, 2, 3].map((i) => `level=info msg="${word} line ${i}"`));
      assert.equal(r.status, 204, r.text);
    }
    // A second origin (another port: same site, so the SameSite=Strict cookie does travel and the
    // server's own CSRF defences are what is tested) whose pages post forms to LogSentinel.
    evil = createServer((req, res) => {
      const target = req.url === '/rules.html' ? '/loki/api/v1/rules/csrf-ns' : '/loki/api/v1/push';
      // text/plain forms send `name=value`: a field name ending in `"pad":"` and the value `"}`
      // make the body valid JSON, and the YAML rule group reads `x: =y` as a string.
      const push = { name: '{"streams":[{"stream":{"service":"csrf"},"values":[["' + nowNs().toString() + '","forged line"]]}],"pad":"', value: '"}' };
      const rules = { name: 'name: csrf-group\nrules:\n  - alert: Forged\n    expr: sum(count_over_time({service="csrf"}[1m])) > 0\n    labels:\n      x: ', value: 'y' };
      const f = req.url === '/rules.html' ? rules : push;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>a harmless page</title><form method="post" enctype="text/plain" action="${server.url}${target}"><textarea name="${f.name.replace(/"/g, '&quot;')}">${f.value}</textarea></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((r) => (evil ? evil.close(() => r()) : r()));
    if (server) {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  async function logIn(page: Page, user: string, password: string): Promise<void> {
    await page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  async function sessionCookie(context: BrowserContext): Promise<string> {
    const c = (await context.cookies(server.url)).find((k) => k.name === 'ls_session');
    assert.ok(c, 'the login set the ls_session cookie');
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Strict');
    registerSecret(c.value);
    return `ls_session=${c.value}`;
  }

  it('a user logs in (a wrong password first), explores and tails only their tenants, and returns where they were after the session ends', async () => {
    const { context, page } = await newPage(browser);
    const consoleText: string[] = [];
    const errors: string[] = [];
    page.on('console', (m) => {
      consoleText.push(m.text());
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    try {
      const wanted = '/explore?query=' + encodeURIComponent('{service="web"}');
      await page.goto(server.url + wanted);
      await logIn(page, 'ann', 'not-her-password');
      await page.getByRole('alert').filter({ hasText: 'Wrong user name or password.' }).waitFor();
      assert.equal(await page.getByLabel('Password').inputValue(), '', 'the wrong password is cleared');
      await screenshot(page, 'login-error');

      await page.getByLabel('Password').fill(ANN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      // Explore at the address asked for, as ann's default tenant.
      await page.getByText('alpha line 3').waitFor({ timeout: 15_000 });
      assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, wanted);
      assert.equal(await page.getByText(/bravo|charlie/).count(), 0);
      assert.equal(await page.getByTestId('user-name').innerText(), 'ann');
      const cookie = await sessionCookie(context);

      // Only her tenants; no admin page for her.
      const picker = page.getByRole('combobox', { name: TENANT_LABEL });
      assert.deepEqual(await picker.locator('option').allTextContents(), ['team-a (default)', 'team-b']);
      assert.equal(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Admin' }).count(), 0);
      await picker.selectOption('team-b');
      await page.getByText('bravo line 3').waitFor({ timeout: 15_000 });
      assert.equal(await page.getByText(/alpha line/).count(), 0);

      // The live tail as team-b: the cookie authenticates the WebSocket upgrade.
      await page.getByRole('link', { name: 'Live tail' }).click();
      await page.getByRole('textbox', { name: 'Log query to follow' }).fill('{service="tail"}');
      await page.getByRole('button', { name: 'Start following' }).click();
      await page.getByRole('status', { name: 'Tail status: Live' }).waitFor({ timeout: 10_000 });
      assert.equal((await push(server, 'team-a', 'tail', ['tail line of team-a'])).status, 204);
      assert.equal((await push(server, 'team-b', 'tail', ['tail line of team-b'])).status, 204);
      await page.getByText('tail line of team-b').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByText('tail line of team-a').count(), 0);
      await page.getByRole('button', { name: 'Stop following' }).click();

      // The session ends (an admin sets a new password, which ends ann's sessions): the next call
      // gets 401 and the login page shows in place; after logging in she is back on the same page.
      const changed = await call(server, '/api/v1/auth/users/ann', { method: 'PATCH', token: ADMIN_TOKEN, body: { password: ANN_NEW_PASSWORD } });
      assert.equal(changed.status, 200, changed.text);
      // Validations are cached for up to 2 s (docs/specs/auth.md): wait until the old session is refused.
      assert.equal(await statusWithin(() => call(server, '/loki/api/v1/labels', { cookie }), 401), 401);
      const tailUrl = page.url();
      await page.getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor({ timeout: 15_000 });
      assert.match(page.url(), /\/overview/);
      await logIn(page, 'ann', ANN_NEW_PASSWORD);
      await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15_000 });
      assert.match(page.url(), /\/overview/);
      await page.goBack();
      assert.equal(page.url(), tailUrl);

      // The password went nowhere but the login request's body.
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      for (const pw of [ANN_PASSWORD, ANN_NEW_PASSWORD, 'not-her-password']) {
        assert.ok(!stored.includes(pw), 'no password in storage');
        assert.ok(!consoleText.some((t) => t.includes(pw)), 'no password on the console');
        assert.ok(!page.url().includes(pw), 'no password in the URL');
      }
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await context.close();
    }
  });

  it('an admin manages users and tokens; a token works until it is revoked on the page; logout ends the session', async () => {
    const { context, page } = await newPage(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    try {
      await page.goto(server.url + '/explore');
      await logIn(page, 'admin', ADMIN_PASSWORD);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Admin' }).click();
      await page.getByRole('heading', { name: 'Admin' }).waitFor();
      const users = page.getByRole('table', { name: 'Users' });
      await users.getByTestId('user-ann').waitFor({ timeout: 15_000 });
      assert.match(await users.getByTestId('user-admin').innerText(), /\(you\)/);

      // A user: create, disable, delete.
      await page.getByRole('button', { name: 'New user' }).click();
      const userForm = page.getByRole('form', { name: 'New user' });
      await userForm.getByLabel('User name').fill('carl');
      await userForm.getByLabel('Password', { exact: true }).fill('carl-password-1');
      await userForm.getByLabel('Repeat password').fill('carl-password-2');
      await userForm.getByRole('button', { name: 'Create user' }).click();
      await userForm.getByRole('alert').filter({ hasText: 'The passwords do not match.' }).waitFor();
      await userForm.getByLabel('Repeat password').fill('carl-password-1');
      await userForm.getByLabel('Tenants').fill('team-c');
      await userForm.getByRole('button', { name: 'Create user' }).click();
      const carl = users.getByTestId('user-carl');
      await carl.waitFor();
      assert.match(await carl.innerText(), /team-c/);
      await carl.getByRole('button', { name: 'Disable' }).click();
      await carl.getByText('disabled', { exact: true }).waitFor();
      const carlLogin = await call(server, '/api/v1/auth/login', { method: 'POST', body: { username: 'carl', password: 'carl-password-1' } });
      assert.equal(carlLogin.status, 401, 'a disabled user cannot log in');
      await carl.getByRole('button', { name: 'Delete…' }).click();
      await carl.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'User carl is deleted.' }).waitFor();
      // The status can show before the table re-renders: wait for the row to go.
      await users.getByTestId('user-carl').waitFor({ state: 'detached', timeout: 10_000 });
      assert.equal(await users.getByTestId('user-carl').count(), 0);

      // A token: create, shown once with a copy button.
      await page.getByRole('button', { name: 'New token' }).click();
      const tokenForm = page.getByRole('form', { name: 'New token' });
      await tokenForm.getByLabel('Name').fill('ui-test-agent');
      await tokenForm.getByRole('checkbox', { name: /logs:read/ }).check();
      await tokenForm.getByLabel('Tenants').fill('team-a');
      await tokenForm.getByLabel('Expires').selectOption('30d');
      await tokenForm.getByRole('button', { name: 'Create token' }).click();
      const box = page.getByRole('region', { name: 'New token' });
      await box.waitFor();
      assert.match(await box.innerText(), /it will not be shown again/);
      const token = await box.getByRole('textbox', { name: 'The new token' }).inputValue();
      assert.match(token, /^lst_[a-z2-7]{12}_[A-Za-z0-9_-]{32,}$/);
      registerSecret(token);
      await box.getByRole('button', { name: 'Copy' }).click();
      await box.getByText('Copied to the clipboard.').waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
      const id = token.split('_')[1];
      const row = page.getByRole('table', { name: 'API tokens' }).getByTestId(`token-${id}`);
      await row.waitFor();
      assert.match(await row.innerText(), /ui-test-agent[\s\S]*logs:read, logs:write[\s\S]*team-a[\s\S]*by admin[\s\S]*\(in 30 d\)[\s\S]*never[\s\S]*active/i);
      await screenshot(page, 'admin');
      await box.getByRole('button', { name: 'Done' }).click();
      assert.equal(await page.getByRole('region', { name: 'New token' }).count(), 0, 'the secret is gone from the page');
      assert.ok(!(await page.content()).includes(token.split('_')[2]), 'the secret is nowhere in the page');

      // The token works from outside the browser, for its tenant only.
      assert.equal((await push(server, 'team-a', 'agent', ['pushed with the new token'], token)).status, 204);
      assert.deepEqual(await lines(server, 'team-a', '{service="agent"}', token), ['pushed with the new token']);
      assert.equal((await push(server, 'team-b', 'agent', ['not my tenant'], token)).status, 403);

      // Revoke it on the page (asked twice); the server refuses it within seconds.
      await row.getByRole('button', { name: 'Revoke…' }).click();
      await row.getByRole('group', { name: /Revoke ui-test-agent\?/ }).waitFor();
      await row.getByRole('button', { name: 'Revoke', exact: true }).click();
      await row.getByText('revoked', { exact: true }).waitFor();
      assert.equal(await statusWithin(() => call(server, '/loki/api/v1/labels', { token, tenant: 'team-a' }), 401), 401, 'a revoked token is refused');
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
      await screenshot(page, 'admin-light');

      // Logout: the login page, and the old session cookie is refused.
      const cookie = await sessionCookie(context);
      assert.equal((await call(server, '/loki/api/v1/labels', { cookie, tenant: 'team-a' })).status, 200);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'You are logged out.' }).waitFor();
      await screenshot(page, 'login');
      assert.equal((await call(server, '/loki/api/v1/labels', { cookie, tenant: 'team-a' })).status, 401);
      assert.equal(await page.evaluate(() => fetch('/loki/api/v1/labels').then((r) => r.status)), 401);
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await context.close();
    }
  });

  it('a form on another origin cannot push logs or change rules with the logged-in session', async () => {
    const { context, page } = await newPage(browser);
    try {
      await page.goto(server.url + '/explore');
      await logIn(page, 'admin', ADMIN_PASSWORD);
      await page.getByTestId('user-name').waitFor({ timeout: 15_000 });
      await sessionCookie(context);

      for (const [path, target] of [
        ['/push.html', '/loki/api/v1/push'],
        ['/rules.html', '/loki/api/v1/rules/csrf-ns'],
      ]) {
        const answered = page.waitForResponse((r) => r.url() === server.url + target && r.request().method() === 'POST');
        await page.goto(evilUrl + path);
        const res = await answered;
        const sent = await res.request().allHeaders();
        assert.match(sent['content-type'] ?? '', /^text\/plain/);
        assert.match(sent.cookie ?? '', /ls_session=/, 'the browser sent the session cookie (same site), so the refusal is the server\'s own');
        assert.equal(res.status(), 415, `${target}: ${await res.text()}`);
      }
      // Nothing stored, nothing changed.
      assert.deepEqual(await lines(server, 'default', '{service="csrf"}'), []);
      const rules = await call(server, '/loki/api/v1/rules', { token: ADMIN_TOKEN });
      assert.ok(rules.status === 200 || rules.status === 404, rules.text);
      assert.doesNotMatch(rules.text, /csrf-group|Forged/);
    } finally {
      await context.close();
    }
  });

  // Last: it uses up failed logins (5 free per user name, 20 per address; then doubling lockouts).
  it('throttled logins say how long to wait and allow another try after it', async () => {
    // Eight real failures for one name lock it for 4 s (1, 2, 4 s after the sixth, seventh, eighth).
    for (let failures = 0; failures < 8; ) {
      const r = await call(server, '/api/v1/auth/login', { method: 'POST', body: { username: 'mallory', password: 'wrong-guess-' + failures } });
      if (r.status === 401) failures++;
      else if (r.status === 429) await new Promise((res) => setTimeout(res, Number(r.retryAfter ?? '1') * 1000));
      else assert.fail(`login answered ${r.status}: ${r.text}`);
    }
    const { context, page } = await newPage(browser);
    try {
      await page.goto(server.url + '/explore');
      await logIn(page, 'mallory', 'one-more-guess');
      const alert = page.getByRole('alert');
      await alert.filter({ hasText: /^Too many failed logins\. Try again in \d s\.$/ }).waitFor();
      const button = page.getByRole('button', { name: 'Log in' });
      assert.equal(await button.isDisabled(), true, 'no pointless attempts while locked');
      await screenshot(page, 'login-throttled');
      await alert.filter({ hasText: 'You can try again now.' }).waitFor({ timeout: 15_000 });
      assert.equal(await button.isDisabled(), false);
    } finally {
      await context.close();
    }
  });
});
