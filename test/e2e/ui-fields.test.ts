/**
 * Explore's fields sidebar and the column picker (Explore and Live tail) in a real browser
 * against a real server: for pushed JSON and logfmt lines of two streams, the sidebar lists the
 * stream labels, structured metadata and parsed fields with the counts and top values of the lines
 * shown; clicking a value filters for it, ≠ against it (URL and lines follow); a field shown as a
 * column shows each row's value, in Explore and in Live tail, and each page remembers its own
 * columns. Needs `npm run build` first (this test does not build).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ServerHandle } from './harness.js';
import { browserUnavailable, closeBrowserAndServer, collectPageErrors, launchBrowser, newPage, pushStreams, screenshot } from './browser.js';

const skip = browserUnavailable();

type Values = ([string, string] | [string, string, Record<string, string>])[];
type Streams = { stream: Record<string, string>; values: Values }[];

/** One pushed line and what it carries, so the expectations are computed from the data. */
interface Pushed {
  /** Nanoseconds. */
  ts: string;
  labels: Record<string, string>;
  metadata: Record<string, string>;
  /** The fields as `| json` / `| logfmt` name them. */
  fields: Record<string, string>;
  line: string;
}

/** `{app="fields", env="prod"}`: 12 JSON lines (some with metadata); `env="dev"`: 8 logfmt lines. */
function dataset(nowMs: number): Pushed[] {
  const out: Pushed[] = [];
  // Distinct timestamps a second apart, the newest a minute ago.
  const ts = (): string => (BigInt(nowMs - 60_000 - out.length * 1000) * 1_000_000n).toString();
  for (let i = 0; i < 12; i++) {
    const status = i % 4 === 3 ? 500 : 200;
    const obj = { status, route: `/r${i % 3}`, user: { id: i % 2 } };
    out.push({ ts: ts(), labels: { app: 'fields', env: 'prod' }, metadata: i % 2 === 0 ? { tier: 'gold' } : {}, fields: { status: String(status), route: obj.route, user_id: String(i % 2) }, line: JSON.stringify(obj) });
  }
  for (let i = 0; i < 8; i++) {
    const method = i % 4 === 0 ? 'POST' : 'GET';
    const cache = i % 2 === 0 ? 'hit' : 'miss';
    out.push({ ts: ts(), labels: { app: 'fields', env: 'dev' }, metadata: {}, fields: { method, cache, took: `${i}ms` }, line: `method=${method} cache=${cache} took=${i}ms` });
  }
  return out;
}

function toStreams(lines: Pushed[]): Streams {
  const by = new Map<string, Streams[number]>();
  for (const p of lines) {
    const key = JSON.stringify(p.labels);
    if (!by.has(key)) by.set(key, { stream: p.labels, values: [] });
    by.get(key)!.values.push(Object.keys(p.metadata).length ? [p.ts, p.line, p.metadata] : [p.ts, p.line]);
  }
  return [...by.values()];
}

/** What the sidebar must show for `name`: lines with it and its values, most frequent first (ties by value). */
function expected(lines: Pushed[], pick: (p: Pushed) => string | undefined): { count: number; values: string[] } {
  const counts = new Map<string, number>();
  for (const p of lines) {
    const v = pick(p);
    if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const total = lines.length;
  const share = (c: number): string => `${Math.round((c / total) * 1000) / 10}%`;
  const values = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 5)
    .map(([v, c]) => `${v} ${c} ${share(c)}`);
  return { count: [...counts.values()].reduce((a, b) => a + b, 0), values };
}

const sidebar = (page: Page) => page.getByRole('complementary', { name: 'Fields' });
const rows = (page: Page) => page.locator('.log-row-main');
const returned = (page: Page): Promise<string> => page.locator('[title="Entries returned"] b').innerText();

/** Opens a field in the sidebar and reads its values as `value count share`. */
async function openField(page: Page, name: string, total: number, count: number): Promise<string[]> {
  const button = sidebar(page).getByRole('button', { name: new RegExp(`^${name}: in ${count} of ${total} lines, `) });
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  const list = sidebar(page).getByRole('list', { name: `Top values of ${name}` });
  await list.waitFor();
  return list.locator('.fs-value').evaluateAll((lis) => lis.map((li) => ['.fs-v', '.fs-n', '.fs-p'].map((c) => li.querySelector(c)?.textContent ?? '').join(' ')));
}

