import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ruler } from './ruler.js';
import { FileRuleStore } from './file-rule-store.js';
import { RecordedSeries } from './recorded-series.js';
import { NotifierHub } from './notifier-hub.js';
import type { Evaluator, InstantResult } from './engine-adapter.js';
import type { Notifier } from './notifiers/index.js';
import { parseGroupYaml } from './rule-file.js';

function setup(files: Record<string, string>): { dir: string; store: FileRuleStore } {
  const dir = mkdtempSync(join(tmpdir(), 'ls-rules-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, store: new FileRuleStore(dir) };
}

const FILE = [
  'groups:',
  '  - name: g',
  '    interval: 10s',
  '    rules:',
  '      - alert: Errors',
  '        expr: sum by (service) (count_over_time({app="x"}[1m])) > 1',
  '        for: 20s',
  '        annotations: {summary: "{{ $labels.service }}: {{ $value }}"}',
  '      - record: errors:total',
  '        expr: sum by (service) (count_over_time({app="x"}[1m]))',
  '        labels: {team: core}',
].join('\n');

describe('ruler', () => {
  it('evaluates groups with the evaluator, drives alerts and records series', async () => {
    const { dir, store } = setup({ 'acme/ns.yaml': FILE, 'bad/ns.yaml': 'groups: [{name: x, rules: [{alert: A}]}]', 'acme/.hidden': 'x' });
    let now = 1_000_000;
    let value = 5;
    const calls: string[] = [];
    const evaluate: Evaluator = async (q, t, tenants): Promise<InstantResult> => {
      calls.push(`${q} @${t / 1_000_000n} ${tenants.join(',')}`);
      if (!q.includes('>') || value > 1) return { type: 'vector', samples: value > 0 ? [{ labels: { service: 'api' }, value }] : [] };
      return { type: 'vector', samples: [] };
    };
    const sent: string[] = [];
    const n: Notifier = { name: 'webhook', resends: false, notify: (a) => sent.push(...a.map((x) => `${x.status} ${x.annotations.summary}`)), close: async () => undefined };
    const recorded = new RecordedSeries();
    const errors: string[] = [];
    const ruler = new Ruler({
      store,
      evaluate,
      hub: new NotifierHub([n], 60_000, ''),
      recorded,
      defaultIntervalMs: 60_000,
      queryTimeoutMs: 1000,
      externalUrl: 'http://ls',
      manual: true,
      now: () => now,
      logger: { error: (o: { err: string }) => errors.push(o.err), warn: () => undefined } as never,
    });
    await ruler.start();
    assert.match(errors.join('\n'), /cannot load rule file .*bad\/ns\.yaml: group "x" rule 1 \(alert "A"\): field "expr" must be set/);
    const [g] = ruler.list();
    assert.equal(g.intervalMs, 10_000);
    const step = async (ms: number): Promise<string> => {
      now += ms;
      await ruler.evaluateGroup(g);
      return `${g.rules[0].alerts!.state()} ${sent.join('|')}`;
    };
    assert.equal(await step(0), 'pending ');
    assert.deepEqual(calls.slice(0, 2), ['sum by (service) (count_over_time({app="x"}[1m])) > 1 @1000000 acme', 'sum by (service) (count_over_time({app="x"}[1m])) @1000000 acme']);
    assert.deepEqual(recorded.latest('errors:total'), [{ labels: { service: 'api', team: 'core', tenant: 'acme' }, value: 5 }]);
    assert.equal(await step(10_000), 'pending ');
    assert.equal(await step(10_000), 'firing firing api: 5');
    assert.equal(ruler.firingCount(), 1);
    // State survives a restart through snapshot/restore.
    const snap = ruler.snapshot();
    const again = new Ruler({ store, evaluate, defaultIntervalMs: 60_000, queryTimeoutMs: 1000, externalUrl: '', manual: true, now: () => now });
    again.restore(JSON.parse(JSON.stringify(snap)) as typeof snap);
    await again.start();
    assert.equal(again.list()[0].rules[0].alerts!.state(), 'firing');
    value = 0;
    assert.equal(await step(10_000), 'inactive firing api: 5|resolved api: 5');
    assert.equal(g.rules[0].health, 'ok');
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks a failing rule unhealthy with its error and keeps evaluating the others', async () => {
    const { dir, store } = setup({ 't/ns.yaml': FILE });
    const evaluate: Evaluator = async (q) => {
      if (q.includes('>')) throw new Error('cannot evaluate: boom');
      return { type: 'scalar', value: 2 };
    };
    const recorded = new RecordedSeries();
    const ruler = new Ruler({ store, evaluate, recorded, defaultIntervalMs: 1000, queryTimeoutMs: 1000, externalUrl: '', manual: true });
    await ruler.start();
    const [g] = ruler.list();
    await ruler.evaluateGroup(g);
    assert.deepEqual(g.rules.map((r) => [r.health, r.lastError]), [['err', 'cannot evaluate: boom'], ['ok', '']]);
    assert.deepEqual(recorded.latest('errors:total'), [{ labels: { team: 'core', tenant: 't' }, value: 2 }]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores groups per tenant and namespace, replacing by name, and deletes them', async () => {
    const { dir, store } = setup({});
    const g = (name: string): ReturnType<typeof parseGroupYaml> => parseGroupYaml(`name: ${name}\nrules:\n  - record: r\n    expr: vector(1)\n`);
    await store.setGroup('t1', 'my ns', g('a'));
    await store.setGroup('t1', 'my ns', g('b'));
    await store.setGroup('t1', 'my ns', g('a'));
    await store.setGroup('t2', 'other', g('c'));
    assert.match(readFileSync(join(dir, 't1', 'my%20ns.yaml'), 'utf8'), /^groups:\n {2}- name: a\n/);
    const f = async (tenant: string, want: string[]): Promise<void> =>
      assert.deepEqual((await store.load(tenant)).namespaces.flatMap((ns) => ns.groups.map((x) => `${ns.namespace}/${x.name}`)), want);
    await f('t1', ['my ns/a', 'my ns/b']);
    await f('t2', ['other/c']);
    await store.deleteGroup('t1', 'my ns', 'a');
    await f('t1', ['my ns/b']);
    await assert.rejects(store.deleteGroup('t1', 'my ns', 'a'), /group does not exist/);
    await store.deleteNamespace('t1', 'my ns');
    await f('t1', []);
    await assert.rejects(store.deleteNamespace('t1', 'my ns'), /group namespace does not exist/);
    await assert.rejects(store.setGroup('../x', 'n', g('a')), /not a valid tenant/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('recorded series', () => {
  it('are exposed as gauges on the registry, labelled by tenant', async () => {
    const { Registry, Counter } = await import('prom-client');
    const reg = new Registry();
    new Counter({ name: 'own_total', help: 'x', registers: [reg] });
    const rs = new RecordedSeries(reg);
    rs.set('job:errors', 'k1', [{ labels: { service: 'a', tenant: 't1' }, value: 2 }]);
    rs.set('job:errors', 'k2', [{ labels: { service: 'a', tenant: 't2' }, value: 3 }]);
    rs.set('job:errors', 'k1', [{ labels: { service: 'b', tenant: 't1' }, value: 4 }]);
    const text = await reg.metrics();
    assert.match(text, /# TYPE job:errors gauge\njob:errors\{service="b",tenant="t1"\} 4\njob:errors\{service="a",tenant="t2"\} 3/);
    rs.drop('k2');
    assert.deepEqual(rs.latest('job:errors'), [{ labels: { service: 'b', tenant: 't1' }, value: 4 }]);
    assert.throws(() => rs.set('own_total', 'k3', []), /cannot record own_total: LogSentinel already exposes a metric of that name/);
  });
});
