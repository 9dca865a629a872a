/**
 * What a schema cannot see in the rendered chart: references between objects and the production
 * patterns every workload must carry. Run over every scenario (test/helm/render.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../e2e/harness.js';
import { SCENARIOS, WORKLOAD_KINDS, byKind, podTemplate, ref, render, type Container, type K8sObject, type Scenario } from './render.js';

const scenarios = Object.keys(SCENARIOS) as Scenario[];

/** Secrets, ConfigMaps and Services that live outside the chart on purpose, by scenario. */
const EXTERNAL: Partial<Record<Scenario, string[]>> = {};

interface Pod {
  owner: K8sObject;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: ReturnType<typeof podTemplate> extends infer T ? (T extends { spec: infer S } ? S : never) : never;
}

function pods(objs: K8sObject[]): Pod[] {
  return objs
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .map((o) => {
      const t = podTemplate(o)!;
      return { owner: o, labels: t.metadata.labels ?? {}, annotations: t.metadata.annotations ?? {}, spec: t.spec };
    });
}

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

function replicasOf(o: K8sObject, objs: K8sObject[]): number {
  const hpa = byKind(objs, 'HorizontalPodAutoscaler').find((h) => (h.spec!.scaleTargetRef as { name: string }).name === o.metadata.name);
  if (hpa) return hpa.spec!.minReplicas as number;
  return (o.spec!.replicas as number | undefined) ?? 1;
}

const containersOf = (p: Pod): Container[] => [...p.spec.containers, ...(p.spec.initContainers ?? [])];

function secretKeys(objs: K8sObject[], name: string): string[] | undefined {
  const s = objs.find((o) => o.kind === 'Secret' && o.metadata.name === name);
  return s ? Object.keys({ ...(s.data ?? {}), ...(s.stringData ?? {}) }) : undefined;
}

/** Secret names that cert-manager will create (Certificates' secretName). */
const certSecrets = (objs: K8sObject[]): string[] => byKind(objs, 'Certificate').map((c) => c.spec!.secretName as string);

