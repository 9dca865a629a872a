/**
 * deploy/terraform: `terraform fmt -check`, and a structural check of the HCL parsed with
 * @cdktf/hcl2json, since the helm and kubernetes providers cannot be downloaded here (so neither
 * `terraform init` nor `validate` can run): the module's resources, its chart values (every key
 * known to values.schema.json, and the chart renders them), the Secret's keys (every key the
 * chart reads), and the example's use of the module. terraform is required in CI.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { stringify } from 'yaml';
import { ROOT } from '../e2e/harness.js';
import { findTool, toolPath } from '../deploy/tools.js';
import { valuesSchema, type JsonSchema } from '../../deploy/helm/src/schema.js';
import { helm } from './helm.js';
import { CHART, parseObjects, render } from './render.js';

const TERRAFORM = findTool('terraform', '/usr/local/bin/terraform', 'install Terraform >= 1.5');
const MODULE = join(ROOT, 'deploy/terraform/modules/logsentinel');
const EXAMPLE = join(ROOT, 'deploy/terraform/examples/kind');

type Hcl = Record<string, unknown>;

async function parseDir(dir: string): Promise<Hcl> {
  const merged: Record<string, unknown> = {};
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.tf')).sort()) {
    const doc = (await parse(f, readFileSync(join(dir, f), 'utf8'))) as Hcl;
    for (const [k, v] of Object.entries(doc)) {
      if (Array.isArray(v)) merged[k] = [...((merged[k] as unknown[]) ?? []), ...v];
      else merged[k] = { ...((merged[k] as object) ?? {}), ...(v as object) };
    }
  }
  return merged;
}

/** Every leaf path of a values object is a property of the schema (which refuses unknown keys). */
function unknownKeys(values: Record<string, unknown>, schema: JsonSchema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const s = schema.properties?.[k];
    if (!s) {
      out.push(path);
      continue;
    }
    if (v && typeof v === 'object' && !Array.isArray(v) && s.properties) out.push(...unknownKeys(v as Record<string, unknown>, s, path));
  }
  return out;
}

/** A concrete value for a leaf: `${var.x}` from the example's inputs, else a sample of the schema's type. */
function concrete(values: Record<string, unknown>, schema: JsonSchema, vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const s = schema.properties![k];
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = concrete(v as Record<string, unknown>, s, vars);
      continue;
    }
    const m = typeof v === 'string' ? /^\$\{var\.([a-z_]+)(?:\.([a-z_]+))?\}$/.exec(v) : null;
    const fromVar = m ? (m[2] ? (vars[m[1]] as Record<string, unknown> | undefined)?.[m[2]] : vars[m[1]]) : undefined;
    if (fromVar !== undefined) out[k] = fromVar;
    else if (s.enum) out[k] = s.enum[0];
    else if (s.type === 'boolean') out[k] = true;
    else out[k] = k === 'existingSecret' ? 'logsentinel-credentials' : 'sample';
  }
  return out;
}

