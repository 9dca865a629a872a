/**
 * Rule files on disk, laid out like Loki's local ruler storage: `<dir>/<tenant>/<namespace>.yaml`,
 * each a Prometheus rule file (`groups: [...]`). A namespace name is stored URI-encoded in the file
 * name, so any name is safe on disk; `.yml` files are read too. Writes replace a file atomically.
 * Calls that modify the files are serialised within this instance (one process owns the directory).
 * The store of the embedded mode; in cluster mode the directory is read-only (postgres-rule-store.ts).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidTenant } from '../model/tenant.js';
import { writeFileAtomic } from './atomic-write.js';
import { formatRuleFile, parseRuleFile, type RuleGroup, type RuleGroupSpec } from './rule-file.js';
import { namespaceNotFound, withGroup, withoutGroup, type LoadResult, type RuleStore } from './rule-store.js';

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

export class FileRuleStore implements RuleStore {
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

  /** The groups of one namespace as stored, or undefined when it has no file (read-only callers too). */
  async specsOf(tenant: string, namespace: string): Promise<RuleGroupSpec[] | undefined> {
    return this.readSpecs(tenant, namespace);
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
      const specs = withGroup((await this.readSpecs(tenant, namespace)) ?? [], group);
      await writeFileAtomic(this.fileOf(tenant, namespace), formatRuleFile(specs));
    });
  }

  deleteGroup(tenant: string, namespace: string, name: string): Promise<void> {
    return this.serial(async () => {
      const specs = withoutGroup(await this.readSpecs(tenant, namespace), namespace, name);
      const file = this.fileOf(tenant, namespace);
      if (specs.length === 0) await rm(file, { force: true });
      else await writeFileAtomic(file, formatRuleFile(specs));
    });
  }

  deleteNamespace(tenant: string, namespace: string): Promise<void> {
    return this.serial(async () => {
      const specs = await this.readSpecs(tenant, namespace).catch(() => []);
      if (specs === undefined) throw namespaceNotFound(namespace);
      await rm(this.fileOf(tenant, namespace), { force: true });
    });
  }
}
