/**
 * The NetworkPolicies allow exactly the flows of the design, no more and no fewer.
 *
 * Reachability is computed from the rendered policies with Kubernetes' semantics: a pod selected
 * by a policy with an Ingress (Egress) type is isolated in that direction and accepts (opens) only
 * what one of those policies' rules allows — peer by podSelector (the policy's namespace),
 * namespaceSelector, both, or ipBlock; ports by number or by the destination's port name,
 * protocol TCP unless given. Actors are every pod template the chart renders plus the peers
 * outside it (ingress controller, Prometheus, Grafana, Alertmanager, cluster DNS, an external
 * database, Slack, and unrelated pods in this and another namespace); every (source,
 * destination, port) pair where one side is a chart pod is evaluated and the allowed set is
 * compared with the flow table below, both ways. ipBlock peers are matched against external
 * addresses only (pod IPs are not modelled).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NAMESPACE, SCENARIOS, WORKLOAD_KINDS, byKind, podTemplate, render, type K8sObject, type Scenario } from './render.js';

interface Port {
  port: number;
  name?: string;
  protocol: string;
}
interface Actor {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  ip?: string;
  ports: Port[];
  /** Part of the chart: subject to its policies. */
  chart: boolean;
}

const tcp = (port: number, name?: string): Port => ({ port, name, protocol: 'TCP' });

const OUTSIDE: Actor[] = [
  { name: 'ingress-controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [tcp(443)], chart: false },
  { name: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [tcp(9090)], chart: false },
  { name: 'grafana', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' }, ports: [tcp(3000)], chart: false },
  { name: 'alertmanager', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'alertmanager' }, ports: [tcp(9093)], chart: false },
  { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: [tcp(53), { port: 53, protocol: 'UDP' }], chart: false },
  { name: 'other-pod-same-namespace', namespace: NAMESPACE, labels: { app: 'other' }, ports: [tcp(8080)], chart: false },
  { name: 'other-pod-default-namespace', namespace: 'default', labels: { app: 'other' }, ports: [tcp(8080)], chart: false },
  { name: 'external-postgresql', ip: '10.20.1.5', ports: [tcp(5432)], chart: false },
  { name: 'external-redis', ip: '10.30.1.5', ports: [tcp(6379)], chart: false },
  { name: 'slack', ip: '203.0.113.10', ports: [tcp(443)], chart: false },
];

function chartActors(objs: K8sObject[]): Actor[] {
  const seen = new Map<string, Actor>();
  for (const o of objs.filter((x) => WORKLOAD_KINDS.includes(x.kind))) {
    const t = podTemplate(o)!;
    const name = t.metadata.labels!['app.kubernetes.io/component'];
    const ports = t.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, name: p.name, protocol: p.protocol ?? 'TCP' })));
    seen.set(name, { name, namespace: NAMESPACE, labels: t.metadata.labels, ports, chart: true });
  }
  return [...seen.values()];
}

const matchLabels = (sel: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string> | undefined): boolean =>
  Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);

function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = (a: string): number => a.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  const mask = Number(bits) === 0 ? 0 : 2 ** 32 - 2 ** (32 - Number(bits));
  return (n(ip) & mask) >>> 0 === (n(base) & mask) >>> 0;
}

interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: Array<{ port?: number | string; protocol?: string }>;
}

function peerMatches(peer: Peer, policyNs: string, a: Actor): boolean {
  if (peer.ipBlock) return a.ip !== undefined && ipInCidr(a.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => ipInCidr(a.ip!, c));
  if (a.namespace === undefined) return false;
  const nsOk = peer.namespaceSelector ? matchLabels(peer.namespaceSelector, { 'kubernetes.io/metadata.name': a.namespace }) : a.namespace === policyNs;
  const podOk = peer.podSelector ? matchLabels(peer.podSelector, a.labels) : true;
  return nsOk && podOk;
}

function portMatches(rule: Rule, dst: Actor, p: Port): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  return rule.ports.some((rp) => (rp.protocol ?? 'TCP') === p.protocol && (rp.port === undefined || rp.port === p.port || (typeof rp.port === 'string' && rp.port === p.name)));
}

/** Whether `subject` lets the flow through in one direction ('Ingress': from `other`; 'Egress': to `other`). */
function allows(policies: K8sObject[], subject: Actor, other: Actor, dst: Actor, p: Port, dir: 'Ingress' | 'Egress'): boolean {
  if (!subject.chart) return true;
  const selecting = policies.filter((np) => (np.metadata.namespace ?? NAMESPACE) === subject.namespace && matchLabels(np.spec!.podSelector as never, subject.labels) && (np.spec!.policyTypes as string[]).includes(dir));
  if (selecting.length === 0) return true;
  return selecting.some((np) => {
    const rules = (np.spec![dir === 'Ingress' ? 'ingress' : 'egress'] as Rule[] | undefined) ?? [];
    return rules.some((r) => {
      const peers = dir === 'Ingress' ? r.from : r.to;
      const peerOk = !peers || peers.length === 0 || peers.some((x) => peerMatches(x, np.metadata.namespace ?? NAMESPACE, other));
      return peerOk && portMatches(r, dst, p);
    });
  });
}

