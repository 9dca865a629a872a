/**
 * The SavedQueryStore contract (saved-query-store.ts) as one suite that every implementation
 * runs: duckdb-saved-query-store.test.ts and postgres-saved-query-store.test.ts. `make` returns a
 * fresh, empty, opened store, a factory of further stores over the same database (other pods),
 * and how to dispose of all of it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogSentinelError, type ErrorCode } from '../../errors.js';
import type { SavedQuery } from '../saved-query.js';
import type { SavedQueryStore } from '../saved-query-store.js';

export interface SavedQueryStoreUnderTest {
  store: SavedQueryStore;
  /** Another store over the same database, opened (a second pod, or a reopen). */
  another(): Promise<SavedQueryStore>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 11, 1);

export function savedQuery(tenant: string, id: string, name: string, over: Partial<SavedQuery> = {}): SavedQuery {
  return { tenant, id, name, query: `{service="${id}"}`, description: '', createdAt: T0, updatedAt: T0, ...over };
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof LogSentinelError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

export function runSavedQueryStoreConformance(name: string, make: () => Promise<SavedQueryStoreUnderTest>, opts: { skip?: string } = {}): void {
  describe(`saved query store conformance: ${name}`, { skip: opts.skip }, () => {
    const withStore = async (fn: (s: SavedQueryStore, t: SavedQueryStoreUnderTest) => Promise<void>): Promise<void> => {
      const t = await make();
      try {
        await fn(t.store, t);
      } finally {
        await t.close();
      }
    };

    it('starts empty; missing ids are undefined or false', () =>
      withStore(async (s) => {
        assert.deepEqual(await s.list('a'), []);
        assert.equal(await s.get('a', 'nope'), undefined);
        assert.equal(await s.update('a', 'nope', { name: 'x' }, T0, 'ann'), undefined);
        assert.equal(await s.delete('a', 'nope'), false);
      }));

    it('keeps every field, lists by name case-insensitively, per tenant', () =>
      withStore(async (s) => {
        const full = savedQuery('a', 'q1', 'errors of api', { query: '{service="api"} |= "error"', description: 'what pages us', range: { from: 'now-6h', to: 'now' }, createdBy: 'ann', updatedBy: 'ann' });
        await s.create(full, 10);
        await s.create(savedQuery('a', 'q2', 'Bravo'), 10);
        await s.create(savedQuery('a', 'q3', 'alpha', { range: { from: '1764921600000', to: '1764925200000' } }), 10);
        await s.create(savedQuery('b', 'q4', 'only in b'), 10);
        assert.deepEqual(await s.get('a', 'q1'), full);
        assert.deepEqual((await s.list('a')).map((q) => q.name), ['alpha', 'Bravo', 'errors of api']);
        assert.deepEqual((await s.list('b')).map((q) => q.id), ['q4']);
        assert.equal((await s.get('a', 'q2'))!.createdBy, undefined, 'no author without authentication');
        assert.equal(await s.get('b', 'q1'), undefined, 'another tenant does not see it');
      }));

    it('refuses a second name per tenant regardless of case, and allows it in another tenant', () =>
      withStore(async (s) => {
        await s.create(savedQuery('a', 'q1', 'Slow requests'), 10);
        await rejectsWith(s.create(savedQuery('a', 'q2', 'slow REQUESTS'), 10), 'CONFLICT', /^cannot save query "slow REQUESTS": tenant a already has a saved query named "Slow requests" \(id q1\)/);
        await s.create(savedQuery('b', 'q2', 'slow requests'), 10);
        assert.equal((await s.list('a')).length, 1);
      }));

    it('bounds the saved queries of a tenant, not of the others', () =>
      withStore(async (s) => {
        await s.create(savedQuery('a', 'q1', 'one'), 2);
        await s.create(savedQuery('a', 'q2', 'two'), 2);
        await rejectsWith(s.create(savedQuery('a', 'q3', 'three'), 2), 'LIMIT_REACHED', /^cannot save query "three": tenant a has 2 saved queries, the most savedQueries\.maxPerTenant allows \(2\)/);
        await s.create(savedQuery('b', 'q3', 'three'), 2);
        assert.equal(await s.delete('a', 'q1'), true);
        await s.create(savedQuery('a', 'q4', 'four'), 2);
      }));

    it('updates fields, renames (case only too), clears the range, refuses a taken name', () =>
      withStore(async (s) => {
        await s.create(savedQuery('a', 'q1', 'first', { range: { from: 'now-1h', to: 'now' }, createdBy: 'ann', updatedBy: 'ann' }), 10);
        await s.create(savedQuery('a', 'q2', 'second'), 10);
        const u = await s.update('a', 'q1', { query: '{service="x"} |= "y"', description: 'd' }, T0 + 5, 'bob');
        assert.deepEqual(u, { ...savedQuery('a', 'q1', 'first', { range: { from: 'now-1h', to: 'now' }, createdBy: 'ann' }), query: '{service="x"} |= "y"', description: 'd', updatedAt: T0 + 5, updatedBy: 'bob' });
        assert.deepEqual(await s.get('a', 'q1'), u);
        assert.equal((await s.update('a', 'q1', { name: 'FIRST' }, T0 + 6, 'bob'))!.name, 'FIRST');
        await rejectsWith(s.update('a', 'q1', { name: 'Second' }, T0 + 7, 'bob'), 'CONFLICT', /^cannot rename saved query "FIRST" to "Second": tenant a already has a saved query named "second" \(id q2\)/);
        assert.equal((await s.get('a', 'q1'))!.name, 'FIRST', 'a refused rename changes nothing');
        const cleared = await s.update('a', 'q1', { range: null, name: 'renamed' }, T0 + 8, undefined);
        assert.equal(cleared!.range, undefined);
        assert.equal(cleared!.name, 'renamed');
        assert.equal(cleared!.updatedBy, undefined);
        assert.equal(await s.update('b', 'q1', { name: 'stolen' }, T0 + 9, 'eve'), undefined, 'another tenant cannot change it');
        assert.equal(await s.delete('b', 'q1'), false, 'nor delete it');
        // A rename frees the old name.
        await s.create(savedQuery('a', 'q3', 'first'), 10);
      }));

    it('another process sees what one saved, and opening again keeps it', () =>
      withStore(async (s, t) => {
        const other = await t.another();
        await s.create(savedQuery('a', 'q1', 'shared'), 10);
        assert.deepEqual((await other.list('a')).map((q) => q.name), ['shared']);
        await other.update('a', 'q1', { description: 'from the other pod' }, T0 + 1, 'bob');
        assert.equal((await s.get('a', 'q1'))!.description, 'from the other pod');
        assert.equal(await other.delete('a', 'q1'), true);
        assert.deepEqual(await s.list('a'), []);
      }));
  });
}
