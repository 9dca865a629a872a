/**
 * Grafana provisioning files: the fields Grafana needs, URLs only from the environment, and (once
 * a Compose stack mounts them) the mount points they assume.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../e2e/harness.js';

const DATASOURCES = join(ROOT, 'deploy/grafana/provisioning/datasources/datasources.yaml');
const PROVIDERS = join(ROOT, 'deploy/grafana/provisioning/dashboards/dashboards.yaml');

interface DataSource {
  name?: string;
  uid?: string;
  type?: string;
  access?: string;
  url?: string;
  isDefault?: boolean;
  editable?: boolean;
}

interface Provider {
  name?: string;
  type?: string;
  folder?: string;
  disableDeletion?: boolean;
  allowUiUpdates?: boolean;
  options?: { path?: string };
}

const load = <T>(p: string): T => parse(readFileSync(p, 'utf8')) as T;

/** Every YAML file of a folder, recursively. */
function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

describe('datasources.yaml', () => {
  const file = load<{ apiVersion?: number; datasources?: DataSource[] }>(DATASOURCES);
  const ds = file.datasources ?? [];

  it('provisions LogSentinel as a Loki data source and Prometheus, URLs from the environment', () => {
    assert.equal(file.apiVersion, 1);
    const f = (uid: string, type: string, url: string): void => {
      const d = ds.find((x) => x.uid === uid);
      assert.ok(d, `no data source with uid ${uid}`);
      assert.equal(d.type, type, uid);
      assert.equal(d.url, url, uid);
      assert.equal(d.access, 'proxy', `${uid}: the browser cannot reach the stack's internal names`);
      assert.ok(d.name, `${uid}: no name`);
      assert.equal(d.editable, false, `${uid}: provisioned data sources are read-only`);
    };
    f('logsentinel', 'loki', '${LOGSENTINEL_URL}');
    f('prometheus', 'prometheus', '${PROMETHEUS_URL}');
    assert.equal(ds.length, 2);
  });

  it('has unique names and exactly one default', () => {
    assert.equal(new Set(ds.map((d) => d.name)).size, ds.length);
    assert.equal(ds.filter((d) => d.isDefault === true).length, 1);
  });
});

describe('dashboards.yaml', () => {
  const file = load<{ apiVersion?: number; providers?: Provider[] }>(PROVIDERS);

  it('is one file provider for a LogSentinel folder, not editable from the UI', () => {
    assert.equal(file.apiVersion, 1);
    assert.equal(file.providers?.length, 1);
    const p = file.providers[0];
    assert.equal(p.type, 'file');
    assert.ok(p.name);
    assert.ok(p.folder);
    assert.equal(p.disableDeletion, true);
    assert.equal(p.allowUiUpdates, false, 'the dashboards are generated: UI edits would be lost');
    assert.match(p.options?.path ?? '', /^\/[\w/.-]+$/, 'an absolute path inside the Grafana container');
  });
});

describe('deployment independence', () => {
  it('no file under deploy/grafana or deploy/prometheus names a host', () => {
    const files = [...yamlFiles(join(ROOT, 'deploy/grafana')), ...yamlFiles(join(ROOT, 'deploy/prometheus'))];
    assert.ok(files.length >= 4);
    for (const f of files) {
      for (const s of strings(parse(readFileSync(f, 'utf8')))) {
        assert.doesNotMatch(s, /:\/\/|localhost|127\.0\.0\.1/, `${relative(ROOT, f)}: ${s}`);
      }
    }
    for (const f of readdirSync(join(ROOT, 'deploy/grafana/dashboards'))) {
      assert.doesNotMatch(readFileSync(join(ROOT, 'deploy/grafana/dashboards', f), 'utf8'), /https?:\/\/|localhost:\d/, f);
    }
  });

  it('the README documents every environment variable the provisioning uses', () => {
    const used = new Set(strings(load(DATASOURCES)).flatMap((v) => [...v.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1])));
    assert.deepEqual([...used].sort(), ['LOGSENTINEL_TENANT', 'LOGSENTINEL_TOKEN', 'LOGSENTINEL_URL', 'PROMETHEUS_URL']);
    const readme = readFileSync(join(ROOT, 'deploy/grafana/README.md'), 'utf8');
    for (const v of used) assert.match(readme, new RegExp(v), `deploy/grafana/README.md does not mention ${v}`);
  });
});

// A Compose file is another team's; when one mounts these folders, it must mount them where the
// provisioning expects them.
describe('Compose mounts', () => {
  const composeFiles = yamlFiles(join(ROOT, 'deploy/compose'));
  const grafanaServices: Array<{ file: string; name: string; volumes: string[]; environment: Record<string, string> }> = [];
  for (const f of composeFiles) {
    let doc: { services?: Record<string, { volumes?: unknown[]; environment?: unknown }> } | undefined;
    try {
      doc = parse(readFileSync(f, 'utf8')) as typeof doc;
    } catch {
      continue;
    }
    for (const [name, svc] of Object.entries(doc?.services ?? {})) {
      const volumes = (svc.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${(v as { source?: string }).source}:${(v as { target?: string }).target}`));
      if (!volumes.some((v) => v.includes('grafana/dashboards') || v.includes('grafana/provisioning'))) continue;
      const env = Array.isArray(svc.environment)
        ? Object.fromEntries((svc.environment as string[]).map((e) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]))
        : ((svc.environment ?? {}) as Record<string, string>);
      grafanaServices.push({ file: relative(ROOT, f), name, volumes, environment: env });
    }
  }
  const skip = grafanaServices.length === 0 ? 'no Compose file under deploy/compose mounts deploy/grafana yet' : false;

  it('mount the dashboards where the provider reads them and set the data source URLs', { skip }, () => {
    const path = load<{ providers: Provider[] }>(PROVIDERS).providers[0].options?.path;
    for (const s of grafanaServices) {
      const target = (host: string): string | undefined => s.volumes.find((v) => v.split(':')[0].replace(/\/+$/, '').endsWith(host))?.split(':')[1];
      assert.equal(target('grafana/dashboards'), path, `${s.file} service ${s.name}: deploy/grafana/dashboards must be mounted at ${path}`);
      assert.equal(target('grafana/provisioning'), '/etc/grafana/provisioning', `${s.file} service ${s.name}`);
      for (const v of ['LOGSENTINEL_URL', 'LOGSENTINEL_TENANT', 'LOGSENTINEL_TOKEN', 'PROMETHEUS_URL']) assert.ok(s.environment[v], `${s.file} service ${s.name} does not set ${v}`);
    }
  });
});
