/**
 * Where rule groups are kept: the interface the ruler and the rules API use, and what its
 * implementations share. Two implementations: files under `ruler.rulesDir` (file-rule-store.ts,
 * the embedded mode) and PostgreSQL (postgres-rule-store.ts, cluster mode, shared by every ruler
 * pod). One shared conformance suite (testing/rule-store-conformance.ts) runs against both.
 *
 * Contract
 * - A namespace holds an ordered list of groups with unique names; a namespace without groups
 *   does not exist (`load` never returns it).
 * - `load` reports invalid namespaces in `errors` and returns the valid ones; it never throws for
 *   a bad namespace, only when the store itself cannot be read.
 * - Calls may overlap, also from several store instances on the same backing store (pods):
 *   modifications of one namespace are serialised, so concurrent `setGroup`s of different groups
 *   both survive.
 * - `deleteGroup` and `deleteNamespace` throw `RuleNotFoundError` when there is nothing to delete.
 */
import type { RuleGroup, RuleGroupSpec } from './rule-file.js';

export interface NamespaceRules {
  tenant: string;
  namespace: string;
  /** Where the namespace comes from, for messages: a file path, or `postgres:<tenant>/<namespace>`. */
  file: string;
  groups: RuleGroup[];
}

export interface LoadResult {
  /** Ordered by tenant, then namespace. */
  namespaces: NamespaceRules[];
  /** Namespaces that could not be loaded, each error naming the source, group, rule and reason. */
  errors: Error[];
}

export interface RuleStore {
  /** Every valid namespace of every tenant (or of one tenant). */
  load(onlyTenant?: string): Promise<LoadResult>;
  /** Creates or replaces the group of that name in the namespace (appended when new). */
  setGroup(tenant: string, namespace: string, group: RuleGroup): Promise<void>;
  deleteGroup(tenant: string, namespace: string, name: string): Promise<void>;
  deleteNamespace(tenant: string, namespace: string): Promise<void>;
}

/** Raised when a namespace or group does not exist (the API answers 404). */
export class RuleNotFoundError extends Error {}

/** The namespace's groups with `group` set: replaced in place when its name exists, else appended. */
export function withGroup(specs: readonly RuleGroupSpec[], group: RuleGroup): RuleGroupSpec[] {
  const out = [...specs];
  const i = out.findIndex((g) => g.name === group.name);
  if (i >= 0) out[i] = group.spec;
  else out.push(group.spec);
  return out;
}

/** The namespace's groups without the group `name`; throws RuleNotFoundError when it is not there. */
export function withoutGroup(specs: readonly RuleGroupSpec[] | undefined, namespace: string, name: string): RuleGroupSpec[] {
  const i = specs?.findIndex((g) => g.name === name) ?? -1;
  if (!specs || i < 0) throw new RuleNotFoundError(`cannot delete rule group ${JSON.stringify(name)} of namespace ${JSON.stringify(namespace)}: group does not exist`);
  return specs.filter((_, j) => j !== i);
}

export function namespaceNotFound(namespace: string): RuleNotFoundError {
  return new RuleNotFoundError(`cannot delete rule namespace ${JSON.stringify(namespace)}: group namespace does not exist`);
}
