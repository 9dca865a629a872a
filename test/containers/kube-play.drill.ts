/**
 * The chart's single-mode pod under `podman kube play`: the StatefulSet the chart renders for
 * `mode=single` is played as its pod (podman kube play does not know StatefulSets), with its
 * ConfigMap, its credentials Secret and its volume claim, and the image built by CI
 * (LOGSENTINEL_PODMAN_IMAGE). The pod must run as the chart says (uid 10001, read-only root,
 * no capabilities, no new privileges), read its secrets as files, and answer a push and a query.
 *
 * What is changed from the render, and why: kind StatefulSet → Pod (the template as it is), the
 * volume claim template → a PersistentVolumeClaim (a podman volume), the host's network with
 * LogSentinel on 127.0.0.1 and a free port (podman ignores Services, and a pod network would
 * leave a CNI bridge and iptables rules on this shared machine), `optional: false` spelt out on
 * configMap volumes (podman 4.3 crashes when it is left to its default), and the credentials
 * Secret's files written as the kubelet writes them and mounted read-only (podman 4.3 ignores a
 * Secret's stringData and writes its data still base64-encoded). Probes, preStop hooks and spreading
 * are Kubernetes' and are not exercised here.
 *
 * Run by .ci/containers.sh with podman's configuration and storage private to CI
 * (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF); everything it creates is removed at the end.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../src/testing/free-port.js';
import { helmOk } from '../helm/helm.js';
import { CHART, parseObjects, type K8sObject } from '../helm/render.js';
import { request, waitFor } from './docker.js';

const IMAGE = process.env.LOGSENTINEL_PODMAN_IMAGE ?? '';
const PODMAN = process.env.PODMAN ?? 'podman';
const skip = IMAGE === '' ? 'LOGSENTINEL_PODMAN_IMAGE is not set (.ci/containers.sh sets it)' : undefined;
if (skip && process.env.CI === 'true') throw new Error(`cannot run the kube play drill in CI: ${skip}`);

function podman(...args: string[]): string {
  const r = spawnSync(PODMAN, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const tag = randomBytes(3).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'ls-kube-play-'));
const file = join(dir, 'single.yaml');

/** The chart's single-mode objects as podman kube play takes them (see the header). */
export function playable(objs: K8sObject[], port: number): K8sObject[] {
  const sts = objs.find((o) => o.kind === 'StatefulSet')!;
  const spec = sts.spec as { template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ ports: Array<Record<string, unknown>> }>; volumes: Array<Record<string, unknown>> } }; volumeClaimTemplates: Array<{ metadata: { name: string }; spec: Record<string, unknown> }> };
  const claim = spec.volumeClaimTemplates[0];
  const claimName = `ls-kube-play-${claim.metadata.name}-${tag}`;
  const podSpec = structuredClone(spec.template.spec);
  // The host's network (no CNI bridge, iptables rules or DNS plugin state left on a shared
  // machine), on a free port of the loopback interface.
  (podSpec as unknown as { hostNetwork: boolean }).hostNetwork = true;
  // podman turns declared ports into port mappings, which the host network refuses; in
  // Kubernetes the list only informs.
  const c0 = podSpec.containers[0] as unknown as { ports?: unknown[]; env: Array<{ name: string; value?: string }> };
  delete c0.ports;
  for (const e of c0.env) {
    if (e.name === 'LOGSENTINEL_SERVER_HOST') e.value = '127.0.0.1';
    if (e.name === 'LOGSENTINEL_SERVER_PORT') e.value = String(port);
  }
  podSpec.volumes.push({ name: claim.metadata.name, persistentVolumeClaim: { claimName } });
  // podman 4.3 (Debian bookworm) dereferences `optional` of secret and configMap volumes without
  // checking it is set (a panic in VolumeFromSecret); Kubernetes defaults it to false.
  for (const v of podSpec.volumes as Array<{ secret?: Record<string, unknown>; configMap?: Record<string, unknown> }>) {
    if (v.secret) v.secret.optional ??= false;
    if (v.configMap) v.configMap.optional ??= false;
  }
  const pod: K8sObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `ls-kube-play-${tag}`, labels: spec.template.metadata.labels }, spec: podSpec };
  const pvc: K8sObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claimName }, spec: claim.spec };
  // podman 4.3 cannot present a Secret's values as files (it ignores stringData and writes data
  // still base64-encoded), so the Secret's files are written here as the kubelet writes them —
  // one file per key, mode 0440, group the pod's fsGroup — and mounted read-only in its place.
  const secret = objs.find((o) => o.kind === 'Secret')!;
  const secretDir = join(dir, 'secret-files');
  mkdirSync(secretDir, { recursive: true });
  const fsGroup = (podSpec as unknown as { securityContext: { fsGroup: number } }).securityContext.fsGroup;
  for (const [k, v] of Object.entries(secret.stringData ?? {})) {
    writeFileSync(join(secretDir, k), v, { mode: 0o440 });
    chownSync(join(secretDir, k), 0, fsGroup);
  }
  chmodSync(secretDir, 0o755);
  for (const v of podSpec.volumes as Array<{ name: string; secret?: { secretName: string }; hostPath?: unknown }>) {
    if (v.secret?.secretName === secret.metadata.name) {
      delete v.secret;
      v.hostPath = { path: secretDir, type: 'Directory' };
    }
  }
  return [...objs.filter((o) => o.kind === 'ConfigMap'), pvc, pod];
}

