/**
 * Renders the chart with `helm template` for the scenarios the tests check, and parses the output
 * into objects. Renders are cached per scenario within one test process.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../e2e/harness.js';
import { helm } from './helm.js';

export const CHART = join(ROOT, 'deploy/helm/logsentinel');
export const RELEASE = 'logsentinel';
export const NAMESPACE = 'logsentinel';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [k: string]: unknown;
}

/** What each scenario sets (helm --set / --set-string pairs). */
export const SCENARIOS = {
  single: ['mode=single'],
  cluster: [],
  // Every optional workload and object on: collector, demo, notifiers, the restore job.
  'cluster-full': [
    'collector.enabled=true',
    'demo.enabled=true',
    'alerting.slackWebhookUrl=https://hooks.slack.example/T0/B0/x',
    'alerting.webhookUrls[0]=https://hooks.example/alert',
    'backup.restore.enabled=true',
    'backup.restore.file=logsentinel-20260101T031700Z.dump',
    'ingress.ingestHost=ingest.logsentinel.example.test',
    'process.persistence.enabled=true',
  ],
  'cluster-external': [
    'postgresql.enabled=false',
    'redis.enabled=false',
    'externalDatabase.url=postgres://ls:secret@db.example.internal:5432/logs',
    'externalDatabase.cidr=10.20.0.0/16',
    'externalRedis.url=redis://:secret@redis.example.internal:6379',
    'externalRedis.cidr=10.30.0.0/16',
  ],
} as const satisfies Record<string, readonly string[]>;
export type Scenario = keyof typeof SCENARIOS;

export function setArgs(sets: readonly string[]): string[] {
  return sets.flatMap((s) => ['--set', s]);
}

export function templateArgs(scenario: Scenario, extra: string[] = []): string[] {
  return ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...setArgs(SCENARIOS[scenario]), ...extra];
}

export function parseObjects(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true, strict: true })) {
    assert.deepEqual(doc.errors.map(String), [], 'rendered YAML parses');
    const o = doc.toJSON() as K8sObject | null;
    if (o) out.push(o);
  }
  return out;
}

const cache = new Map<string, K8sObject[]>();

export function render(scenario: Scenario): K8sObject[] {
  const hit = cache.get(scenario);
  if (hit) return hit;
  const r = helm(templateArgs(scenario));
  assert.equal(r.status, 0, `helm template (${scenario}) failed:\n${r.stderr}`);
  const objs = parseObjects(r.stdout);
  cache.set(scenario, objs);
  return objs;
}

export const ref = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

export function byKind(objs: K8sObject[], kind: string): K8sObject[] {
  return objs.filter((o) => o.kind === kind);
}

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob). */
export function podTemplate(o: K8sObject): { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (o.kind === 'CronJob') return ((spec.jobTemplate as { spec: { template: never } }).spec.template);
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind)) return spec.template as never;
  return undefined;
}

export interface Container {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
  lifecycle?: { preStop?: unknown };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string; items?: Array<{ key: string }> }; persistentVolumeClaim?: { claimName: string }; emptyDir?: unknown; hostPath?: unknown }>;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: unknown[];
  affinity?: unknown;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
