/**
 * The chart itself: helm lint --strict, helm template for every scenario, values.schema.json
 * refusing wrong types and unknown keys, the chart's own render-time checks, the generated schema
 * and README in sync, the symbolic links to deploy/prometheus and deploy/grafana packaged as their
 * contents, and every rendered object valid against the Kubernetes, cert-manager and
 * prometheus-operator models with no unknown field.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../e2e/harness.js';
import { OPTIONS } from '../../src/config/schema.js';
import { fileEnvName } from '../../src/config/load.js';
import { CHART_DIR, renderReadme, renderSchema } from '../../deploy/helm/src/build.js';
import { helm, helmOk } from './helm.js';
import { unknownFields, validateWithModel } from './models.js';
import { CHART, NAMESPACE, RELEASE, SCENARIOS, parseObjects, ref, render, setArgs, type Scenario } from './render.js';

const scenarios = Object.keys(SCENARIOS) as Scenario[];

describe('helm chart deploy/helm/logsentinel', () => {
  it('passes helm lint --strict in every scenario', () => {
    for (const s of scenarios) {
      const r = helm(['lint', '--strict', CHART, '--namespace', NAMESPACE, ...setArgs(SCENARIOS[s])]);
      assert.equal(r.status, 0, `${s}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('renders what each mode needs', () => {
    const kinds = (s: Scenario): string[] => [...new Set(render(s).map((o) => o.kind))].sort();
    const names = (s: Scenario, kind: string): string[] => render(s).filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    assert.deepEqual(names('single', 'StatefulSet'), ['logsentinel']);
    assert.deepEqual(names('single', 'Deployment'), []);
    assert.deepEqual(names('cluster', 'StatefulSet'), ['logsentinel-postgresql', 'logsentinel-process', 'logsentinel-redis']);
    assert.deepEqual(names('cluster', 'Deployment'), ['logsentinel-ingest', 'logsentinel-query', 'logsentinel-ruler']);
    assert.deepEqual(names('cluster', 'HorizontalPodAutoscaler'), ['logsentinel-ingest', 'logsentinel-query']);
    assert.deepEqual(names('cluster-external', 'StatefulSet'), ['logsentinel-process']);
    assert.deepEqual(names('cluster-external', 'StorageClass'), []);
    assert.deepEqual(names('cluster-full', 'DaemonSet'), ['logsentinel-collector']);
    assert.deepEqual(names('cluster-full', 'Job'), ['logsentinel-restore']);
    for (const k of ['Certificate', 'Issuer', 'Ingress', 'NetworkPolicy', 'PrometheusRule', 'ServiceMonitor', 'ServiceAccount', 'Secret', 'ConfigMap']) {
      assert.ok(kinds('cluster').includes(k), `cluster renders a ${k}`);
      assert.ok(kinds('single').includes(k), `single renders a ${k}`);
    }
    const hpa = render('cluster').find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    assert.deepEqual(
      { min: hpa.spec!.minReplicas, max: hpa.spec!.maxReplicas, metrics: hpa.spec!.metrics },
      { min: 2, max: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    );
    const pg = render('cluster').find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'logsentinel-postgresql')!;
    const claim = (pg.spec!.volumeClaimTemplates as Array<{ spec: { resources: { requests: { storage: string } }; storageClassName: string } }>)[0];
    assert.equal(claim.spec.resources.requests.storage, '100Gi');
    const sc = render('cluster').find((o) => o.kind === 'StorageClass')!;
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(claim.spec.storageClassName, sc.metadata.name);
    const ruler = render('cluster').find((o) => o.kind === 'Deployment' && o.metadata.name === 'logsentinel-ruler')!;
    assert.equal(ruler.spec!.replicas, 2, 'two rulers share the lease');
  });

  it('gives each processor its pod name as its Redis consumer name', () => {
    const p = render('cluster').find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'logsentinel-process')!;
    const env = (p.spec!.template as { spec: { containers: Array<{ env: Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }> }> } }).spec.containers[0].env;
    const consumer = env.find((e) => e.name === 'LOGSENTINEL_QUEUE_REDIS_CONSUMER_NAME');
    assert.equal(consumer?.valueFrom?.fieldRef?.fieldPath, 'metadata.name');
  });

  it('reads every secret through *_FILE, and keeps secrets out of env values and ConfigMaps', () => {
    const knownFileVars = new Set(OPTIONS.map((o) => fileEnvName(o.path)));
    for (const s of scenarios) {
      const objs = render(s);
      const secret = objs.find((o) => o.kind === 'Secret')!;
      const values = Object.values(secret.stringData ?? {}).filter((v) => v.length >= 8);
      const text = JSON.stringify(objs.filter((o) => o.kind !== 'Secret'));
      for (const v of values) assert.ok(!text.includes(v), `${s}: a secret value appears outside the Secret`);
      for (const o of objs.filter((x) => x.kind === 'ConfigMap')) assert.doesNotMatch(JSON.stringify(o.data), /(postgres|rediss?):\/\/[^\s"]*:(?!password@)[^@\s"]+@|hooks\.slack/, `${s}: ${ref(o)} holds no URL with credentials`);
      const ls = objs.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.labels?.['app.kubernetes.io/component'] !== 'redis' && o.metadata.labels?.['app.kubernetes.io/component'] !== 'postgresql');
      for (const w of ls) {
        const env = (w.spec!.template as { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } }).spec.containers[0].env;
        const fileVars = env.filter((e) => e.name.endsWith('_FILE')).map((e) => e.name);
        for (const v of fileVars.filter((n) => n.startsWith('LOGSENTINEL_'))) assert.ok(knownFileVars.has(v), `${s}: ${ref(w)} sets ${v}, which names no option`);
        if (!w.metadata.name.includes('demo') && !w.metadata.name.includes('log-agent')) {
          assert.ok(fileVars.includes('LOGSENTINEL_AUTH_ADMIN_TOKEN_FILE'), `${s}: ${ref(w)} reads the admin token from a file`);
        }
      }
    }
    const full = render('cluster-full').find((o) => o.kind === 'Deployment' && o.metadata.name === 'logsentinel-ruler')!;
    const env = (full.spec!.template as { spec: { containers: Array<{ env: Array<{ name: string }> }> } }).spec.containers[0].env.map((e) => e.name);
    for (const v of ['LOGSENTINEL_STORAGE_POSTGRES_URL_FILE', 'LOGSENTINEL_QUEUE_REDIS_URL_FILE', 'LOGSENTINEL_ALERTING_SLACK_WEBHOOK_URL_FILE', 'LOGSENTINEL_ALERTING_WEBHOOK_URLS_FILE']) assert.ok(env.includes(v), v);
  });

  it('values.schema.json refuses wrong types and unknown keys, at every depth and under config', () => {
    const f = (sets: string[], want: RegExp): void => {
      const r = helm(['template', RELEASE, CHART, ...setArgs(sets)]);
      assert.notEqual(r.status, 0, `${sets.join(' ')} was accepted`);
      assert.match(r.stderr, want, sets.join(' '));
    };
    f(['mode=both'], /mode/);
    f(['ingest.replicas=two'], /ingest\.replicas: Invalid type/);
    f(['ingest.replica=3'], /Additional property replica is not allowed/);
    f(['ingest.autoscaling.maxReplica=3'], /Additional property maxReplica is not allowed/);
    f(['networkPolicy.dns.podSelector.matchLabel.k=v'], /Additional property matchLabel is not allowed/);
    f(['config.retention.periods=1h'], /Additional property periods is not allowed/);
    f(['config.server.port=3200'], /Additional property port is not allowed/);
    f(['config.storage.postgres.url=postgres://x'], /Additional property url is not allowed/);
    f(['config.query.maxConcurrent=many'], /Invalid type/);
    f(['topologySpread.whenUnsatisfiable=Sometimes'], /whenUnsatisfiable/);
    f(['single.resources.limits.cpu=lots'], /cpu/);
    f(['unknownTopLevel=1'], /Additional property unknownTopLevel is not allowed/);
    // And the values that are fine are accepted.
    helmOk(['template', RELEASE, CHART, ...setArgs(['config.retention.period=168h', 'config.query.maxConcurrent=4', 'config.queue.redis.partitions=16'])]);
  });

  it('refuses values the schema cannot judge, with a message naming them', () => {
    const f = (sets: string[], want: RegExp): void => {
      const r = helm(['template', RELEASE, CHART, ...setArgs(sets)]);
      assert.notEqual(r.status, 0, sets.join(' '));
      assert.match(r.stderr, want);
    };
    f(['shutdown.terminationGracePeriodSeconds=30'], /terminationGracePeriodSeconds \(30\) must be longer than preStopSleepSeconds \+ timeoutSeconds \(30\)/);
    f(['postgresql.enabled=false'], /set externalDatabase\.url/);
    f(['redis.enabled=false'], /set externalRedis\.url/);
    f(['backup.restore.enabled=true'], /backup\.restore\.file/);
  });

  it('has values.schema.json and the README table generated from deploy/helm/src (npx tsx deploy/helm/src/build.ts)', () => {
    assert.equal(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'), renderSchema());
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    assert.equal(readme, renderReadme(readme));
    for (const key of ['mode', 'ingest.autoscaling.maxReplicas', 'postgresql.persistence.size', 'backup.schedule', 'networkPolicy.notifierCidrs']) assert.ok(readme.includes(`| \`${key}\` |`), key);
  });

  it('packages the rules and dashboards behind its symbolic links as their contents', () => {
    const out = mkdtempSync(join(tmpdir(), 'ls-chart-'));
    try {
      helmOk(['package', CHART, '--destination', out]);
      const tgz = join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
      const tar = spawnSync('tar', ['-xzf', tgz, '-C', out]);
      assert.equal(tar.status, 0);
      const files: Array<[string, string]> = [
        ['logsentinel/files/prometheus-rules/logsentinel.rules.yml', 'deploy/prometheus/rules/logsentinel.rules.yml'],
        ...readdirSync(join(ROOT, 'deploy/grafana/dashboards')).map((f): [string, string] => [`logsentinel/files/dashboards/${f}`, `deploy/grafana/dashboards/${f}`]),
      ];
      for (const [packaged, source] of files) assert.equal(readFileSync(join(out, packaged), 'utf8'), readFileSync(join(ROOT, source), 'utf8'), packaged);
      // The packaged chart renders the same objects as the directory.
      const fromTgz = parseObjects(helmOk(['template', RELEASE, tgz, '--namespace', NAMESPACE]));
      const fromDir = render('cluster');
      const strip = (objs: typeof fromDir): unknown => objs.filter((o) => o.kind !== 'Secret').map((o) => JSON.stringify(o));
      assert.deepEqual(strip(fromTgz), strip(fromDir));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('renders the PrometheusRule and dashboards from those files, unchanged', () => {
    const objs = render('cluster');
    const rule = objs.find((o) => o.kind === 'PrometheusRule')!;
    const source = parseObjects(readFileSync(join(ROOT, 'deploy/prometheus/rules/logsentinel.rules.yml'), 'utf8'))[0] as unknown as { groups: unknown };
    assert.deepEqual(rule.spec!.groups, source.groups);
    const dashboards = objs.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    const files = readdirSync(join(ROOT, 'deploy/grafana/dashboards')).sort();
    assert.deepEqual(dashboards.flatMap((d) => Object.keys(d.data!)).sort(), files);
    for (const d of dashboards) for (const [f, body] of Object.entries(d.data!)) assert.deepEqual(JSON.parse(body), JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/dashboards', f), 'utf8')), f);
    const ds = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_datasource === '1')!;
    const doc = parseObjects(Object.values(ds.data!)[0])[0] as unknown as { datasources: Array<{ uid: string; type: string; url: string; secureJsonData?: Record<string, string> }> };
    assert.equal(doc.datasources[0].uid, 'logsentinel');
    assert.equal(doc.datasources[0].type, 'loki');
    assert.equal(doc.datasources[0].url, `http://logsentinel-query.${NAMESPACE}.svc:3100`);
    assert.equal(doc.datasources[0].secureJsonData?.httpHeaderValue1, 'Bearer ${LOGSENTINEL_TOKEN}');
  });

  for (const s of scenarios) {
    it(`${s}: every object is valid against its model (types, required fields) and has no unknown field`, async () => {
      const objs = render(s);
      const problems: string[] = [];
      for (const o of objs) for (const e of await validateWithModel(o)) problems.push(`${ref(o)}: ${e}`);
      problems.push(...unknownFields(objs, s));
      assert.deepEqual(problems, []);
    });
  }

  it('the unknown-field check catches a misspelt field at any depth', () => {
    const objs = structuredClone(render('cluster'));
    const d = objs.find((o) => o.kind === 'Deployment')!;
    (d.spec as Record<string, unknown>).selectr = {};
    const sm = objs.find((o) => o.kind === 'ServiceMonitor')!;
    (sm.spec as { endpoints: Array<Record<string, unknown>> }).endpoints[0].intervall = '5s';
    const cert = objs.find((o) => o.kind === 'Certificate')!;
    (cert.spec as Record<string, unknown>).dnsName = ['x'];
    const p = unknownFields(objs, 'typos').join('\n');
    assert.match(p, /Deployment\/logsentinel-ingest: .*'"selectr"' does not exist in type 'IDeploymentSpec'/);
    assert.match(p, /ServiceMonitor\/logsentinel-ingest: .*'"intervall"' does not exist/);
    assert.match(p, /Certificate\/logsentinel-tls: .*'"dnsName"' does not exist/);
  });
});
