/**
 * The dashboards and rules against a live LogSentinel (startServer: the real server, a temp data
 * dir): every metric a PromQL panel, a variable or an alerting rule names is in its `/metrics`
 * (the demo's `app_*` names in the demo API's exposition), and every LogQL target returns data
 * after corpus and demo lines were pushed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DASHBOARDS_DIR } from '../../deploy/grafana/src/build.js';
import {
  checkPromQL,
  exposedFamilies,
  isExposed,
  loadDashboards,
  panelQueries,
  PROMETHEUS_SCRAPE_METRICS,
  variableQueries,
  type PanelQuery,
} from '../../deploy/grafana/src/queries.js';
import { runLogQL } from '../../deploy/grafana/src/stack-check.js';
import { removeDir, startServer, type ServerHandle } from '../e2e/harness.js';
import { CLIENT_ERROR_ID, ERROR_IDS, startDemo, USERS_IDS, type Demo } from './demo.js';
import { alertingRules } from './rules.js';
import { pushCorpus } from './sample-data.js';

const dashboards = loadDashboards(DASHBOARDS_DIR);

describe('dashboards and rules on a live LogSentinel', () => {
  let s: ServerHandle;
  let demo: Demo | undefined;
  let logsentinelFamilies: Map<string, string>;
  let demoFamilies: Map<string, string>;

  before(async () => {
    s = await startServer();
    await pushCorpus(s.url);
    demo = await startDemo(s.url);
    demoFamilies = exposedFamilies(await (await fetch(demo.url + '/metrics')).text());
    // Stopping the real demo pushes the log lines pino-loki still buffers.
    await demo.stop();
    demo = undefined;
    logsentinelFamilies = exposedFamilies(await (await fetch(s.url + '/metrics')).text());
  });

  after(async () => {
    await demo?.stop();
    if (s) {
      await s.stop();
      removeDir(s.dataDir);
    }
  });

  /** Where a metric name must be exported: the demo's names by the demo, the rest by LogSentinel. */
  const unexported = (names: string[]): string[] =>
    names.filter((n) => !PROMETHEUS_SCRAPE_METRICS.has(n) && !isExposed(n, n.startsWith('app_') ? demoFamilies : logsentinelFamilies));

  it('every metric of every PromQL panel and variable is exported', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const [file, d] of dashboards) {
      const exprs = [
        ...panelQueries(file, d)
          .filter((q) => q.language === 'promql')
          .map((q) => ({ where: `${file} / ${q.panel} [${q.refId}]`, expr: q.expr })),
        ...variableQueries(file, d)
          .filter((v) => v.language === 'promql')
          .map((v) => ({ where: `${file} $${v.variable}`, expr: v.selector })),
      ];
      for (const { where, expr } of exprs) {
        const names = checkPromQL(expr).metrics;
        checked += names.length;
        for (const n of unexported(names)) missing.push(`${where}: ${n}`);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(checked > 50, `only ${checked} metric references`);
  });

  it('every metric of every alerting rule is exported', () => {
    const missing = alertingRules().flatMap((r) => unexported(checkPromQL(r.expr).metrics).map((n) => `${r.alert}: ${n}`));
    assert.deepEqual(missing, []);
  });

  it('the demo exposes the four families of its contract', () => {
    assert.deepEqual(
      [...demoFamilies].filter(([n]) => n.startsWith('app_')).sort(),
      [
        ['app_active_requests', 'gauge'],
        ['app_error_count', 'counter'],
        ['app_request_count', 'counter'],
        ['app_request_latency_seconds', 'histogram'],
      ],
    );
  });

  const logql = (vars: Record<string, string> = {}): PanelQuery[] =>
    [...dashboards].flatMap(([file, d]) => {
      const own = new Set((d.templating?.list ?? []).map((v) => v.name));
      return panelQueries(file, d, Object.fromEntries(Object.entries(vars).filter(([k]) => own.has(k)))).filter((q) => q.language === 'logql');
    });

  it('every LogQL target returns data with every variable at All', async () => {
    const empty: string[] = [];
    const queries = logql();
    assert.ok(queries.length > 10);
    for (const q of queries) {
      const r = await runLogQL(s.url, q);
      assert.ok(r.ok, `${q.dashboard} / ${q.panel}: ${r.detail}\n${q.expr}`);
      if (r.series === 0) empty.push(`${q.dashboard} / ${q.panel}: ${q.expr}`);
    }
    assert.deepEqual(empty, []);
  });

  it('every LogQL target returns data for one service and for a request id', async () => {
    const empty: string[] = [];
    for (const q of logql({ service: 'api-gateway|checkout', request_id: ERROR_IDS[1] })) {
      const r = await runLogQL(s.url, q);
      assert.ok(r.ok, `${q.dashboard} / ${q.panel}: ${r.detail}\n${q.expr}`);
      if (r.series === 0) empty.push(`${q.dashboard} / ${q.panel}: ${q.expr}`);
    }
    assert.deepEqual(empty, []);
  });

  it('the request id box narrows the demo logs to that request, and empty shows them all', async () => {
    const logsPanel = (request_id: string): PanelQuery => {
      const q = logql({ request_id }).find((x) => x.dashboard === 'demo-api.json' && x.panel === 'Demo API logs');
      assert.ok(q);
      return q;
    };
    const lines = async (request_id: string): Promise<string[]> => {
      const q = logsPanel(request_id);
      const r = await fetch(
        s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: q.expr, start: String((Date.now() - 900_000) * 1e6), end: String(Date.now() * 1e6), limit: '1000' }),
      );
      assert.equal(r.status, 200);
      const body = (await r.json()) as { data: { result: Array<{ values: string[][] }> } };
      return body.data.result.flatMap((x) => x.values.map((v) => v[1]));
    };
    const one = await lines(ERROR_IDS[1]);
    assert.ok(one.length >= 1, 'no line of the request');
    for (const l of one) assert.equal((JSON.parse(l) as { request_id?: string }).request_id, ERROR_IDS[1], l);
    const all = await lines('');
    for (const id of [...USERS_IDS, ...ERROR_IDS, CLIENT_ERROR_ID]) assert.ok(all.some((l) => l.includes(id)), `no line of ${id} with an empty box`);
  });

  it('errors by type come from the demo lines', async () => {
    const q = logql().find((x) => x.panel === 'Logged errors by type');
    assert.ok(q);
    const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: q.expr, start: String((Date.now() - 900_000) * 1e6), end: String(Date.now() * 1e6), step: '60' }));
    const body = (await r.json()) as { data: { result: Array<{ metric: Record<string, string> }> } };
    assert.deepEqual(body.data.result.map((x) => x.metric.error_type).sort(), ['client_error', 'server_error']);
  });

  it('the service variable lists the services that logged', async () => {
    const r = await fetch(s.url + '/loki/api/v1/label/service/values');
    const values = ((await r.json()) as { data: string[] }).data;
    for (const want of ['api-gateway', 'checkout', 'demo-api']) assert.ok(values.includes(want), `${want} not in ${values.join(', ')}`);
  });
});
