/**
 * deploy/kubernetes: the plain manifests are the chart rendered with its defaults (credentials
 * from an existing Secret), kept in sync here, and `kubectl kustomize deploy/kubernetes` renders
 * them with the namespace. kubectl is required in CI.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../e2e/harness.js';
import { findTool, toolPath } from '../deploy/tools.js';
import { MANIFESTS, MANIFEST_SECRET, renderManifests } from '../../scripts/render-manifests.js';
import { parseObjects, ref } from './render.js';
import { unknownFields, validateWithModel } from './models.js';

const KUBECTL = findTool('kubectl', '/usr/bin/kubectl', 'install kubectl 1.32 (kubectl kustomize works offline)');
const CLUSTER_SCOPED = new Set(['Namespace', 'StorageClass']);

describe('deploy/kubernetes', () => {
  it('is the chart rendered with its defaults (npx tsx scripts/render-manifests.ts)', () => {
    assert.equal(readFileSync(MANIFESTS, 'utf8'), renderManifests(), 'run npx tsx scripts/render-manifests.ts');
  });

  it('holds no Secret: credentials come from the Secret create-secret.sh makes', async () => {
    const objs = parseObjects(readFileSync(MANIFESTS, 'utf8'));
    assert.deepEqual(objs.filter((o) => o.kind === 'Secret').map(ref), []);
    const refs = new Set([...JSON.stringify(objs).matchAll(/"(?:secretName|name)":"([a-z0-9-]+-credentials)"/g)].map((m) => m[1]));
    assert.deepEqual([...refs], [MANIFEST_SECRET]);
    const problems: string[] = [];
    for (const o of objs) for (const e of await validateWithModel(o)) problems.push(`${ref(o)}: ${e}`);
    problems.push(...unknownFields(objs, 'manifests'));
    assert.deepEqual(problems, []);
  });

  it('kubectl kustomize renders it into the namespace logsentinel', { skip: KUBECTL.skip }, () => {
    const r = spawnSync(toolPath(KUBECTL), ['kustomize', join(ROOT, 'deploy/kubernetes')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, r.stderr);
    const out = parseObjects(r.stdout);
    const plain = parseObjects(readFileSync(MANIFESTS, 'utf8'));
    assert.deepEqual(out.map(ref).sort(), [...plain.map(ref), 'Namespace/logsentinel'].sort());
    for (const o of out) {
      if (CLUSTER_SCOPED.has(o.kind)) assert.equal(o.metadata.namespace, undefined, ref(o));
      else assert.equal(o.metadata.namespace, 'logsentinel', ref(o));
    }
    const ns = out.find((o) => o.kind === 'Namespace')!;
    assert.equal(ns.metadata.labels!['pod-security.kubernetes.io/enforce'], 'restricted');
  });
});
