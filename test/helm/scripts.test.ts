/**
 * The kind scripts (scripts/setup-cluster.sh, deploy.sh, monitoring-setup.sh, cleanup.sh --kind)
 * and deploy/kubernetes/create-secret.sh. No Kubernetes cluster can run here, so they run with
 * fake kubectl, helm, kind and docker on PATH that record their arguments (and answer the few
 * questions the scripts ask); the recorded helm command lines are then run for real as
 * `helm template` against the chart, and the recorded Secret keys are compared with the ones the
 * manifests read. Plus bash -n and shellcheck.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../e2e/harness.js';
import { findTool, toolPath } from '../deploy/tools.js';
import { helm } from './helm.js';
import { parseObjects } from './render.js';

const SHELLCHECK = findTool('shellcheck', '/usr/bin/shellcheck', 'apt-get install shellcheck');
const SCRIPTS = ['scripts/setup-cluster.sh', 'scripts/deploy.sh', 'scripts/monitoring-setup.sh', 'scripts/cleanup.sh', 'deploy/kubernetes/create-secret.sh'];

// One fake for every tool: records `<tool> <args...>` (fields split by US, records by RS) and
// answers from FAKE_* variables.
const FAKE = `#!/usr/bin/env bash
tool=$(basename "$0")
{ printf '%s' "$tool"; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\036'; } >>"$FAKE_LOG"
all=" $* "
case "$tool" in
  kubectl)
    case "$all" in
      *" config current-context "*) echo "$FAKE_CONTEXT" ;;
      *" get crd "*) [ "$FAKE_CRDS" = present ] || exit 1 ;;
      *" get namespace "*) for n in $FAKE_NAMESPACES; do case "$all" in *" get namespace $n "*) exit 0 ;; esac; done; exit 1 ;;
      *" get secret -l "*) echo secret/logsentinel-credentials ;;
      *"jsonpath={.data.admin-token}"*) printf 'bHN0X2Zha2U=' ;;
      *" get secret "*) exit 1 ;;
      *" apply -f - "*|*" create secret "*"--dry-run"*) cat >/dev/null ;;
    esac ;;
  kind)
    case "$all" in
      *" get clusters "*) echo "$FAKE_KIND_CLUSTERS" ;;
      *" create cluster "*) cat >"$FAKE_LOG.kind-config" ;;
    esac ;;
  helm)
    case "$all" in
      *" status "*) exit 1 ;;
      *" list "*) echo logsentinel ;;
    esac ;;
esac
exit 0
`;

interface Call {
  tool: string;
  args: string[];
}

function runScript(script: string, args: string[], env: Record<string, string> = {}): { status: number | null; output: string; calls: Call[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ls-fake-'));
  for (const t of ['kubectl', 'helm', 'kind', 'docker']) {
    writeFileSync(join(dir, t), FAKE);
    chmodSync(join(dir, t), 0o755);
  }
  const log = join(dir, 'calls');
  writeFileSync(log, '');
  const r = spawnSync('bash', [join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: '',
    env: {
      PATH: `${dir}:${process.env.PATH}`,
      HOME: dir,
      FAKE_LOG: log,
      FAKE_CONTEXT: 'kind-logsentinel',
      FAKE_CRDS: 'present',
      FAKE_NAMESPACES: '',
      FAKE_KIND_CLUSTERS: '',
      ...env,
    },
  });
  const calls = readFileSync(log, 'utf8')
    .split('\x1e')
    .filter(Boolean)
    .map((rec) => {
      const [tool, ...rest] = rec.split('\x1f');
      return { tool, args: rest };
    });
  return { status: r.status, output: r.stdout + r.stderr, calls, dir };
}

const has = (calls: Call[], tool: string, ...parts: string[]): Call | undefined => calls.find((c) => c.tool === tool && parts.every((p) => c.args.includes(p)));

/** The recorded `helm upgrade --install` run as `helm template` with the same chart and values. */
function templateOf(call: Call): ReturnType<typeof parseObjects> {
  assert.deepEqual(call.args.slice(0, 2), ['upgrade', '--install']);
  const args = ['template', ...call.args.slice(2)];
  const drop = (flag: string, withValue: boolean): void => {
    const i = args.indexOf(flag);
    if (i >= 0) args.splice(i, withValue ? 2 : 1);
  };
  drop('--wait', false);
  drop('--timeout', true);
  drop('--create-namespace', false);
  const r = helm(args);
  assert.equal(r.status, 0, `helm ${args.join(' ')}\n${r.stderr}`);
  return parseObjects(r.stdout);
}

function setValue(call: Call, key: string): string | undefined {
  for (let i = 0; i < call.args.length - 1; i++) if (call.args[i] === '--set' && call.args[i + 1].startsWith(`${key}=`)) return call.args[i + 1].slice(key.length + 1);
  return undefined;
}