/** Each rendered row's column cells, and the line they belong to. */
async function rowColumns(page: Page): Promise<{ cols: string[]; line: string }[]> {
  return rows(page).evaluateAll((els) => els.map((el) => ({ cols: [...el.querySelectorAll('.log-col')].map((c) => c.textContent ?? ''), line: el.querySelector('.log-line')?.textContent ?? '' })));
}

/** The value of `name` in a JSON or logfmt test line, as a column shows it ('–' when absent). */
function valueIn(line: string, name: string): string {
  if (line.startsWith('{')) {
    const v = (JSON.parse(line) as Record<string, unknown>)[name];
    return v === undefined ? '–' : String(v);
  }
  const m = new RegExp(`(?:^| )${name}=(\\S+)`).exec(line);
  return m ? m[1] : '–';
}

describe('fields sidebar and columns (browser)', { skip }, () => {
  let server: ServerHandle;
  let browser: Browser;
  let lines: Pushed[];
  before(async () => {
    server = await startServer();
    lines = dataset(Date.now());
    await pushStreams(server, toStreams(lines));
    browser = await launchBrowser();
  });
  after(() => closeBrowserAndServer(browser, server));

  it('Explore: the sidebar counts the shown lines; values filter for and against; fields become columns', { timeout: 90_000 }, async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 720 });
    const errors = collectPageErrors(page);
    try {
      const base = '{app="fields"}';
      const open = (q: string) => page.goto(`${server.url}/explore?${new URLSearchParams({ query: q, from: 'now-1h', to: 'now' })}`);
      await open(base);
      const total = lines.length;
      await sidebar(page).getByText(`in the ${total} lines shown`).waitFor();

      // Stream labels, metadata and fields of both formats, with counts and top values.
      for (const [name, pick] of [
        ['env', (p: Pushed) => p.labels.env],
        ['app', (p: Pushed) => p.labels.app],
        ['tier', (p: Pushed) => p.metadata.tier],
        ['status', (p: Pushed) => p.fields.status],
        ['route', (p: Pushed) => p.fields.route],
        ['user_id', (p: Pushed) => p.fields.user_id],
        ['method', (p: Pushed) => p.fields.method],
        ['cache', (p: Pushed) => p.fields.cache],
      ] as const) {
        const want = expected(lines, pick);
        assert.deepEqual(await openField(page, name, total, want.count), want.values, name);
      }
      // The sections say where each name comes from.
      assert.equal(await sidebar(page).getByRole('region', { name: 'Stream labels' }).getByRole('button', { name: /^env: / }).count(), 1);
      assert.equal(await sidebar(page).getByRole('region', { name: 'Structured metadata' }).getByRole('button', { name: /^tier: / }).count(), 1);
      assert.equal(await sidebar(page).getByRole('region', { name: 'Fields', exact: true }).getByRole('heading').textContent(), 'Fields (json, logfmt)');
      // `took` has 8 distinct values: five are listed, and how many more there are.
      await openField(page, 'took', total, 8);
      await sidebar(page).getByRole('list', { name: 'Top values of took' }).getByText('3 more values').waitFor();
      await screenshot(page, 'explore-fields-sidebar');

      // Keyboard: the find box narrows the list; Tab reaches the field, Enter opens and closes it.
      await sidebar(page).getByRole('searchbox', { name: 'Find a field' }).fill('rout');
      assert.deepEqual(await sidebar(page).locator('.fs-name').allInnerTexts(), ['route']);
      await sidebar(page).getByRole('searchbox', { name: 'Find a field' }).focus();
      await page.keyboard.press('Tab');
      const route = sidebar(page).getByRole('button', { name: /^route: / });
      assert.equal(await route.evaluate((el) => el === document.activeElement), true, 'Tab moves to the field');
      await page.keyboard.press('Enter');
      assert.equal(await route.getAttribute('aria-expanded'), 'false', 'Enter closed the open field');
      await page.keyboard.press('Enter');
      assert.equal(await route.getAttribute('aria-expanded'), 'true');
      await sidebar(page).getByRole('searchbox', { name: 'Find a field' }).fill('');

      // FOR a JSON field's value: `| json | status="500"`, only those lines.
      await sidebar(page).getByRole('button', { name: 'Filter for status="500"' }).click();
      await page.waitForFunction((q) => new URL(location.href).searchParams.get('query') === q, `${base} | json | status="500"`);
      const with500 = lines.filter((p) => p.fields.status === '500');
      await page.waitForFunction((n) => document.querySelector('[title="Entries returned"] b')?.textContent === String(n), with500.length);
      assert.deepEqual((await page.locator('.log-line').allInnerTexts()).sort(), with500.map((p) => p.line).sort());
      // The sidebar recounts the new result (now the server's parsed labels).
      assert.deepEqual(await openField(page, 'status', with500.length, with500.length), [`500 ${with500.length} 100%`]);

      // AGAINST a logfmt field's value: `| logfmt | method!="GET"` keeps the lines without it.
      await open(base);
      await sidebar(page).getByText(`in the ${total} lines shown`).waitFor();
      await openField(page, 'method', total, expected(lines, (p) => p.fields.method).count);
      await sidebar(page).getByRole('button', { name: 'Filter against method="GET"' }).click();
      await page.waitForFunction((q) => new URL(location.href).searchParams.get('query') === q, `${base} | logfmt | method!="GET"`);
      const notGet = lines.filter((p) => p.fields.method !== 'GET');
      await page.waitForFunction((n) => document.querySelector('[title="Entries returned"] b')?.textContent === String(n), notGet.length);
      assert.deepEqual((await page.locator('.log-line').allInnerTexts()).sort(), notGet.map((p) => p.line).sort());

      // AGAINST a stream label: into the selector.
      await open(base);
      await openField(page, 'env', total, total);
      await sidebar(page).getByRole('button', { name: 'Filter against env="prod"' }).click();
      await page.waitForFunction((q) => new URL(location.href).searchParams.get('query') === q, '{app="fields", env!="prod"}');
      const dev = lines.filter((p) => p.labels.env !== 'prod');
      await page.waitForFunction((n) => document.querySelector('[title="Entries returned"] b')?.textContent === String(n), dev.length);
      assert.ok((await page.locator('.log-line').allInnerTexts()).every((l) => l.startsWith('method=')));

      // Columns: status and method between the level and the line, each row showing its own value.
      await open(base);
      await page.waitForFunction((n) => document.querySelector('[title="Entries returned"] b')?.textContent === String(n), total);
      await sidebar(page).getByRole('button', { name: 'Show status as a column' }).click();
      await sidebar(page).getByRole('button', { name: 'Show method as a column' }).click();
      assert.equal(await sidebar(page).getByRole('button', { name: 'Show status as a column' }).getAttribute('aria-pressed'), 'true');
      const head = page.getByRole('group', { name: 'Columns', exact: true });
      assert.deepEqual(await head.locator('.log-col-name').allInnerTexts(), ['status', 'method']);
      let shown = await rowColumns(page);
      assert.equal(shown.length, total);
      for (const r of shown) assert.deepEqual(r.cols, [valueIn(r.line, 'status'), valueIn(r.line, 'method')], r.line);
      // The header lines up with the rows.
      const [hx, rx] = await Promise.all([head.locator('.log-col').first().boundingBox(), rows(page).first().locator('.log-col').first().boundingBox()]);
      assert.ok(hx && rx && Math.abs(hx.x - rx.x) < 1 && Math.abs(hx.width - rx.width) < 1, 'header and row columns aligned');
      await screenshot(page, 'explore-columns');

      // Remembered across a reload; removed from the header.
      await page.reload();
      await page.waitForFunction(() => document.querySelectorAll('.log-row-main .log-col').length > 0);
      assert.deepEqual(await head.locator('.log-col-name').allInnerTexts(), ['status', 'method']);
      await head.getByRole('button', { name: 'Remove column status' }).click();
      assert.deepEqual(await head.locator('.log-col-name').allInnerTexts(), ['method']);
      shown = await rowColumns(page);
      for (const r of shown) assert.deepEqual(r.cols, [valueIn(r.line, 'method')], r.line);
      assert.equal(await page.evaluate(() => localStorage.getItem('logsentinel.columns.explore')), '["method"]');
      // The unique labels still show beside the columns (env differs between the rows).
      assert.deepEqual([...new Set(await page.locator('.log-row-main .log-label').allInnerTexts())].sort(), ['dev', 'prod']);

      // Collapsed, the sidebar stays collapsed across a reload, and opens again.
      await sidebar(page).getByRole('button', { name: 'Hide the fields sidebar' }).click();
      const reopen = sidebar(page).getByRole('button', { name: /^Fields/ });
      assert.equal(await reopen.getAttribute('aria-expanded'), 'false');
      await page.reload();
      await rows(page).first().waitFor();
      assert.equal(await sidebar(page).getByRole('button', { name: /^Fields/ }).getAttribute('aria-expanded'), 'false');
      await sidebar(page).getByRole('button', { name: /^Fields/ }).click();
      await sidebar(page).getByText(`in the ${total} lines shown`).waitFor();

      // Light theme.
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
      await openField(page, 'status', total, expected(lines, (p) => p.fields.status).count);
      const bg = await sidebar(page).evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(bg, 'rgb(245, 246, 248)', 'the light --bg-raised');
      await screenshot(page, 'explore-fields-light');
      assert.equal(await returned(page), String(total));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('Live tail: the column picker lists what the buffer holds and shows the chosen field in every row', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 720 });
    const errors = collectPageErrors(page);
    try {
      // Explore's columns are its own.
      await page.goto(server.url + '/explore');
      await page.evaluate(() => localStorage.setItem('logsentinel.columns.explore', '["status"]'));
      await page.goto(server.url + '/tail');
      await page.getByRole('textbox', { name: 'Log query to follow' }).fill('{app="tailfields"}');
      await page.getByRole('button', { name: 'Start following' }).click();
      await page.getByRole('status', { name: 'Tail status: Live' }).waitFor({ timeout: 10_000 });
      const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
      const batch = (k: number): Streams => [
        { stream: { app: 'tailfields', pod: 'a' }, values: [[nowNs().toString(), `code=${200 + k} user=u${k} msg="tail ${k}"`]] },
        { stream: { app: 'tailfields', pod: 'b' }, values: [[(nowNs() + 1n).toString(), JSON.stringify({ code: 300 + k, region: 'eu', msg: `tail json ${k}` })]] },
      ];
      for (let k = 0; k < 3; k++) await pushStreams(server, batch(k));
      await page.getByText('tail json 2').waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('.log-row-main .log-col').count(), 0, 'no columns yet on this page');

      const picker = page.getByRole('button', { name: /^Columns/ });
      await picker.click();
      const panel = page.getByRole('group', { name: 'Columns to show' });
      await panel.waitFor();
      // Everything the buffer holds, by kind.
      const legend = async (title: string): Promise<string[]> => panel.locator('fieldset', { has: page.locator('legend', { hasText: new RegExp(`^${title}$`) }) }).locator('label').allInnerTexts();
      // The tail's stream labels may carry the detected level too (as Loki 3's do).
      const streamLabels = await legend('Stream labels');
      assert.ok(streamLabels.includes('app') && streamLabels.includes('pod'), streamLabels.join());
      assert.deepEqual(streamLabels, [...streamLabels].sort());
      assert.deepEqual(await legend('Fields'), ['code', 'msg', 'region', 'user']);
      await panel.getByRole('checkbox', { name: 'code' }).check();
      await screenshot(page, 'tail-column-picker');
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      assert.equal(await picker.innerText(), 'Columns (1) ▾');

      let shown = await rowColumns(page);
      assert.equal(shown.length, 6);
      for (const r of shown) assert.deepEqual(r.cols, [valueIn(r.line, 'code')], r.line);
      // Lines arriving later show it too.
      await pushStreams(server, batch(7));
      await page.getByText('tail json 7').waitFor({ timeout: 10_000 });
      shown = await rowColumns(page);
      assert.equal(shown.length, 8);
      for (const r of shown) assert.deepEqual(r.cols, [valueIn(r.line, 'code')], r.line);
      assert.deepEqual(
        shown.slice(0, 2).map((r) => r.cols[0]).sort(),
        ['207', '307'],
        'the newest rows',
      );
      await screenshot(page, 'tail-columns');

      // Remembered for this page only.
      assert.equal(await page.evaluate(() => localStorage.getItem('logsentinel.columns.tail')), '["code"]');
      assert.equal(await page.evaluate(() => localStorage.getItem('logsentinel.columns.explore')), '["status"]');
      await page.reload();
      await page.getByRole('status', { name: 'Tail status: Live' }).waitFor({ timeout: 10_000 });
      await pushStreams(server, batch(8));
      await page.getByText('tail json 8').waitFor({ timeout: 10_000 });
      assert.deepEqual(await page.getByRole('group', { name: 'Columns', exact: true }).locator('.log-col-name').allInnerTexts(), ['code']);
      const row = page.locator('.log-row-main', { hasText: 'tail json 8' });
      assert.equal(await row.locator('.log-col').innerText(), '308');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
