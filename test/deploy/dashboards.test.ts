/**
 * The generated dashboards, offline: committed JSON matches the generator, every reference is to a
 * provisioned data source, every PromQL expression parses with Prometheus' grammar and every
 * LogQL target with LogSentinel's parser after Grafana's variables are substituted.
 * (test/deploy/live-server.test.ts checks the metric names and LogQL results on a running server.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DASHBOARDS, DASHBOARDS_DIR, renderDashboards, staleDashboards } from '../../deploy/grafana/src/build.js';
import { DEMO_API_METRICS } from '../../deploy/grafana/src/dashboards/demo-api.js';
import { PROVISIONED_DATASOURCES } from '../../deploy/grafana/src/datasources.js';
import {
  allPanels,
  checkLogQL,
  checkPromQL,
  datasourceRefs,
  isExposed,
  loadDashboards,
  panelQueries,
  variableQueries,
  type DashboardJson,
} from '../../deploy/grafana/src/queries.js';
import { ROOT } from '../e2e/harness.js';

const dashboards = loadDashboards(DASHBOARDS_DIR);

describe('dashboard files', () => {
  it('are what `npm run dashboards` generates', () => {
    assert.deepEqual(staleDashboards(), [], 'run `npm run dashboards` and commit deploy/grafana/dashboards/');
    assert.deepEqual([...dashboards.keys()].sort(), Object.keys(DASHBOARDS).sort(), 'a JSON file without a generator, or the reverse');
  });

  it('are generated deterministically', () => {
    assert.deepEqual(renderDashboards(), renderDashboards());
  });

  it('have unique uids, titles, panel ids, and every panel a title, description and query', () => {
    const uids = new Set<string>();
    for (const [file, d] of dashboards) {
      assert.ok(d.uid && !uids.has(d.uid), `${file}: uid ${d.uid} missing or repeated`);
      uids.add(d.uid);
      assert.ok(d.title, `${file}: no title`);
      const ids = new Set<number>();
      for (const p of d.panels ?? []) {
        for (const q of [p, ...(p.panels ?? [])]) {
          assert.ok(typeof q.id === 'number' && !ids.has(q.id), `${file}: panel "${q.title}" id ${q.id} missing or repeated`);
          ids.add(q.id);
        }
      }
      for (const p of allPanels(d)) {
        const raw = p as { title?: string; description?: string; targets?: unknown[] };
        assert.ok(raw.title, `${file}: a panel without a title`);
        assert.ok(raw.description, `${file}: panel "${raw.title}" has no description`);
        assert.ok((raw.targets ?? []).length > 0, `${file}: panel "${raw.title}" has no query`);
      }
    }
  });
});

describe('data sources', () => {
  const provisioned = parse(readFileSync(join(ROOT, 'deploy/grafana/provisioning/datasources/datasources.yaml'), 'utf8')) as {
    datasources: Array<{ uid: string; type: string }>;
  };
  const byUid = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));

  it('in the generator are the provisioned ones', () => {
    assert.deepEqual(
      PROVISIONED_DATASOURCES.map((d) => [d.uid, d.type]),
      provisioned.datasources.map((d) => [d.uid, d.type]),
    );
  });

  it('every panel, target and variable names a provisioned uid with its type', () => {
    for (const [file, d] of dashboards) {
      const refs = datasourceRefs(d);
      assert.ok(refs.length > 0, file);
      for (const { where, ref } of refs) {
        assert.ok(ref?.uid, `${file}: ${where} has no data source uid (Grafana would use its default)`);
        assert.equal(byUid.get(ref.uid), ref.type, `${file}: ${where} names ${JSON.stringify(ref)}, not a provisioned data source`);
      }
    }
  });
});

/** Variable values tried on top of "All": one value, several, a request id. */
const VARIANTS: Array<Record<string, string>> = [{}, { job: 'logsentinel', instance: 'ls:3100', service: 'api-gateway', endpoint: '/api/users', request_id: 'req-1' }, { service: '(api-gateway|checkout)', endpoint: '(/api/users|/api/error)' }];

function queriesOf(file: string, d: DashboardJson, vars: Record<string, string>): ReturnType<typeof panelQueries> {
  // Only the variables the dashboard defines may be overridden.
  const own = new Set((d.templating?.list ?? []).map((v) => v.name));
  return panelQueries(file, d, Object.fromEntries(Object.entries(vars).filter(([k]) => own.has(k))));
}

describe('PromQL panels', () => {
  it('parse without error nodes and name at least one metric', () => {
    let n = 0;
    for (const [file, d] of dashboards) {
      for (const vars of VARIANTS) {
        for (const q of queriesOf(file, d, vars).filter((x) => x.language === 'promql')) {
          const c = checkPromQL(q.expr);
          assert.deepEqual(c.errors, [], `${file} / ${q.panel} [${q.refId}]: ${q.expr}`);
          assert.ok(c.metrics.length > 0, `${file} / ${q.panel}: selects no metric: ${q.expr}`);
          n++;
        }
      }
    }
    assert.ok(n > 40, `only ${n} PromQL queries found`);
  });

  it('label_values variables select a parsable series', () => {
    for (const [file, d] of dashboards) {
      for (const v of variableQueries(file, d).filter((x) => x.language === 'promql')) {
        const c = checkPromQL(v.selector);
        assert.deepEqual(c.errors, [], `${file} $${v.variable}: ${v.selector}`);
        assert.equal(c.metrics.length, 1, `${file} $${v.variable}: ${v.selector}`);
      }
    }
  });

  it('the demo dashboard uses only the demo API metric contract', () => {
    const d = dashboards.get('demo-api.json');
    assert.ok(d);
    const names = queriesOf('demo-api.json', d, {})
      .filter((q) => q.language === 'promql')
      .flatMap((q) => checkPromQL(q.expr).metrics);
    assert.ok(names.length > 0);
    for (const name of names) assert.ok(name.startsWith('app_') && isExposed(name, DEMO_API_METRICS), `demo-api.json uses ${name}`);
  });
});

describe('LogQL panels', () => {
  it("parse with LogSentinel's parser", () => {
    let n = 0;
    for (const [file, d] of dashboards) {
      for (const vars of VARIANTS) {
        for (const q of queriesOf(file, d, vars).filter((x) => x.language === 'logql')) {
          assert.equal(checkLogQL(q.expr), undefined, `${file} / ${q.panel} [${q.refId}]: ${q.expr}`);
          n++;
        }
      }
    }
    assert.ok(n > 10, `only ${n} LogQL queries found`);
  });

  it('Loki variables are label-values queries on a LogSentinel label', () => {
    const vars = [...dashboards].flatMap(([file, d]) => variableQueries(file, d)).filter((v) => v.language === 'logql');
    assert.deepEqual(
      vars.map((v) => [v.dashboard, v.variable, v.label]),
      [['logs-overview.json', 'service', 'service']],
    );
  });
});