describe('kind scripts and create-secret.sh', () => {
  it('parse with bash -n', () => {
    for (const s of SCRIPTS) {
      const r = spawnSync('bash', ['-n', join(ROOT, s)], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${s}: ${r.stderr}`);
    }
  });

  it('pass shellcheck', { skip: SHELLCHECK.skip }, () => {
    const r = spawnSync(toolPath(SHELLCHECK), SCRIPTS, { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('answer --help and refuse unknown arguments', () => {
    for (const s of SCRIPTS) {
      const help = runScript(s, ['--help']);
      assert.equal(help.status, 0, s);
      assert.match(help.output, new RegExp(s.split('/').pop()!.replace('.', '\\.')), `${s} --help names itself`);
      assert.equal(runScript(s, ['--bogus']).status, 2, `${s} --bogus`);
    }
  });

  it('setup-cluster.sh creates a kind cluster with the ingress ports, ingress-nginx and cert-manager with its CRDs', () => {
    const r = runScript('scripts/setup-cluster.sh', []);
    assert.equal(r.status, 0, r.output);
    assert.ok(has(r.calls, 'kind', 'create', 'cluster', 'logsentinel'));
    const config = parse(readFileSync(join(r.dir, 'calls.kind-config'), 'utf8')) as { kind: string; nodes: Array<{ extraPortMappings: Array<{ containerPort: number; hostPort: number }>; kubeadmConfigPatches: string[] }> };
    assert.equal(config.kind, 'Cluster');
    assert.deepEqual(config.nodes[0].extraPortMappings.map((m) => [m.containerPort, m.hostPort]), [[80, 80], [443, 443]]);
    assert.match(config.nodes[0].kubeadmConfigPatches[0], /ingress-ready=true/);
    assert.ok(r.calls.some((c) => c.tool === 'kubectl' && c.args[0] === 'apply' && /ingress-nginx\/controller-v[\d.]+\/deploy\/static\/provider\/kind\/deploy\.yaml$/.test(c.args[2])));
    const cm = has(r.calls, 'helm', 'upgrade', 'cert-manager', 'jetstack/cert-manager')!;
    assert.ok(cm && setValue(cm, 'crds.enabled') === 'true');
    rmSync(r.dir, { recursive: true, force: true });
  });

  it('deploy.sh installs the chart with values the chart accepts (cluster, CRDs present, kind)', () => {
    const r = runScript('scripts/deploy.sh', ['--no-build']);
    assert.equal(r.status, 0, r.output);
    assert.ok(has(r.calls, 'kind', 'load', 'docker-image', 'logsentinel:latest'), 'the image is loaded into kind');
    assert.ok(has(r.calls, 'kubectl', 'label', 'namespace', 'logsentinel', 'pod-security.kubernetes.io/enforce=restricted'));
    const install = has(r.calls, 'helm', 'upgrade', '--install')!;
    assert.equal(setValue(install, 'image.pullPolicy'), 'Never');
    const objs = templateOf(install);
    assert.ok(objs.some((o) => o.kind === 'Certificate'));
    assert.ok(objs.some((o) => o.kind === 'ServiceMonitor'));
    assert.equal(objs.find((o) => o.kind === 'Ingress')!.spec!.rules && (objs.find((o) => o.kind === 'Ingress')!.spec!.rules as Array<{ host: string }>)[0].host, 'logsentinel.localtest.me');
    rmSync(r.dir, { recursive: true, force: true });
  });

  it('deploy.sh leaves out what needs missing CRDs, and runs single mode with the demo and the collector', () => {
    const r = runScript('scripts/deploy.sh', ['--no-build', '--mode', 'single', '--demo', '--collector', '--host', 'logs.test'], { FAKE_CRDS: 'absent', FAKE_CONTEXT: 'some-cluster', FAKE_NAMESPACES: 'monitoring' });
    assert.equal(r.status, 0, r.output);
    assert.ok(!r.calls.some((c) => c.tool === 'kind'), 'not a kind cluster: nothing is loaded');
    assert.ok(has(r.calls, 'kubectl', 'label', 'namespace', 'logsentinel', 'pod-security.kubernetes.io/enforce=privileged'), 'the collector needs a privileged namespace');
    const objs = templateOf(has(r.calls, 'helm', 'upgrade', '--install')!);
    const kinds = new Set(objs.map((o) => o.kind));
    for (const k of ['Certificate', 'Issuer', 'ServiceMonitor', 'PrometheusRule']) assert.ok(!kinds.has(k), `no ${k}`);
    assert.ok(kinds.has('DaemonSet') && objs.some((o) => o.metadata.name === 'logsentinel-demo-api'));
    assert.ok(objs.some((o) => o.kind === 'StatefulSet' && o.metadata.name === 'logsentinel'));
    // With a monitoring namespace, Grafana gets the admin token in the Secret monitoring-setup.sh reads.
    assert.ok(has(r.calls, 'kubectl', '-n', 'monitoring', 'create', 'secret', 'generic', 'logsentinel-grafana-token'));
    rmSync(r.dir, { recursive: true, force: true });
  });

  it('deploy.sh --manifests creates the Secret with every key the manifests read, then applies the kustomization', () => {
    const r = runScript('scripts/deploy.sh', ['--no-build', '--manifests']);
    assert.equal(r.status, 0, r.output);
    const create = has(r.calls, 'kubectl', 'create', 'secret', 'generic', 'logsentinel-credentials')!;
    assert.ok(create, 'create-secret.sh made the Secret');
    const literals = new Map(create.args.filter((a) => a.startsWith('--from-literal=')).map((a) => a.slice('--from-literal='.length).split(/=(.*)/s).slice(0, 2) as [string, string]));
    const manifests = parseObjects(readFileSync(join(ROOT, 'deploy/kubernetes/logsentinel.yaml'), 'utf8'));
    const text = JSON.stringify(manifests);
    const read = new Set([...text.matchAll(/"key":"([a-z-]+)"/g)].map((m) => m[1]).concat([...text.matchAll(/\/etc\/logsentinel\/secrets\/([a-z-]+)/g)].map((m) => m[1])));
    for (const k of read) assert.ok(literals.has(k), `create-secret.sh sets ${k}`);
    assert.match(literals.get('admin-token')!, /^lst_[a-z2-7]{12}_[A-Za-z0-9]{43}$/);
    assert.equal(new URL(literals.get('postgres-url')!).password, literals.get('postgres-password'));
    assert.equal(new URL(literals.get('redis-url')!).password, literals.get('redis-password'));
    assert.equal(new URL(literals.get('postgres-url')!).hostname, 'logsentinel-postgresql');
    assert.ok(manifests.some((o) => o.kind === 'Service' && o.metadata.name === 'logsentinel-postgresql'));
    assert.ok(manifests.some((o) => o.kind === 'Service' && o.metadata.name === 'logsentinel-redis'));
    assert.ok(has(r.calls, 'kubectl', 'apply', '-k', 'deploy/kubernetes'));
    assert.ok(!r.calls.some((c) => c.tool === 'helm'), 'no helm with --manifests');
    rmSync(r.dir, { recursive: true, force: true });
  });

  it('monitoring-setup.sh makes Prometheus and Grafana find what the chart renders', () => {
    const r = runScript('scripts/monitoring-setup.sh', []);
    assert.equal(r.status, 0, r.output);
    const c = has(r.calls, 'helm', 'upgrade', '--install', 'kube-prometheus-stack')!;
    for (const k of ['serviceMonitorSelectorNilUsesHelmValues', 'ruleSelectorNilUsesHelmValues']) assert.equal(setValue(c, `prometheus.prometheusSpec.${k}`), 'false');
    const values = parse(readFileSync(join(ROOT, 'deploy/helm/logsentinel/values.yaml'), 'utf8')) as { monitoring: { grafana: { dashboards: { label: string }; datasource: { label: string } } }; alerting: { alertmanagerUrls: string[] } };
    assert.equal(setValue(c, 'grafana.sidecar.dashboards.label'), values.monitoring.grafana.dashboards.label);
    assert.equal(setValue(c, 'grafana.sidecar.datasources.label'), values.monitoring.grafana.datasource.label);
    assert.equal(setValue(c, 'grafana.envValueFrom.LOGSENTINEL_TOKEN.secretKeyRef.name'), 'logsentinel-grafana-token');
    // The chart's default Alertmanager URL is the operator's Service in that namespace.
    assert.match(values.alerting.alertmanagerUrls[0], /alertmanager-operated\.monitoring\.svc:9093$/);
    rmSync(r.dir, { recursive: true, force: true });
  });

  it('cleanup.sh --kind removes the release, the namespaces and the cluster', () => {
    const r = runScript('scripts/cleanup.sh', ['--kind', '-y'], { FAKE_KIND_CLUSTERS: 'logsentinel' });
    assert.equal(r.status, 0, r.output);
    assert.ok(has(r.calls, 'helm', 'uninstall', 'logsentinel', '--namespace', 'logsentinel'));
    assert.ok(has(r.calls, 'kubectl', 'delete', 'namespace', 'logsentinel', 'monitoring'));
    assert.ok(has(r.calls, 'kind', 'delete', 'cluster', '--name', 'logsentinel'));
    const keep = runScript('scripts/cleanup.sh', ['--kind', '-y', '--keep-cluster'], { FAKE_KIND_CLUSTERS: 'logsentinel' });
    assert.ok(!has(keep.calls, 'kind', 'delete'));
    for (const d of [r.dir, keep.dir]) if (existsSync(d)) rmSync(d, { recursive: true, force: true });
  });
});
