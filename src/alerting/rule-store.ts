/**
 * Rule files on disk, laid out like Loki's local ruler storage: `<dir>/<tenant>/<namespace>.yaml`,
 * each a Prometheus rule file (`groups: [...]`). A namespace name is stored URI-encoded in the file
 * name, so any name is safe on disk; `.yml` files are read too. Writes replace a file atomically.
 * Calls that modify a tenant's files are serialised.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidTenant } from '../model/tenant.js';
import { writeFileAtomic } from './atomic-write.js';
import { formatRuleFile, parseRuleFile, type RuleGroup, type RuleGroupSpec } from './rule-file.js';

export interface NamespaceRules {
  tenant: string;
  namespace: string;
  file: string;
  groups: RuleGroup[];
}

export interface LoadResult {
  namespaces: NamespaceRules[];
  /** Files that could not be loaded, each error naming the file, group, rule and reason. */
  errors: Error[];
}

/** Raised when a namespace or group does not exist (the API answers 404). */
export class RuleNotFoundError extends Error {}

function decodeName(file: string): string | undefined {
  const m = /^(.*)\.ya?ml$/.exec(file);
  if (!m || file.startsWith('.')) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

async function listDir(dir: string, dirs: boolean): Promise<string[]> {
  try {
    const ents = await readdir(dir, { withFileTypes: true });
    return ents.filter((e) => (dirs ? e.isDirectory() : e.isFile())).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export class RuleStore {
  private lock: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  private fileOf(tenant: string, namespace: string): string {
    if (!isValidTenant(tenant)) throw new Error(`cannot use tenant ${JSON.stringify(tenant)} for rules: not a valid tenant id`);
    return join(this.dir, tenant, encodeURIComponent(namespace) + '.yaml');
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /** Every valid namespace file of every tenant (or one tenant); invalid files are reported, not thrown. */
  async load(onlyTenant?: string): Promise<LoadResult> {
    const out: LoadResult = { namespaces: [], errors: [] };
    const tenants = onlyTenant ? [onlyTenant] : await listDir(this.dir, true);
    for (const tenant of tenants) {
      if (!isValidTenant(tenant)) continue;
      for (const name of await listDir(join(this.dir, tenant), false)) {
        const namespace = decodeName(name);
        if (namespace === undefined) continue;
        const file = join(this.dir, tenant, name);
        try {
          const groups = parseRuleFile(await readFile(file, 'utf8'), file);
          if (groups.length > 0) out.namespaces.push({ tenant, namespace, file, groups });
        } catch (err) {
          out.errors.push(err as Error);
        }
      }
    }
    return out;
  }

  private async readSpecs(tenant: string, namespace: string): Promise<RuleGroupSpec[] | undefined> {
    const file = this.fileOf(tenant, namespace);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return parseRuleFile(text, file).map((g) => g.spec);
  }

  /** Creates or replaces the group of that name in the namespace. */
  setGroup(tenant: string, namespace: string, group: RuleGroup): Promise<void> {
    return this.serial(async () => {
      const specs = (await this.readSpecs(tenant, namespace)) ?? [];
      const i = specs.findIndex((g) => g.name === group.name);
      if (i >= 0) specs[i] = group.spec;
      else specs.push(group.spec);
      await writeFileAtomic(this.fileOf(tenant, namespace), formatRuleFile(specs));
    });
  }

  deleteGroup(tenant: string, namespace: string, name: string): Promise<void> {
    return this.serial(async () => {
      const specs = await this.readSpecs(tenant, namespace);
      const i = specs?.findIndex((g) => g.name === name) ?? -1;
      if (!specs || i < 0) throw new RuleNotFoundError(`cannot delete rule group ${JSON.stringify(name)} of namespace ${JSON.stringify(namespace)}: group does not exist`);
      specs.splice(i, 1);
      const file = this.fileOf(tenant, namespace);
      if (specs.length === 0) await rm(file, { force: true });
      else await writeFileAtomic(file, formatRuleFile(specs));
    });
  }

  deleteNamespace(tenant: string, namespace: string): Promise<void> {
    return this.serial(async () => {
      const specs = await this.readSpecs(tenant, namespace).catch(() => []);
      if (specs === undefined) throw new RuleNotFoundError(`cannot delete rule namespace ${JSON.stringify(namespace)}: group namespace does not exist`);
      await rm(this.fileOf(tenant, namespace), { force: true });
    });
  }
}