describe('deploy/terraform', () => {
  it('is formatted (terraform fmt -check -recursive)', { skip: TERRAFORM.skip }, () => {
    const r = spawnSync(toolPath(TERRAFORM), ['fmt', '-check', '-recursive', '-diff', 'deploy/terraform'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('the module creates the namespace, the credentials Secret and the release of this chart', async () => {
    const m = await parseDir(MODULE);
    const res = m.resource as Record<string, Record<string, unknown[]>>;
    assert.ok(res.kubernetes_namespace_v1?.logsentinel, 'kubernetes_namespace_v1.logsentinel');
    assert.ok(res.kubernetes_secret_v1?.credentials, 'kubernetes_secret_v1.credentials');
    const release = res.helm_release.logsentinel[0] as { chart: string; values: string[]; depends_on: string[] };
    assert.equal(release.chart, '${local.chart}');
    const locals = Object.assign({}, ...(m.locals as object[])) as { chart: string; values: Record<string, unknown> };
    const rel = /"\$\{path\.module\}\/([^"]+)"/.exec(locals.chart)![1];
    assert.equal(resolve(MODULE, rel), CHART, 'the default chart path is deploy/helm/logsentinel');
    assert.deepEqual(release.values, ['${yamlencode(local.values)}', '${yamlencode(var.extra_values)}']);
    assert.deepEqual(release.depends_on, ['${kubernetes_secret_v1.credentials}'], 'the Secret exists before the pods start');
    const providers = (m.terraform as Array<{ required_providers: Array<Record<string, { source: string }>> }>)[0].required_providers[0];
    assert.deepEqual(Object.values(providers).map((p) => p.source).sort(), ['hashicorp/helm', 'hashicorp/kubernetes', 'hashicorp/random']);
  });

  it("the module's chart values are known to values.schema.json, and the chart renders them", async () => {
    const m = await parseDir(MODULE);
    const values = (Object.assign({}, ...(m.locals as object[])) as { values: Record<string, unknown> }).values;
    assert.deepEqual(unknownKeys(values, valuesSchema()), []);
    const ex = await parseDir(EXAMPLE);
    const args = (ex.module as Record<string, Array<Record<string, unknown>>>).logsentinel[0];
    const vars: Record<string, unknown> = { mode: 'cluster', retention_period: args.retention_period, ingress_host: args.ingress_host, image: { ...(args.image as object), pull_policy: (args.image as { pull_policy: string }).pull_policy } };
    const r = helm(['template', 'logsentinel', CHART, '--namespace', 'logsentinel', '-f', '-'], { input: stringify(concrete(values, valuesSchema(), vars)) });
    assert.equal(r.status, 0, r.stderr);
    const objs = parseObjects(r.stdout);
    assert.ok(!objs.some((o) => o.kind === 'Secret'), 'the module makes the Secret; the chart makes none');
    const ing = objs.find((o) => o.kind === 'Ingress')!;
    assert.equal((ing.spec!.rules as Array<{ host: string }>)[0].host, 'logsentinel.localtest.me');
  });

  it("the module's Secret has every key the chart reads, as the chart names them", async () => {
    const m = await parseDir(MODULE);
    const secret = (m.resource as Record<string, Record<string, Array<{ data: string }>>>).kubernetes_secret_v1.credentials[0];
    const keys = new Set([...secret.data.matchAll(/"([a-z-]+)"\s*=/g)].map((x) => x[1]));
    for (const s of ['cluster', 'cluster-full'] as const) {
      const objs = render(s);
      const chartKeys = Object.keys(objs.find((o) => o.kind === 'Secret')!.stringData!);
      for (const k of chartKeys.filter((x) => x !== 'webhook-urls')) assert.ok(keys.has(k), `${s}: the module's Secret sets ${k}`);
    }
    assert.match(secret.data, /"lst_\$\{random_string\.token_id\.result\}_\$\{random_password\.token_secret\.result\}"/, 'the admin token has the lst_<id>_<secret> format');
  });

  it('the example passes every required variable of the module and nothing else', async () => {
    const m = await parseDir(MODULE);
    const ex = await parseDir(EXAMPLE);
    const call = (ex.module as Record<string, Array<Record<string, unknown>>>).logsentinel[0];
    assert.ok(existsSync(join(EXAMPLE, call.source as string, 'main.tf')), 'module source exists');
    const variables = m.variable as Record<string, Array<{ default?: unknown }>>;
    const args = Object.keys(call).filter((k) => k !== 'source');
    for (const a of args) assert.ok(variables[a], `the module has a variable ${a}`);
    for (const [name, [v]] of Object.entries(variables)) if (!('default' in v)) assert.ok(args.includes(name), `the example sets the required ${name}`);
    const outputs = Object.keys(m.output as object);
    for (const [, [o]] of Object.entries(ex.output as Record<string, Array<{ value: string }>>)) {
      const used = /module\.logsentinel\.([a-z_]+)/.exec(o.value)![1];
      assert.ok(outputs.includes(used), `the module has an output ${used}`);
    }
  });
});