for (const s of scenarios) {
  describe(`rendered chart, ${s}`, () => {
    const objs = render(s);
    const all = pods(objs);

    it('every Service selects pods that exist and targets a port they declare', () => {
      for (const svc of byKind(objs, 'Service')) {
        const sel = svc.spec!.selector as Record<string, string>;
        const matched = all.filter((p) => selects(sel, p.labels));
        assert.ok(matched.length > 0, `${ref(svc)} selects no pod`);
        for (const port of svc.spec!.ports as Array<{ name: string; targetPort: string | number }>) {
          for (const p of matched) {
            const declared = p.spec.containers.flatMap((c) => c.ports ?? []);
            assert.ok(declared.some((d) => d.name === port.targetPort || d.containerPort === port.targetPort), `${ref(svc)} port ${port.name} targets ${port.targetPort}, which ${ref(p.owner)} does not declare`);
          }
        }
      }
    });

    it('headless Services for every StatefulSet, ClusterIP Services for the rest', () => {
      for (const sts of byKind(objs, 'StatefulSet')) {
        const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === sts.spec!.serviceName);
        assert.ok(svc, `${ref(sts)}: its serviceName ${String(sts.spec!.serviceName)} exists`);
        assert.equal(svc.spec!.clusterIP, 'None', `${ref(svc)} is headless`);
        assert.ok(selects(svc.spec!.selector as Record<string, string>, podTemplate(sts)!.metadata.labels!), `${ref(svc)} selects ${ref(sts)}'s pods`);
      }
      for (const svc of byKind(objs, 'Service').filter((x) => x.spec!.clusterIP !== 'None')) {
        assert.equal(svc.spec!.type, 'ClusterIP', ref(svc));
        const owners = all.filter((p) => selects(svc.spec!.selector as Record<string, string>, p.labels)).map((p) => p.owner.kind);
        if (owners.every((k) => k === 'StatefulSet')) assert.equal(s, 'single', `${ref(svc)}: only single mode adds a ClusterIP Service to a StatefulSet (the Ingress' backend)`);
      }
    });

    it('every referenced ConfigMap, Secret (and key), PVC and ServiceAccount exists', () => {
      const external = EXTERNAL[s] ?? [];
      const exists = (kind: string, name: string): boolean => external.includes(`${kind}/${name}`) || objs.some((o) => o.kind === kind && o.metadata.name === name) || (kind === 'Secret' && certSecrets(objs).includes(name));
      for (const p of all) {
        const where = ref(p.owner);
        const sa = p.spec.serviceAccountName;
        assert.ok(sa && exists('ServiceAccount', sa), `${where}: service account ${sa}`);
        const claims = ((p.owner.spec!.volumeClaimTemplates as Array<{ metadata: { name: string } }> | undefined) ?? []).map((c) => c.metadata.name);
        const volumeNames = new Set([...(p.spec.volumes ?? []).map((v) => v.name), ...claims]);
        for (const v of p.spec.volumes ?? []) {
          if (v.configMap) assert.ok(exists('ConfigMap', v.configMap.name), `${where}: ConfigMap ${v.configMap.name}`);
          if (v.persistentVolumeClaim) assert.ok(exists('PersistentVolumeClaim', v.persistentVolumeClaim.claimName), `${where}: PVC ${v.persistentVolumeClaim.claimName}`);
          if (v.secret) {
            assert.ok(exists('Secret', v.secret.secretName), `${where}: Secret ${v.secret.secretName}`);
            const keys = secretKeys(objs, v.secret.secretName);
            for (const item of v.secret.items ?? []) assert.ok(keys?.includes(item.key), `${where}: Secret ${v.secret.secretName} has key ${item.key}`);
          }
        }
        for (const c of containersOf(p)) {
          for (const m of c.volumeMounts ?? []) assert.ok(volumeNames.has(m.name), `${where}/${c.name}: volume ${m.name} exists`);
          for (const e of c.env ?? []) {
            const sk = e.valueFrom?.secretKeyRef;
            if (sk) {
              assert.ok(exists('Secret', sk.name), `${where}: Secret ${sk.name}`);
              const keys = secretKeys(objs, sk.name);
              if (keys) assert.ok(keys.includes(sk.key), `${where}/${c.name}: ${e.name} reads key ${sk.key} of ${sk.name}, which it lacks`);
            }
            const cm = e.valueFrom?.configMapKeyRef;
            if (cm) assert.ok(exists('ConfigMap', cm.name), `${where}: ConfigMap ${cm.name}`);
            // *_FILE variables name a file of a mounted Secret: that key must exist.
            if (e.name.endsWith('_FILE') && e.value?.startsWith('/etc/logsentinel/secrets/')) {
              const mount = (c.volumeMounts ?? []).find((m) => m.mountPath === '/etc/logsentinel/secrets')!;
              const vol = (p.spec.volumes ?? []).find((v) => v.name === mount.name)!;
              const keys = vol.secret!.items ? vol.secret!.items.map((i) => i.key) : secretKeys(objs, vol.secret!.secretName);
              assert.ok(keys?.includes(e.value.slice('/etc/logsentinel/secrets/'.length)), `${where}/${c.name}: ${e.name}=${e.value} is not a key of the mounted Secret`);
            }
          }
        }
      }
      for (const ing of byKind(objs, 'Ingress')) {
        for (const t of (ing.spec!.tls as Array<{ secretName: string }> | undefined) ?? []) assert.ok(exists('Secret', t.secretName), `${ref(ing)}: TLS Secret ${t.secretName} is made by a Certificate`);
      }
      for (const cert of byKind(objs, 'Certificate')) {
        const issuer = cert.spec!.issuerRef as { name: string; kind: string };
        assert.ok(exists(issuer.kind, issuer.name), `${ref(cert)}: ${issuer.kind} ${issuer.name}`);
        const hosts = byKind(objs, 'Ingress').flatMap((i) => (i.spec!.rules as Array<{ host: string }>).map((r) => r.host));
        for (const h of hosts) assert.ok((cert.spec!.dnsNames as string[]).includes(h), `${ref(cert)} covers ${h}`);
      }
    });

    it('every container carries requests and limits, probes, a preStop hook and the restricted security context', () => {
      for (const p of all) {
        const where = ref(p.owner);
        const exempt = p.annotations['logsentinel.io/pod-security'];
        if (exempt) assert.equal(p.labels['app.kubernetes.io/component'], 'collector', `${where}: only the log collector may leave the restricted profile`);
        assert.equal(p.spec.automountServiceAccountToken, false, `${where}: no service account token`);
        assert.equal((p.spec.securityContext?.seccompProfile as { type?: string } | undefined)?.type, 'RuntimeDefault', `${where}: seccomp RuntimeDefault`);
        if (!exempt) {
          assert.equal(p.spec.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
          assert.ok((p.spec.securityContext?.runAsUser as number) > 0, `${where}: a non-root uid`);
          for (const v of p.spec.volumes ?? []) assert.equal(v.hostPath, undefined, `${where}: no hostPath`);
        }
        for (const c of containersOf(p)) {
          const cw = `${where}/${c.name}`;
          for (const k of ['requests', 'limits'] as const) for (const r of ['cpu', 'memory']) assert.ok(c.resources?.[k]?.[r], `${cw}: resources.${k}.${r}`);
          const sc = c.securityContext ?? {};
          assert.equal(sc.allowPrivilegeEscalation, false, `${cw}: allowPrivilegeEscalation false`);
          assert.equal(sc.readOnlyRootFilesystem, true, `${cw}: readOnlyRootFilesystem`);
          assert.deepEqual((sc.capabilities as { drop?: string[]; add?: string[] } | undefined)?.drop, ['ALL'], `${cw}: drops ALL capabilities`);
          assert.equal((sc.capabilities as { add?: string[] }).add, undefined, `${cw}: adds none`);
          assert.notEqual(sc.privileged, true, `${cw}: not privileged`);
          if (!exempt) assert.equal(sc.runAsNonRoot, true, `${cw}: runAsNonRoot`);
          if (!p.annotations['logsentinel.io/no-probes']) {
            for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) assert.ok(c[probe], `${cw}: ${probe}`);
          } else {
            assert.ok(['Job', 'CronJob'].includes(p.owner.kind) || ['demo-traffic', 'log-agent'].includes(p.labels['app.kubernetes.io/component']), `${cw}: only jobs and clients without a server go without probes`);
          }
          if (!p.annotations['logsentinel.io/no-prestop']) assert.ok(c.lifecycle?.preStop, `${cw}: preStop hook`);
        }
      }
    });

    it('LogSentinel pods probe the right endpoints and get a grace period longer than preStop plus the drain', () => {
      const ls = all.filter((p) => p.spec.containers[0].name === 'logsentinel');
      assert.ok(ls.length >= 1);
      for (const p of ls) {
        const c = p.spec.containers[0];
        const path = (probe: unknown): string => (probe as { httpGet: { path: string } }).httpGet.path;
        assert.equal(path(c.livenessProbe), '/health/liveness');
        assert.equal(path(c.startupProbe), '/health/liveness');
        assert.equal(path(c.readinessProbe), '/health/readiness');
        const drain = Number(/^(\d+)s$/.exec(c.env!.find((e) => e.name === 'LOGSENTINEL_SERVER_SHUTDOWN_TIMEOUT')!.value!)![1]);
        const sleep = Number((c.lifecycle!.preStop as { exec: { command: string[] } }).exec.command[1]);
        assert.ok(p.spec.terminationGracePeriodSeconds! > drain + sleep, `${ref(p.owner)}: grace ${p.spec.terminationGracePeriodSeconds} > ${sleep} + ${drain}`);
      }
    });

    it('spreads every scaled workload over nodes, with a PodDisruptionBudget and rollouts that stay within it', () => {
      for (const w of objs.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind))) {
        const n = replicasOf(w, objs);
        if (n <= 1) continue;
        const t = podTemplate(w)!;
        assert.ok(t.spec.topologySpreadConstraints?.length || t.spec.affinity, `${ref(w)}: topology spread or anti-affinity`);
        const pdb = byKind(objs, 'PodDisruptionBudget').find((b) => selects((b.spec!.selector as { matchLabels: Record<string, string> }).matchLabels, t.metadata.labels!));
        assert.ok(pdb, `${ref(w)} (${n} replicas) has a PodDisruptionBudget`);
        const allowed = pdb.spec!.maxUnavailable as number;
        assert.ok(allowed >= 1 && allowed < n, `${ref(pdb)}: maxUnavailable ${allowed} leaves pods up`);
        if (w.kind === 'Deployment') {
          const ru = (w.spec!.strategy as { type: string; rollingUpdate: { maxUnavailable: number } });
          assert.equal(ru.type, 'RollingUpdate');
          assert.ok(ru.rollingUpdate.maxUnavailable <= allowed, `${ref(w)}: a rollout takes down at most what the PDB allows`);
          assert.equal(ru.rollingUpdate.maxUnavailable, 0, `${ref(w)}: a rollout never goes below the desired replicas`);
        } else {
          const us = w.spec!.updateStrategy as { type: string; rollingUpdate?: { maxUnavailable?: number } };
          assert.equal(us.type, 'RollingUpdate');
          assert.ok((us.rollingUpdate?.maxUnavailable ?? 1) <= allowed, `${ref(w)}: one pod at a time`);
        }
      }
      for (const b of byKind(objs, 'PodDisruptionBudget')) {
        assert.ok(all.some((p) => selects((b.spec!.selector as { matchLabels: Record<string, string> }).matchLabels, p.labels)), `${ref(b)} selects pods that exist`);
      }
    });

    it('every HorizontalPodAutoscaler targets an existing workload whose pods request CPU', () => {
      for (const h of byKind(objs, 'HorizontalPodAutoscaler')) {
        const t = h.spec!.scaleTargetRef as { apiVersion: string; kind: string; name: string };
        const w = objs.find((o) => o.kind === t.kind && o.metadata.name === t.name && o.apiVersion === t.apiVersion);
        assert.ok(w, `${ref(h)} targets ${t.kind}/${t.name}`);
        assert.equal(w.spec!.replicas, undefined, `${ref(w)}: no fixed replicas to fight the autoscaler`);
        for (const c of podTemplate(w)!.spec.containers) assert.ok(c.resources?.requests?.cpu, `${ref(w)}/${c.name} requests CPU`);
        assert.ok((h.spec!.minReplicas as number) <= (h.spec!.maxReplicas as number));
      }
    });

    it('every ServiceMonitor selects a Service with its port, whose job label the alerting rules select', () => {
      for (const sm of byKind(objs, 'ServiceMonitor')) {
        const sel = (sm.spec!.selector as { matchLabels: Record<string, string> }).matchLabels;
        const svcs = byKind(objs, 'Service').filter((x) => selects(sel, x.metadata.labels ?? {}));
        assert.equal(svcs.length, 1, `${ref(sm)} selects exactly one Service`);
        for (const ep of sm.spec!.endpoints as Array<{ port: string }>) assert.ok((svcs[0].spec!.ports as Array<{ name: string }>).some((p) => p.name === ep.port), `${ref(sm)} port ${ep.port}`);
        const jobLabel = sm.spec!.jobLabel as string | undefined;
        if (jobLabel) assert.match(svcs[0].metadata.labels![jobLabel], /^logsentinel/, `${ref(sm)}: job name matches the rules' job=~"logsentinel.*"`);
        else assert.equal(svcs[0].metadata.labels!['app.kubernetes.io/component'], 'demo-api', `${ref(sm)}: only the demo is scraped under another job`);
      }
    });
  });
}