export function reachable(objs: K8sObject[]): string[] {
  const policies = byKind(objs, 'NetworkPolicy');
  const actors = [...chartActors(objs), ...OUTSIDE];
  const out: string[] = [];
  for (const src of actors) {
    for (const dst of actors) {
      if (src === dst || (!src.chart && !dst.chart)) continue;
      for (const p of dst.ports) {
        if (allows(policies, src, dst, dst, p, 'Egress') && allows(policies, dst, src, dst, p, 'Ingress')) out.push(`${src.name} -> ${dst.name}:${p.port}${p.protocol === 'TCP' ? '' : '/' + p.protocol}`);
      }
    }
  }
  return out.sort();
}

const dns = (components: string[]): string[] => components.flatMap((c) => [`${c} -> kube-dns:53`, `${c} -> kube-dns:53/UDP`]);

/** The design's flows (deploy/helm/logsentinel/README.md, "Network policies"). */
const EXPECTED: Record<Scenario, string[]> = {
  single: [
    'ingress-controller -> server:3100',
    'prometheus -> server:3100',
    'grafana -> server:3100',
    'server -> alertmanager:9093',
    ...dns(['server']),
  ],
  cluster: [
    'ingress-controller -> ingest:3100',
    'ingress-controller -> query:3100',
    'ingress-controller -> ruler:3100',
    ...['ingest', 'process', 'query', 'ruler'].map((c) => `prometheus -> ${c}:3100`),
    'grafana -> query:3100',
    'ingest -> redis:6379',
    'ingest -> postgresql:5432', // users and tokens, authentication being on
    'process -> redis:6379',
    'process -> postgresql:5432',
    'process -> alertmanager:9093',
    'query -> postgresql:5432',
    'query -> redis:6379',
    'ruler -> postgresql:5432',
    'ruler -> redis:6379',
    'ruler -> alertmanager:9093',
    'backup -> postgresql:5432',
    ...dns(['ingest', 'process', 'query', 'ruler', 'redis', 'postgresql', 'backup']),
  ],
  'cluster-full': [],
  'cluster-external': [
    'ingress-controller -> ingest:3100',
    'ingress-controller -> query:3100',
    'ingress-controller -> ruler:3100',
    ...['ingest', 'process', 'query', 'ruler'].map((c) => `prometheus -> ${c}:3100`),
    'grafana -> query:3100',
    'ingest -> external-redis:6379',
    'ingest -> external-postgresql:5432',
    'process -> external-redis:6379',
    'process -> external-postgresql:5432',
    'process -> alertmanager:9093',
    'query -> external-postgresql:5432',
    'query -> external-redis:6379',
    'ruler -> external-postgresql:5432',
    'ruler -> external-redis:6379',
    'ruler -> alertmanager:9093',
    'backup -> external-postgresql:5432',
    ...dns(['ingest', 'process', 'query', 'ruler', 'backup']),
  ],
};
EXPECTED['cluster-full'] = [
  ...EXPECTED.cluster,
  'collector -> ingest:3100',
  'demo-api -> ingest:3100',
  'log-agent -> ingest:3100',
  'demo-traffic -> demo-api:8080',
  'prometheus -> demo-api:8080',
  'process -> slack:443',
  'ruler -> slack:443',
  ...dns(['collector', 'demo-api', 'log-agent', 'demo-traffic']),
];

describe('network policies', () => {
  for (const s of Object.keys(SCENARIOS) as Scenario[]) {
    it(`${s}: allow exactly the design's flows (nothing missing, nothing extra)`, () => {
      const got = reachable(render(s));
      const want = [...new Set(EXPECTED[s])].sort();
      const missing = want.filter((f) => !got.includes(f));
      const extra = got.filter((f) => !want.includes(f));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    });
  }

  it('the computation notices a policy that lets too much through, and one that blocks a flow', () => {
    const objs = structuredClone(render('cluster'));
    const redis = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'logsentinel-redis')!;
    (redis.spec!.ingress as Rule[])[0].from!.push({ namespaceSelector: {} });
    const got = reachable(objs);
    assert.ok(got.includes('prometheus -> redis:6379'), 'an empty namespaceSelector opens Redis to every namespace');
    const ingest = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'logsentinel-ingest')!;
    (ingest.spec!.egress as Rule[]).length = 0;
    assert.ok(!reachable(objs).includes('ingest -> redis:6379'), 'without its egress rule ingest cannot reach Redis');
  });
});
