/**
 * The RuleStore contract (rule-store.ts) as one suite that every implementation runs:
 * file-rule-store.test.ts and postgres-rule-store.test.ts. `make` returns a fresh, empty store
 * and how to dispose of it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGroupYaml, type RuleGroup } from '../rule-file.js';
import { RuleNotFoundError, type RuleStore } from '../rule-store.js';

export interface StoreUnderTest {
  store: RuleStore;
  close(): Promise<void>;
}

/** A valid group named `name` with one alerting rule whose expression mentions `tag`. */
export function group(name: string, tag = name): RuleGroup {
  return parseGroupYaml(`name: ${JSON.stringify(name)}\nrules:\n  - alert: A\n    expr: sum(count_over_time({app=${JSON.stringify(tag)}}[1m])) > 0\n`);
}

/** `namespace → group names` of a tenant, in the store's order. */
export async function layout(store: RuleStore, tenant?: string): Promise<Record<string, string[]>> {
  const { namespaces, errors } = await store.load(tenant);
  assert.deepEqual(errors, []);
  const out: Record<string, string[]> = {};
  for (const ns of namespaces) out[`${ns.tenant}/${ns.namespace}`] = ns.groups.map((g) => g.name);
  return out;
}

export function runRuleStoreConformance(name: string, make: () => Promise<StoreUnderTest>, opts: { skip?: string } = {}): void {
  describe(`rule store conformance: ${name}`, { skip: opts.skip }, () => {
    const withStore = async (fn: (s: RuleStore) => Promise<void>): Promise<void> => {
      const t = await make();
      try {
        await fn(t.store);
      } finally {
        await t.close();
      }
    };

    it('starts empty', () =>
      withStore(async (s) => {
        assert.deepEqual(await layout(s), {});
      }));

    it('creates, replaces in place and appends groups; filters by tenant', () =>
      withStore(async (s) => {
        await s.setGroup('t1', 'ns', group('a'));
        await s.setGroup('t1', 'ns', group('b'));
        await s.setGroup('t1', 'ns', group('a', 'changed'));
        await s.setGroup('t1', 'other/ns ü', group('c'));
        await s.setGroup('t2', 'ns', group('d'));
        assert.deepEqual(await layout(s), { 't1/ns': ['a', 'b'], 't1/other/ns ü': ['c'], 't2/ns': ['d'] });
        assert.deepEqual(await layout(s, 't2'), { 't2/ns': ['d'] });
        assert.deepEqual(await layout(s, 'nobody'), {});
        const { namespaces } = await s.load('t1');
        assert.match(namespaces[0].groups[0].rules[0].expr, /changed/, 'the group was replaced');
      }));

    it('deletes groups and namespaces; a namespace whose last group went is gone', () =>
      withStore(async (s) => {
        await s.setGroup('t', 'ns', group('a'));
        await s.setGroup('t', 'ns', group('b'));
        await s.setGroup('t', 'gone', group('x'));
        await s.deleteGroup('t', 'ns', 'a');
        assert.deepEqual(await layout(s), { 't/ns': ['b'], 't/gone': ['x'] });
        await s.deleteGroup('t', 'ns', 'b');
        await s.deleteNamespace('t', 'gone');
        assert.deepEqual(await layout(s), {});
      }));

    it('modifications of one namespace overlapping on one instance all survive', () =>
      withStore(async (s) => {
        const names = Array.from({ length: 12 }, (_, i) => `g${String(i).padStart(2, '0')}`);
        await Promise.all(names.map((n) => s.setGroup('t', 'busy', group(n))));
        assert.deepEqual((await layout(s))['t/busy'].sort(), names);
      }));

    describe('failures', () => {
      const f = (what: string, call: (s: RuleStore) => Promise<unknown>, want: RegExp, type: 'not-found' | 'error'): void => {
        it(what, () =>
          withStore(async (s) => {
            await s.setGroup('t', 'ns', group('a'));
            const err = await call(s).then(
              () => assert.fail('expected an error'),
              (e: unknown) => e as Error,
            );
            if (type === 'not-found') assert.ok(err instanceof RuleNotFoundError, `RuleNotFoundError, got ${String(err)}`);
            assert.match(err.message, want);
            assert.deepEqual(await layout(s), { 't/ns': ['a'] }, 'nothing changed');
          }));
      };
      f('deleting a missing group', (s) => s.deleteGroup('t', 'ns', 'nope'), /cannot delete rule group "nope" of namespace "ns": group does not exist/, 'not-found');
      f('deleting a group of a missing namespace', (s) => s.deleteGroup('t', 'nons', 'a'), /group does not exist/, 'not-found');
      f('deleting a missing namespace', (s) => s.deleteNamespace('t', 'nons'), /cannot delete rule namespace "nons": group namespace does not exist/, 'not-found');
      f('an invalid tenant', (s) => s.setGroup('../x', 'ns', group('a')), /cannot use tenant "\.\.\/x" for rules/, 'error');
    });
  });
}