describe('the Ingress routes as deploy/compose/cluster/gateway.conf does', () => {
  /** The gateway's choice for a path (nginx: `=` exact, then regexes in order, then the longest prefix). */
  function gatewayUpstream(path: string, browser: boolean): string {
    const conf = readFileSync(join(ROOT, 'deploy/compose/cluster/gateway.conf'), 'utf8');
    const locs = [...conf.matchAll(/location\s+(=|~)?\s*(\S+)\s*\{[^}]*?set \$upstream (\$?\w+);/g)].map((m) => ({ op: m[1] ?? '', pattern: m[2], upstream: m[3] }));
    const resolve = (u: string): string => (u === '$root_upstream' ? (browser ? 'query' : 'ingest') : u);
    const exact = locs.find((l) => l.op === '=' && l.pattern === path);
    if (exact) return resolve(exact.upstream);
    const rx = locs.find((l) => l.op === '~' && new RegExp(l.pattern).test(path));
    if (rx) return resolve(rx.upstream);
    const prefix = locs.filter((l) => l.op === '' && path.startsWith(l.pattern)).sort((a, b) => b.pattern.length - a.pattern.length)[0];
    return resolve(prefix.upstream);
  }

  /** ingress-nginx with use-regex: case-insensitive regexes anchored at the start, longest path first. */
  function ingressUpstream(ing: K8sObject, path: string): string {
    const paths = (ing.spec!.rules as Array<{ http: { paths: Array<{ path: string; backend: { service: { name: string } } }> } }>)[0].http.paths;
    const hit = [...paths].sort((a, b) => b.path.length - a.path.length).find((p) => new RegExp('^' + p.path, 'i').test(path))!;
    return hit.backend.service.name.replace(/^logsentinel-/, '');
  }

  it('sends each kind of request to the same role', () => {
    const ing = byKind(render('cluster'), 'Ingress')[0];
    const cases = [
      '/loki/api/v1/push', '/api/prom/push', '/otlp/v1/logs', '/v1/logs', '/api/v1/push/jsonlines',
      '/_bulk', '/logs-2026/_bulk', '/_license', '/_xpack', '/_nodes/http',
      '/loki/api/v1/rules', '/loki/api/v1/rules/ns/group', '/api/prom/rules', '/prometheus/api/v1/alerts', '/prometheus/api/v1/rules',
      '/loki/api/v1/tail', '/loki/api/v1/query_range', '/loki/api/v1/labels', '/logs/query', '/api/v1/overview', '/metrics', '/explore', '/assets/index.js',
    ];
    for (const path of cases) assert.equal(ingressUpstream(ing, path), gatewayUpstream(path, true), path);
    // GET / is the web UI for browsers on both.
    assert.equal(ingressUpstream(ing, '/'), gatewayUpstream('/', true));
  });

  it('sends everything to ingest on ingress.ingestHost (where Elasticsearch shippers point)', () => {
    const ing = byKind(render('cluster-full'), 'Ingress')[0];
    const rules = ing.spec!.rules as Array<{ host: string; http: { paths: Array<{ path: string; backend: { service: { name: string } } }> } }>;
    const ingestHost = rules.find((r) => r.host === 'ingest.logsentinel.example.test')!;
    assert.deepEqual(ingestHost.http.paths.map((p) => [p.path, p.backend.service.name]), [['/', 'logsentinel-ingest']]);
  });
});