describe('the single-mode pod of the Helm chart under podman kube play', { skip }, () => {
  after(() => {
    spawnSync(PODMAN, ['kube', 'down', file], { encoding: 'utf8' });
    // kube down leaves the ConfigMap's volume behind.
    spawnSync(PODMAN, ['volume', 'rm', '-f', `ls-kube-play-data-${tag}`, 'logsentinel-config'], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs hardened as rendered, reads its secrets as files, and answers a push and a query', async () => {
    const [repository, imageTag] = [IMAGE.slice(0, IMAGE.lastIndexOf(':')), IMAGE.slice(IMAGE.lastIndexOf(':') + 1)];
    const objs = parseObjects(helmOk(['template', 'logsentinel', CHART, '--set', 'mode=single', '--set', `image.repository=${repository}`, '--set', `image.tag=${imageTag}`]));
    const secret = objs.find((o) => o.kind === 'Secret')!;
    const token = secret.stringData!['admin-token'];
    const port = await freePort();
    writeFileSync(file, playable(objs, port).map((o) => stringify(o)).join('---\n'));
    const t0 = Date.now();
    podman('kube', 'play', file);
    const url = `http://127.0.0.1:${port}`;
    await waitFor('the pod ready', async () => ((await request(url + '/health/readiness', {}, 2000)).ok ? true : undefined), 120_000, 500);
    console.log(`# kube play: ready ${((Date.now() - t0) / 1000).toFixed(1)} s after kube play`);

    const container = `ls-kube-play-${tag}-logsentinel`;
    const [info] = JSON.parse(podman('inspect', container)) as Array<{ Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapAdd: string[] | null; SecurityOpt: string[] | null }; EffectiveCaps: string[] | null }>;
    assert.equal(info.Config.User.split(':')[0], '10001', 'runs as uid 10001');
    assert.equal(info.HostConfig.ReadonlyRootfs, true, 'read-only root filesystem');
    assert.deepEqual(info.EffectiveCaps ?? [], [], 'no capabilities');
    assert.ok((info.HostConfig.SecurityOpt ?? []).some((o) => /no-new-privileges/.test(o)), `no new privileges (${JSON.stringify(info.HostConfig.SecurityOpt)})`);
    assert.equal(podman('exec', container, 'id', '-u').trim(), '10001');
    // The *_FILE paths the chart sets are readable by the process (as after Kubernetes' fsGroup).
    assert.equal(podman('exec', container, 'cat', '/etc/logsentinel/secrets/admin-token'), token);
    const write = spawnSync(PODMAN, ['exec', container, 'sh', '-c', 'echo x > /etc/logsentinel/probe'], { encoding: 'utf8' });
    assert.notEqual(write.status, 0, 'the root filesystem refuses writes');
    assert.equal(podman('exec', container, 'sh', '-c', 'echo x > /var/lib/logsentinel/probe && rm /var/lib/logsentinel/probe && echo ok').trim(), 'ok', 'the data volume takes writes');

    // A push and a query, with the admin token (ignored while authentication is not built).
    const auth = { Authorization: `Bearer ${token}` };
    const now = BigInt(Date.now()) * 1_000_000n;
    const line = `kube play drill ${tag} level=info`;
    const push = await request(url + '/loki/api/v1/push', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { service: 'kube-play' }, values: [[now.toString(), line]] }] }) });
    assert.equal(push.status, 204, await push.text());
    const q = new URLSearchParams({ query: '{service="kube-play"}', start: (now - 60_000_000_000n).toString(), end: (now + 60_000_000_000n).toString() });
    const res = await request(`${url}/loki/api/v1/query_range?${q}`, { headers: auth });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { result: Array<{ values: Array<[string, string]> }> } };
    assert.deepEqual(body.data.result.flatMap((r) => r.values.map((v) => v[1])), [line]);
  });
});
