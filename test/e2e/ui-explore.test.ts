/**
 * The Explore page in a real browser against a real server: completion and running a query from
 * the keyboard, lines and the level histogram, expanding a row and filtering by a label and a
 * field (URL and results follow), a metric query's chart and legend, an inline parse error,
 * reload and back/forward reproducing the view, the light theme, and 5,000 lines in the
 * virtualised list. Needs `npx vite build --config ui/vite.config.ts` first (this test does not build).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ServerHandle } from './harness.js';
import { browserUnavailable, closeBrowserAndServer, collectPageErrors, launchBrowser, newPage, pushStreams, screenshot } from './browser.js';

const skip = browserUnavailable();

declare global {
  /** Defined in the page by an init script. */
  function returned(): string;
}

type Values = ([string, string] | [string, string, Record<string, string>])[];

const LEVELS = ['info', 'info', 'info', 'warn', 'error', 'debug'];

/** Three services over the last 50 minutes: api (JSON, two envs, trace ids), web (logfmt), worker (text). */
function dataset(nowMs: number): { stream: Record<string, string>; values: Values }[] {
  const ns = (ms: number, i: number): string => (BigInt(ms) * 1_000_000n + BigInt(i)).toString();
  const out: { stream: Record<string, string>; values: Values }[] = [];
  for (const env of ['prod', 'staging']) {
    const values: Values = [];
    for (let i = 0; i < 60; i++) {
      const level = LEVELS[i % LEVELS.length];
      const status = level === 'error' ? 500 : 200;
      const line = JSON.stringify({ level, msg: `request ${env} ${i}`, status, path: `/v1/items/${i}`, user: { id: i % 7 } });
      values.push([ns(nowMs - 50 * 60_000 + i * 50_000, i), line, { trace_id: `t${env[0]}${i}` }]);
    }
    out.push({ stream: { service: 'api', env }, values });
  }
  const web: Values = [];
  for (let i = 0; i < 80; i++) {
    const level = LEVELS[(i + 2) % LEVELS.length];
    web.push([ns(nowMs - 45 * 60_000 + i * 30_000, i), `level=${level} method=GET path=/page/${i % 5} duration=${10 + i}ms msg="served page"`]);
  }
  out.push({ stream: { service: 'web', env: 'prod' }, values: web });
  const worker: Values = [];
  for (let i = 0; i < 40; i++) worker.push([ns(nowMs - 40 * 60_000 + i * 60_000, i), `${i % 9 === 0 ? 'ERROR' : 'INFO'} job ${i} finished in ${i * 3} ms`]);
  out.push({ stream: { service: 'worker', env: 'prod' }, values: worker });
  return out;
}

const editor = (page: Page) => page.getByRole('combobox', { name: 'LogQL query' });
const rows = (page: Page) => page.locator('.log-row-main');
const queryParam = (page: Page): string => new URL(page.url()).searchParams.get('query') ?? '';

/** Replaces the editor's text (select all, insert as a paste would, so nothing auto-closes) and runs it with `runKey`. */
async function typeQuery(page: Page, q: string, runKey = 'Shift+Enter'): Promise<void> {
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(q);
  await page.keyboard.press('Escape');
  await page.keyboard.press(runKey);
}

/** Whether a canvas in `selector` has a pixel of the CSS variable `cssVar`'s colour. */
async function canvasHasColour(page: Page, selector: string, cssVar: string): Promise<boolean> {
  return page.evaluate(
    ([sel, v]) => {
      const probe = document.createElement('div');
      probe.style.color = `var(${v})`;
      document.body.appendChild(probe);
      const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g)!.map(Number);
      probe.remove();
      const canvas = document.querySelector<HTMLCanvasElement>(`${sel} canvas`);
      if (!canvas) return false;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - r) < 6 && Math.abs(d[i + 1] - g) < 6 && Math.abs(d[i + 2] - b) < 6 && d[i + 3] > 200) return true;
      return false;
    },
    [selector, cssVar] as const,
  );
}

