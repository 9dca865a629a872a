/**
 * Browser tests: playwright-core driving Debian's Chromium (no browser download), against a real
 * LogSentinel started by the harness. Screenshots go to test-artifacts/screenshots/.
 *
 * Chromium comes from `apt-get install chromium` (.ci/run does it); LOGSENTINEL_TEST_CHROMIUM
 * points elsewhere. Without it the tests fail under CI=true and are skipped, saying why, elsewhere.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { removeDir, ROOT, type ServerHandle } from './harness.js';

export const CHROMIUM = process.env.LOGSENTINEL_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(ROOT, 'test-artifacts', 'screenshots');

/** Why browser tests cannot run here, or undefined when they can. Under CI a missing browser is a failure. */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM) && existsSync(join(ROOT, 'dist/ui/index.html'))) return undefined;
  const why = !existsSync(CHROMIUM)
    ? `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set LOGSENTINEL_TEST_CHROMIUM)`
    : 'the web UI is not built (npm run build writes dist/ui)';
  if (process.env.CI === 'true') throw new Error(`browser tests cannot run in CI: ${why}`);
  return why;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI needs --no-sandbox; the rest keeps Chromium off the (closed) network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context (own storage) at a laptop-sized viewport, in the given colour scheme. */
export async function newPage(browser: Browser, opts: { colorScheme?: 'dark' | 'light'; width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1366, height: opts.height ?? 800 },
    colorScheme: opts.colorScheme ?? 'dark',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  return { context, page };
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects uncaught page errors and console errors, so a test can assert the page stayed clean. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Closes what a browser suite's `before` started: the browser, then the server and its data directory. */
export async function closeBrowserAndServer(browser: Browser | undefined, server: ServerHandle | undefined): Promise<void> {
  await browser?.close();
  if (server) {
    await server.stop();
    removeDir(server.dataDir);
  }
}

/** Pushes Loki JSON streams (`values`: [ts, line] or [ts, line, metadata]) and expects 204. */
export async function pushStreams(s: ServerHandle, streams: Array<{ stream: Record<string, string>; values: Array<string[] | [string, string, Record<string, string>]> }>, tenant?: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(tenant ? { 'X-Scope-OrgID': tenant } : {}) };
  const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers, body: JSON.stringify({ streams }) });
  assert.equal(r.status, 204, await r.text());
}
