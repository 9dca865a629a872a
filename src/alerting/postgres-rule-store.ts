/**
 * Rule groups in PostgreSQL (cluster mode): every ruler pod reads and writes the same namespaces,
 * so a rule created through the rules API on one pod is the rule of all of them. Tables in
 * src/storage/postgres/schema.ts (version 2): `rule_namespaces (tenant, namespace, body,
 * updated_at)` with `body` the namespace's rule file YAML, and `rule_changes.generation`.
 *
 * - Writes are read-modify-write of one namespace in one transaction. The row is locked first
 *   (`INSERT ... ON CONFLICT DO NOTHING` of an empty placeholder, then `SELECT ... FOR UPDATE`),
 *   which also serialises two pods creating the same namespace at once: concurrent `setGroup`s of
 *   one namespace both survive, in some order. Each write increments `rule_changes.generation`
 *   in the same transaction: `generation()` is the cheap change marker rulers poll.
 * - Rule files under `ruler.rulesDir` (e.g. a Kubernetes ConfigMap), when given, are loaded too,
 *   read-only. A namespace present in both is PostgreSQL's: its row wins as a whole. Editing a
 *   namespace that only a file has copies the file's groups into PostgreSQL first; deleting it
 *   (or its last group) leaves a row without groups that keeps hiding the file.
 */
import type pg from 'pg';
import { storageError } from '../storage/postgres/errors.js';
import type { FileRuleStore } from './file-rule-store.js';
import { formatRuleFile, parseRuleFile, type RuleGroup, type RuleGroupSpec } from './rule-file.js';
import { namespaceNotFound, withGroup, withoutGroup, type LoadResult, type NamespaceRules, type RuleStore } from './rule-store.js';
import { isValidTenant } from '../model/tenant.js';

/** How a namespace row is named in messages (`file` of NamespaceRules). */
export function postgresSource(tenant: string, namespace: string): string {
  return `postgres:${tenant}/${namespace}`;
}

export class PostgresRuleStore implements RuleStore {
  /**
   * `pool` connects with LogSentinel's schema first on its search_path (already migrated: the
   * store module opens it before the ruler starts); the caller owns and ends it. `files` are the
   * read-only rule files, or undefined.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly files?: FileRuleStore,
  ) {}

  /** Changes whenever a write committed (a decimal string). */
  async generation(): Promise<string> {
    try {
      const { rows } = await this.pool.query<{ g: string }>('SELECT generation::text AS g FROM rule_changes');
      return rows[0]?.g ?? '0';
    } catch (err) {
      throw storageError('read the rule change marker', err);
    }
  }

  async load(onlyTenant?: string): Promise<LoadResult> {
    let rows: Array<{ tenant: string; namespace: string; body: string }>;
    try {
      const q = onlyTenant === undefined
        ? await this.pool.query<{ tenant: string; namespace: string; body: string }>('SELECT tenant, namespace, body FROM rule_namespaces')
        : await this.pool.query<{ tenant: string; namespace: string; body: string }>('SELECT tenant, namespace, body FROM rule_namespaces WHERE tenant = $1', [onlyTenant]);
      rows = q.rows;
    } catch (err) {
      throw storageError('load rules', err);
    }
    const out: LoadResult = { namespaces: [], errors: [] };
    const inPostgres = new Set<string>();
    for (const r of rows) {
      inPostgres.add(`${r.tenant}\x00${r.namespace}`);
      const file = postgresSource(r.tenant, r.namespace);
      try {
        const groups = parseRuleFile(r.body, file);
        if (groups.length > 0) out.namespaces.push({ tenant: r.tenant, namespace: r.namespace, file, groups });
      } catch (err) {
        out.errors.push(err as Error);
      }
    }
    if (this.files) {
      const f = await this.files.load(onlyTenant);
      for (const ns of f.namespaces) if (!inPostgres.has(`${ns.tenant}\x00${ns.namespace}`)) out.namespaces.push(ns);
      out.errors.push(...f.errors);
    }
    out.namespaces.sort(byTenantNamespace);
    return out;
  }

  setGroup(tenant: string, namespace: string, group: RuleGroup): Promise<void> {
    return this.modify(tenant, namespace, 'set rule group', (specs) => withGroup(specs ?? [], group));
  }

  deleteGroup(tenant: string, namespace: string, name: string): Promise<void> {
    return this.modify(tenant, namespace, 'delete rule group', (specs) => withoutGroup(specs, namespace, name));
  }

  deleteNamespace(tenant: string, namespace: string): Promise<void> {
    return this.modify(tenant, namespace, 'delete rule namespace', (specs) => {
      if (specs === undefined) throw namespaceNotFound(namespace);
      return [];
    });
  }

  /**
   * Replaces the namespace's groups by `change(current)` in one transaction holding the row lock.
   * `current` is undefined when neither PostgreSQL nor a file has the namespace. An empty result
   * deletes the row — or keeps it empty when a file of that name must stay hidden.
   */
  private async modify(tenant: string, namespace: string, what: string, change: (specs: RuleGroupSpec[] | undefined) => RuleGroupSpec[]): Promise<void> {
    if (!isValidTenant(tenant)) throw new Error(`cannot use tenant ${JSON.stringify(tenant)} for rules: not a valid tenant id`);
    const fileSpecs = await this.fileSpecs(tenant, namespace);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw storageError(`${what} of namespace ${JSON.stringify(namespace)}`, err);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      // An empty body marks the placeholder this transaction inserted: the namespace was absent.
      await client.query(`INSERT INTO rule_namespaces (tenant, namespace, body) VALUES ($1, $2, '') ON CONFLICT DO NOTHING`, [tenant, namespace]);
      const { rows } = await client.query<{ body: string }>('SELECT body FROM rule_namespaces WHERE tenant = $1 AND namespace = $2 FOR UPDATE', [tenant, namespace]);
      const body = rows[0]?.body ?? '';
      // A row without groups is a deleted namespace hiding a file: absent, and stays so.
      const stored = body === '' ? undefined : parseRuleFile(body, postgresSource(tenant, namespace)).map((g) => g.spec);
      const current = body === '' ? fileSpecs : stored!.length > 0 ? stored : undefined;
      const next = change(current);
      if (next.length === 0 && fileSpecs === undefined) {
        await client.query('DELETE FROM rule_namespaces WHERE tenant = $1 AND namespace = $2', [tenant, namespace]);
      } else {
        await client.query('UPDATE rule_namespaces SET body = $3, updated_at = now() WHERE tenant = $1 AND namespace = $2', [tenant, namespace, formatRuleFile(next)]);
      }
      await client.query('UPDATE rule_changes SET generation = generation + 1');
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      if (err instanceof Error && !('code' in err)) throw err; // RuleNotFoundError, a rule file error
      throw storageError(`${what} of namespace ${JSON.stringify(namespace)}`, err);
    } finally {
      // A connection that cannot even roll back is discarded, not handed to the next caller.
      client.release(broken);
    }
  }

  /** The read-only file's groups; an unreadable file counts as present with no groups. */
  private async fileSpecs(tenant: string, namespace: string): Promise<RuleGroupSpec[] | undefined> {
    if (!this.files) return undefined;
    return this.files.specsOf(tenant, namespace).catch(() => []);
  }
}

function byTenantNamespace(a: NamespaceRules, b: NamespaceRules): number {
  if (a.tenant !== b.tenant) return a.tenant < b.tenant ? -1 : 1;
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
}