describe('Explore page (browser)', { skip }, () => {
  let server: ServerHandle;
  let browser: Browser;
  before(async () => {
    server = await startServer();
    const now = Date.now();
    await pushStreams(server, dataset(now));
    // 5,000 lines for the virtualised list.
    const bulk: Values = [];
    for (let i = 0; i < 5000; i++) bulk.push([(BigInt(now - 30 * 60_000 + i * 300) * 1_000_000n).toString(), `bulk line ${i} level=${i % 10 === 0 ? 'warn' : 'info'} ${'x'.repeat(i % 60)}`]);
    await pushStreams(server, [{ stream: { service: 'bulk' }, values: bulk }]);
    // Lines of the last three minutes only, for the charts' range (they must span the chosen range).
    const recent: Values = [];
    for (let i = 0; i < 30; i++) recent.push([(BigInt(now - 180_000 + i * 6000) * 1_000_000n).toString(), `recent line ${i} level=${i % 5 === 0 ? 'error' : 'info'}`]);
    await pushStreams(server, [{ stream: { service: 'recent' }, values: recent }]);
    // Lines sharing timestamps across two streams, for paging past the limit.
    const ties: Array<{ stream: Record<string, string>; values: Values }> = [{ stream: { service: 'ties', pod: 'a' }, values: [] }, { stream: { service: 'ties', pod: 'b' }, values: [] }];
    const tieTs = (k: number): string => (BigInt(now - 120_000 + k * 1000) * 1_000_000n).toString();
    for (let i = 0; i < 5; i++) ties[i % 2].values.push([tieTs(1), `tie old ${i}`]);
    for (let i = 0; i < 12; i++) ties[i % 2].values.push([tieTs(2), `tie mid ${i}`]);
    for (let i = 0; i < 8; i++) ties[i % 2].values.push([tieTs(3), `tie new ${i}`]);
    await pushStreams(server, ties);
    browser = await launchBrowser();
  });
  after(() => closeBrowserAndServer(browser, server));

  it('queries, filters, charts, reports errors and keeps the view in the URL', { timeout: 90_000 }, async (t) => {
    const { context, page } = await newPage(browser, { width: 1280, height: 720 });
    const errors = collectPageErrors(page);
    // `returned()` in page functions: the "entries returned" figure of the statistics bar.
    await page.addInitScript(() => {
      (window as unknown as { returned: () => string }).returned = () => document.querySelector('[title="Entries returned"] b')?.textContent ?? '';
    });
    await page.goto(server.url + '/explore');

    // Empty state: example queries built from the tenant's own labels.
    await page.getByRole('list', { name: 'Example queries' }).getByText('{service="api"}', { exact: true }).waitFor();

    // Type with completion: `{serv` → label name, Enter; `ap` → value, Enter; Shift+Enter runs.
    await editor(page).click();
    await page.keyboard.type('{serv');
    const listbox = page.getByRole('listbox', { name: 'Completions' });
    await listbox.getByRole('option', { name: /^service/ }).waitFor();
    await page.keyboard.press('Enter');
    await listbox.getByRole('option', { name: /^worker/ }).waitFor();
    await page.keyboard.type('ap');
    await page.keyboard.press('Enter');
    assert.equal(await editor(page).inputValue(), '{service="api"}');
    await page.keyboard.press('Shift+Enter');

    await page.waitForFunction(() => document.querySelectorAll('.log-row-main').length > 10);
    assert.equal(queryParam(page), '{service="api"}');
    assert.equal(new URL(page.url()).searchParams.get('from'), 'now-1h');
    const firstLine = await rows(page).first().locator('.log-line').textContent();
    assert.match(firstLine ?? '', /"msg":"request (prod|staging) 59"/, 'newest api line first');
    // Timestamps in the browser's zone (Europe/Berlin) with milliseconds.
    assert.match((await rows(page).first().locator('.log-time').textContent()) ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    // Histogram stacked by level, in the level colours.
    const volume = page.getByRole('figure', { name: 'Log volume by level' });
    await volume.waitFor();
    for (const l of ['error', 'warn', 'info', 'debug']) await volume.getByRole('button', { name: l }).waitFor();
    assert.ok(await canvasHasColour(page, 'figure[aria-label="Log volume by level"]', '--level-error'), 'error bars drawn');
    assert.ok(await canvasHasColour(page, 'figure[aria-label="Log volume by level"]', '--level-info'), 'info bars drawn');
    const stats = page.getByLabel('Query statistics');
    await stats.getByTitle('Entries returned').getByText('120', { exact: true }).waitFor();
    assert.match((await stats.textContent()) ?? '', /120 lines.*scanned.*B.*exec/);
    await screenshot(page, 'explore-results');

    // Expand a row with the keyboard and filter by a stream label.
    await rows(page).first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const details = page.locator('.log-details');
    await details.getByRole('table', { name: 'Stream labels' }).waitFor();
    await details.getByRole('table', { name: /Fields \(json\)|Parsed fields/ }).getByRole('rowheader', { name: 'user_id' }).waitFor();
    await details.getByRole('table', { name: 'Structured metadata' }).getByRole('rowheader', { name: 'trace_id' }).waitFor();
    await screenshot(page, 'explore-expanded');
    const envOfRow = (await details.getByRole('table', { name: 'Stream labels' }).getByRole('row', { name: /env/ }).locator('.log-field-value').textContent())!;
    await details.getByRole('button', { name: `Filter env="${envOfRow}"` }).click();
    await page.waitForFunction((q) => new URL(location.href).searchParams.get('query') === q, `{service="api", env="${envOfRow}"}`);
    // The list renders only the rows in view: the count comes from the statistics.
    await page.waitForFunction((env) => {
      const lines = [...document.querySelectorAll('.log-line')].map((e) => e.textContent ?? '');
      return returned() === '60' && lines.length > 0 && lines.every((l) => l.includes(`request ${env}`));
    }, envOfRow);

    // A field of the JSON line: `| json | status="500"`.
    await rows(page).first().click();
    await page.locator('.log-details').getByRole('button', { name: 'Filter status="500"' }).or(page.locator('.log-details').getByRole('button', { name: 'Filter status="200"' })).first().click();
    await page.waitForFunction(() => /\| json \| status="(500|200)"$/.test(new URL(location.href).searchParams.get('query') ?? ''));
    const status = /status="(\d+)"/.exec(queryParam(page))![1];
    await page.waitForFunction((st) => {
      const lines = [...document.querySelectorAll('.log-line')].map((e) => e.textContent ?? '');
      return Number(returned()) < 60 && lines.length > 0 && lines.every((l) => l.includes(`"status":${st}`));
    }, status);

    // Back restores the previous query and its results.
    await page.goBack();
    await page.waitForFunction((q) => (document.querySelector('textarea') as HTMLTextAreaElement).value === q, `{service="api", env="${envOfRow}"}`);
    await page.waitForFunction(() => returned() === '60');

    // A metric query: chart with a legend per series; Ctrl+Enter runs it.
    await typeQuery(page, 'sum by (service) (count_over_time({env="prod"}[5m]))', 'Control+Enter');
    const chart = page.getByRole('figure', { name: 'Metric query result' });
    await chart.waitFor();
    for (const s of ['api', 'web', 'worker']) await chart.getByRole('button', { name: `{service="${s}"}` }).waitFor();
    assert.equal(await rows(page).count(), 0, 'no log list for a metric query');
    assert.equal(await page.getByRole('table', { name: 'Series' }).locator('tbody tr').count(), 3);
    await screenshot(page, 'explore-metric');

    // A parse error is shown under the editor at its position, and as the server said it.
    await typeQuery(page, '{service="api"');
    const parseError = page.locator('.qe-parse-error');
    await parseError.waitFor();
    assert.match((await parseError.textContent()) ?? '', /line 1, col 15: syntax error: unexpected \$end/);
    assert.match((await page.getByRole('alert').filter({ hasText: 'HTTP 400' }).textContent()) ?? '', /parse error at line 1, col 15/);
    assert.equal(await editor(page).getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'explore-error');

    // Reload a view from its URL alone: same query, range and results.
    const link = `${server.url}/explore?${new URLSearchParams({ query: '{service="web"} |= "GET"', from: 'now-6h', to: 'now', limit: '500' })}`;
    await page.goto(link);
    await page.waitForFunction(() => document.querySelectorAll('.log-line').length > 10);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('.log-line').length > 10);
    assert.equal(await editor(page).inputValue(), '{service="web"} |= "GET"');
    assert.equal(await page.getByLabel('Time range', { exact: true }).inputValue(), 'now-6h');
    assert.equal(await page.getByLabel('Line limit').inputValue(), '500');
    assert.equal(await rows(page).first().locator('mark').textContent(), 'GET', 'the |= text is marked in the lines');
    assert.equal(await page.getByLabel('Query statistics').getByTitle('Entries returned').locator('b').textContent(), '80');

    // Dragging across the histogram zooms: absolute from/to in the URL, fewer lines. The axis spans
    // the whole 6 h; web's lines are in its last 45 minutes (the last eighth), so drag inside them.
    const plot = await page.locator('figure[aria-label="Log volume by level"] .u-over').boundingBox();
    assert.ok(plot);
    await page.mouse.move(plot.x + plot.width * 0.9, plot.y + plot.height / 2);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.97, plot.y + plot.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => /^\d+$/.test(new URL(location.href).searchParams.get('from') ?? '') && /^\d+$/.test(new URL(location.href).searchParams.get('to') ?? ''));
    await page.waitForFunction(() => Number(returned()) > 0 && Number(returned()) < 80);
    assert.equal(await page.getByLabel('Time range', { exact: true }).inputValue(), 'custom');
    await page.getByLabel('From (local time)').waitFor();

    // Light theme: the list and histogram redraw in the light colours.
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(255, 255, 255)');
    await rows(page).first().click();
    await page.waitForTimeout(100);
    assert.ok(await canvasHasColour(page, 'figure[aria-label="Log volume by level"]', '--level-info'), 'histogram redrawn with the light info colour');
    await screenshot(page, 'explore-light');

    // Select a word of the expanded line and keep only the lines containing it.
    await page.locator('.log-full-line').dblclick({ position: { x: 12, y: 8 } });
    const word = await page.evaluate(() => window.getSelection()?.toString().trim() ?? '');
    assert.ok(word.length > 0, 'a word is selected');
    const before = queryParam(page);
    await page.getByRole('button', { name: 'Show lines containing the selected text' }).click();
    await page.waitForFunction((q) => new URL(location.href).searchParams.get('query') === q, `${before.replace('|= "GET"', `|= "GET" |= ${JSON.stringify(word)}`)}`);

    // 5,000 lines: time until the rows are on screen; the DOM holds only the visible ones.
    const t0 = Date.now();
    await page.goto(`${server.url}/explore?${new URLSearchParams({ query: '{service="bulk"}', from: 'now-1h', to: 'now', limit: '5000' })}`);
    await page.getByLabel('Query statistics').getByTitle('Entries returned').getByText('5,000', { exact: true }).waitFor();
    await rows(page).first().waitFor();
    t.diagnostic(`5,000 lines: page load + query + render ${Date.now() - t0} ms`);
    const domRows = await rows(page).count();
    assert.ok(domRows < 120, `virtualised: ${domRows} rows in the DOM`);
    const scrollMs = await page.evaluate(async () => {
      const el = document.querySelector('.log-list')!;
      const s = performance.now();
      for (let i = 1; i <= 20; i++) {
        el.scrollTop = (el.scrollHeight * i) / 20;
        await new Promise((r) => requestAnimationFrame(() => r(null)));
      }
      return performance.now() - s;
    });
    t.diagnostic(`5,000 lines: 20 scroll steps to the bottom in ${Math.round(scrollMs)} ms`);
    await page.locator('.log-line', { hasText: /^bulk line 0 / }).waitFor();

    // The parse error step's two requests (lines and volume) answer 400 on purpose.
    assert.deepEqual(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e)), []);
    await context.close();
  });
  it('charts span the chosen range (6 h, 24 h) with data only in its last minutes, ticks saying their unit; rows show their unique labels', { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(browser, { width: 1280, height: 720 });
    const errors = collectPageErrors(page);
    try {
      for (const [from, hours, tick] of [
        ['now-6h', 6, /^(\w{3} \d{1,2} )?\d\d:\d\d$/],
        ['now-24h', 24, /^(\w{3} \d{1,2} )?\d\d:\d\d$/],
      ] as const) {
        const loadedAt = Date.now() / 1000;
        await page.goto(`${server.url}/explore?query=${encodeURIComponent('{service="recent"}')}&from=${from}&to=now`);
        const fig = page.getByRole('figure', { name: 'Log volume by level' });
        await fig.waitFor({ timeout: 15_000 });
        await page.waitForFunction(() => document.querySelector('figure[aria-label="Log volume by level"]')?.getAttribute('data-x-min') != null);
        const xMin = Number(await fig.getAttribute('data-x-min'));
        const xMax = Number(await fig.getAttribute('data-x-max'));
        // The axis runs from the range's start to its end (not over the three minutes with data).
        assert.ok(Math.abs(xMin - (loadedAt - hours * 3600)) < 120, `${from}: axis starts at ${new Date(xMin * 1000).toISOString()}`);
        assert.ok(Math.abs(xMax - loadedAt) < 120, `${from}: axis ends at ${new Date(xMax * 1000).toISOString()}`);
        const ticks = ((await fig.getAttribute('data-x-ticks')) ?? '').split('|');
        assert.ok(ticks.length >= 3, `${from}: ticks ${ticks.join(', ')}`);
        for (const t of ticks) assert.match(t, tick, `${from}: tick ${t}`);
        await screenshot(page, `explore-volume-${hours}h`);
      }

      // Data at the edges of the chosen ranges: two minutes inside and outside each range's start,
      // and thirty seconds before its end. Lines inside show, lines outside do not.
      const edgeNow = Date.now();
      const edgeNs = (msAgo: number): string => (BigInt(edgeNow - msAgo) * 1_000_000n).toString();
      const edges: Values = [];
      for (const h of [6, 24]) edges.push([edgeNs(h * 3_600_000 + 120_000), `edge ${h}h outside`], [edgeNs(h * 3_600_000 - 120_000), `edge ${h}h inside`]);
      edges.push([edgeNs(30_000), 'edge end inside']);
      edges.sort((a, b) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1));
      await pushStreams(server, [{ stream: { service: 'edge' }, values: edges }]);
      for (const [from, want] of [
        ['now-6h', ['edge end inside', 'edge 6h inside']],
        ['now-24h', ['edge end inside', 'edge 6h inside', 'edge 6h outside', 'edge 24h inside']],
      ] as const) {
        await page.goto(`${server.url}/explore?query=${encodeURIComponent('{service="edge"}')}&from=${from}&to=now`);
        await page.locator('.explore-older').getByText(`${want.length} lines shown, the oldest in the range`).waitFor({ timeout: 15_000 });
        assert.deepEqual(await page.locator('.log-row-main .log-line').allTextContents(), want, `${from}: the lines inside the range, newest first`);
        const fig = page.getByRole('figure', { name: 'Log volume by level' });
        await page.waitForFunction(() => document.querySelector('figure[aria-label="Log volume by level"]')?.getAttribute('data-x-min') != null);
        const hours = from === 'now-6h' ? 6 : 24;
        assert.ok(Math.abs(Number(await fig.getAttribute('data-x-min')) - (edgeNow / 1000 - hours * 3600)) < 120, `${from}: the axis starts at the range's start`);
        // The histogram counts what the list shows: the line two minutes before the range's start
        // falls in no bucket (a bucket counts the step that ends at its time).
        assert.equal(Number(await fig.getAttribute('data-total')), want.length, `${from}: the histogram's total`);
        await screenshot(page, `explore-edges-${hours}h`);
      }

      // Rows say which stream they came from: the labels that differ between the streams listed.
      await page.goto(`${server.url}/explore?query=${encodeURIComponent('{service=~"recent|web"}')}&from=now-1h&to=now`);
      await page.waitForFunction(() => document.querySelectorAll('.log-row-main').length > 10);
      const shown = new Set(await page.locator('.log-row-main .log-label').allTextContents());
      assert.equal(await page.locator('.log-row-main .log-label').first().getAttribute('title'), 'service="recent"', 'the name in the tooltip');
      // The list is virtualised: the rows of the other stream may be below the fold.
      await page.locator('.log-list').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForFunction(() => [...document.querySelectorAll('.log-row-main .log-label')].some((l) => l.textContent === 'web'));
      for (const l of await page.locator('.log-row-main .log-label').allTextContents()) shown.add(l);
      await page.locator('.log-list').evaluate((el) => el.scrollTo(0, 0));
      await page.waitForFunction(() => document.querySelector('.log-row-main .log-label')?.getAttribute('title') === 'service="recent"');
      // service differs, and env (web's streams have env="prod", recent's none).
      assert.deepEqual([...shown].sort(), ['prod', 'recent', 'web']);
      await screenshot(page, 'explore-unique-labels');
      await page.getByLabel('Unique labels').uncheck();
      await page.waitForFunction(() => document.querySelectorAll('.log-row-main .log-label').length === 0);
      await page.getByLabel('Unique labels').check();
      // One stream: nothing tells its rows apart, so no labels.
      await page.goto(`${server.url}/explore?query=${encodeURIComponent('{service="recent"}')}&from=now-1h&to=now`);
      await page.waitForFunction(() => document.querySelectorAll('.log-row-main').length > 10);
      assert.equal(await page.locator('.log-row-main .log-label').count(), 0);

      // Log context: from a row, the lines just before and after it in its stream.
      const row19 = page.locator('.log-row-main', { hasText: 'recent line 19 ' });
      await row19.click();
      await page.getByRole('button', { name: 'Show the lines around this one in its stream' }).click();
      const ctxList = page.getByRole('list', { name: 'Context of the line' });
      await ctxList.waitFor();
      const ctxLines = (await ctxList.locator('li span').allTextContents()).map((t) => t.replace(/^recent line (\d+) .*$/, '$1'));
      assert.deepEqual(ctxLines, Array.from({ length: 21 }, (_, i) => String(9 + i)), 'ten older lines, the line, ten newer, oldest first');
      assert.equal(await ctxList.locator('li[aria-current="true"] span').textContent(), 'recent line 19 level=info');
      await screenshot(page, 'explore-context');
      await row19.click();

      // Download the shown results, copy a link with the range made absolute, and the history.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByLabel('Download results').selectOption('csv')]);
      assert.match(download.suggestedFilename(), /^logsentinel-\d{8}T\d{6}-\d{8}T\d{6}\.csv$/);
      const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
      assert.equal(csv[0], 'timestamp,level,labels,line');
      assert.equal(csv.length, 32, '30 lines, the header and the final newline');
      assert.match(csv[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z,info,"\{service=""recent""\}",recent line 29 level=info$/);
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await page.getByRole('button', { name: 'Copy link' }).click();
      await page.getByRole('button', { name: 'Link copied' }).waitFor();
      const link = new URL(await page.evaluate(() => navigator.clipboard.readText()));
      assert.equal(link.searchParams.get('query'), '{service="recent"}');
      assert.match(link.searchParams.get('from') ?? '', /^\d{13}$/);
      assert.ok(Number(link.searchParams.get('to')) - Number(link.searchParams.get('from')) >= 3_599_000, 'the hour, absolute');
      const history = page.getByLabel('Query history');
      const options = await history.locator('option').allTextContents();
      assert.deepEqual(options.slice(1, 3), ['{service="recent"}', '{service=~"recent|web"}'], 'newest first');
      await history.selectOption('{service=~"recent|web"}');
      await page.waitForURL((u) => u.searchParams.get('query') === '{service=~"recent|web"}');
      await page.waitForFunction(() => document.querySelectorAll('.log-row-main .log-label').length > 0);

      // Older lines beyond the limit, page by page, through equal timestamps: all 25 once.
      await page.goto(`${server.url}/explore?query=${encodeURIComponent('{service="ties"}')}&from=now-1h&to=now&limit=10`);
      const older = page.locator('.explore-older');
      await older.getByText('10 lines shown').waitFor();
      await page.getByRole('button', { name: 'Load 10 older lines' }).click();
      await older.getByText('20 lines shown').waitFor();
      await page.getByRole('button', { name: 'Load 10 older lines' }).click();
      await older.getByText('25 lines shown, the oldest in the range').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Load 10 older lines' }).count(), 0);
      const [jl] = await Promise.all([page.waitForEvent('download'), page.getByLabel('Download results').selectOption('jsonl')]);
      const paged = readFileSync((await jl.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: string; ts: string });
      assert.equal(paged.length, 25);
      assert.equal(new Set(paged.map((x) => x.line)).size, 25, 'no line twice, none missing');
      assert.ok(paged.every((x, i) => i === 0 || BigInt(paged[i - 1].ts) >= BigInt(x.ts)), 'newest first across pages');

      // Newer lines that arrived after the query ran (the range ends now): three more at the
      // newest timestamp shown, twelve after it; two clicks of at most the limit bring all 15.
      const newestTs = paged[0].ts;
      const arrived: Values = [0, 1, 2].map((i) => [newestTs, `tie late ${i}`]);
      for (let i = 0; i < 12; i++) arrived.push([(BigInt(Date.now() - 5000 + i * 100) * 1_000_000n).toString(), `tie newer ${i}`]);
      await pushStreams(server, [{ stream: { service: 'ties', pod: 'a' }, values: arrived }]);
      const newer = page.locator('.explore-newer');
      await page.getByRole('button', { name: 'Load newer lines' }).click();
      await newer.getByText('10 newer lines loaded').waitFor();
      await page.getByRole('button', { name: 'Load newer lines' }).click();
      await newer.getByText('15 newer lines loaded').waitFor();
      await older.getByText('40 lines shown').waitFor();
      const [all] = await Promise.all([page.waitForEvent('download'), page.getByLabel('Download results').selectOption('jsonl')]);
      const both = readFileSync((await all.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: string; ts: string });
      assert.equal(both.length, 40);
      assert.equal(new Set(both.map((x) => x.line)).size, 40, 'older and newer pages: no line twice, none missing');
      assert.ok(both.every((x, i) => i === 0 || BigInt(both[i - 1].ts) >= BigInt(x.ts)), 'newest first');
      assert.match(both[0].line, /^tie newer 11$/);

      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('50,000 lines, paged in by 5,000, scroll to the end with the DOM holding only the rows in view', { timeout: 180_000 }, async (t) => {
    const base = Date.now() - 50 * 60_000;
    for (let chunk = 0; chunk < 5; chunk++) {
      const values: Values = [];
      for (let i = chunk * 10_000; i < (chunk + 1) * 10_000; i++) values.push([(BigInt(base) * 1_000_000n + BigInt(i) * 50_000_000n).toString(), `big line ${i} user=${i % 97} ${'y'.repeat(i % 80)}`]);
      await pushStreams(server, [{ stream: { service: 'big', pod: String(chunk % 2) }, values }]);
    }
    const { context, page } = await newPage(browser, { width: 1280, height: 720 });
    try {
      await page.goto(`${server.url}/explore?${new URLSearchParams({ query: '{service="big"}', from: 'now-1h', to: 'now', limit: '5000' })}`);
      const status = page.locator('.explore-older');
      await status.getByText('5,000 lines shown').waitFor({ timeout: 30_000 });
      // Each older page asks for at most 5,000 (the server's maximum), the lines at the edge
      // timestamp included, so a page brings slightly fewer than 5,000 new lines.
      const t0 = Date.now();
      const older = page.getByRole('button', { name: 'Load 5,000 older lines' });
      let pages = 0;
      while ((await older.count()) > 0 && pages < 20) {
        const before = await status.textContent();
        await older.click();
        pages++;
        await page.waitForFunction((b) => document.querySelector('.explore-older')?.textContent !== b && !document.querySelector('.explore-older button[disabled]'), before, { timeout: 30_000 });
      }
      t.diagnostic(`50,000 lines: ${pages} older pages of up to 5,000 read and rendered in ${Date.now() - t0} ms`);
      await status.getByText('50,000 lines shown, the oldest in the range').waitFor();
      // Scroll from the top to the bottom in 100 steps, one per frame; record the longest frame.
      const { totalMs, worstFrameMs } = await page.evaluate(async () => {
        const el = document.querySelector('.log-list')!;
        const s = performance.now();
        let last = s;
        let worst = 0;
        for (let i = 1; i <= 100; i++) {
          el.scrollTop = (el.scrollHeight * i) / 100;
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          const now = performance.now();
          worst = Math.max(worst, now - last);
          last = now;
        }
        return { totalMs: performance.now() - s, worstFrameMs: worst };
      });
      t.diagnostic(`50,000 lines: 100 scroll steps to the bottom in ${Math.round(totalMs)} ms, longest frame ${Math.round(worstFrameMs)} ms`);
      await page.locator('.log-line', { hasText: /^big line 0 / }).waitFor();
      const domRows = await page.locator('.log-row').count();
      assert.ok(domRows < 120, `virtualised: ${domRows} rows in the DOM for 50,000 lines`);
      await screenshot(page, 'explore-50k-bottom');
    } finally {
      await context.close();
    }
  });
});
