/**
 * The AuthStore contract (auth-store.ts) as one suite that every implementation runs:
 * duckdb-auth-store.test.ts and postgres-auth-store.test.ts. `make` returns a fresh, empty,
 * opened store, a factory of further stores over the same database (other "pods"), and how to
 * dispose of all of it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogSentinelError } from '../../errors.js';
import type { AuthStore } from '../auth-store.js';
import type { SessionRecord, TokenRecord, UserRecord } from '../credential.js';

export interface AuthStoreUnderTest {
  store: AuthStore;
  /** Another store over the same database, opened (a second pod, or a reopen). */
  another(): Promise<AuthStore>;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);

export function user(name: string, over: Partial<UserRecord> = {}): UserRecord {
  return { name, passwordHash: `scrypt$32768$8$1$c2FsdA==$${name}`, scopes: ['logs:read'], tenants: ['a', 'b'], defaultTenant: 'a', disabled: false, createdAt: T0, ...over };
}

export function token(id: string, over: Partial<TokenRecord> = {}): TokenRecord {
  return { id, hash: 'f'.repeat(64), name: `tok-${id}`, scopes: ['logs:write'], tenants: '*', defaultTenant: 'default', createdBy: 'admin', createdAt: T0, ...over };
}

function session(idHash: string, userName: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return { idHash, user: userName, csrfToken: `csrf-${idHash}`, createdAt: T0, expiresAt: T0 + 1000, absoluteExpiresAt: T0 + 5000, ...over };
}

async function conflict(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof LogSentinelError && err.code === 'CONFLICT');
}

export function runAuthStoreConformance(name: string, make: () => Promise<AuthStoreUnderTest>, opts: { skip?: string } = {}): void {
  describe(`auth store conformance: ${name}`, { skip: opts.skip }, () => {
    const withStore = async (fn: (s: AuthStore, t: AuthStoreUnderTest) => Promise<void>): Promise<void> => {
      const t = await make();
      try {
        await fn(t.store, t);
      } finally {
        await t.close();
      }
    };

    it('starts empty', () =>
      withStore(async (s) => {
        assert.equal(await s.isEmpty(), true);
        assert.deepEqual(await s.listUsers(), []);
        assert.deepEqual(await s.listTokens(), []);
        assert.equal(await s.getUser('nobody'), undefined);
        assert.equal(await s.getToken('aaaaaaaaaaaa'), undefined);
        assert.equal(await s.getSession('x'), undefined);
      }));

    it('keeps users field by field, refuses a second user of one name, lists by name', () =>
      withStore(async (s) => {
        const full = user('zoe', { scopes: ['logs:read', 'rules:write'], tenants: '*', defaultTenant: 'default', disabled: true, expiresAt: T0 + 7, lastUsedAt: T0 + 3 });
        const bare = user('al.ice@x-1');
        await s.createUser(full);
        await s.createUser(bare);
        assert.deepEqual(await s.getUser('zoe'), full);
        assert.deepEqual(await s.getUser('al.ice@x-1'), bare);
        await conflict(s.createUser(user('zoe', { passwordHash: 'other' })));
        assert.equal((await s.getUser('zoe'))?.passwordHash, full.passwordHash, 'a refused create changes nothing');
        assert.deepEqual((await s.listUsers()).map((u) => u.name), ['al.ice@x-1', 'zoe']);
        assert.equal(await s.isEmpty(), false);
      }));

    it('updates only the fields a patch names; expiresAt null clears it', () =>
      withStore(async (s) => {
        await s.createUser(user('u', { expiresAt: T0 + 9 }));
        const f = async (patch: Parameters<AuthStore['updateUser']>[1], want: Partial<UserRecord> & { expiresAt?: number }): Promise<void> => {
          const got = await s.updateUser('u', patch);
          assert.deepEqual(got, await s.getUser('u'), 'the answer is the stored record');
          for (const [k, v] of Object.entries(want)) assert.deepEqual((got as unknown as Record<string, unknown>)[k], v, `${JSON.stringify(patch)}: ${k}`);
        };
        await f({}, { scopes: ['logs:read'], expiresAt: T0 + 9 });
        await f({ passwordHash: 'scrypt$new' }, { passwordHash: 'scrypt$new', scopes: ['logs:read'] });
        await f({ scopes: ['admin'] }, { scopes: ['admin'], passwordHash: 'scrypt$new' });
        await f({ tenants: '*', defaultTenant: 'default' }, { tenants: '*', defaultTenant: 'default' });
        await f({ tenants: ['x'], defaultTenant: 'x' }, { tenants: ['x'], defaultTenant: 'x' });
        await f({ disabled: true }, { disabled: true });
        await f({ disabled: false }, { disabled: false });
        await f({ expiresAt: T0 + 11 }, { expiresAt: T0 + 11 });
        await s.updateUser('u', { expiresAt: null });
        assert.equal((await s.getUser('u'))?.expiresAt, undefined);
        assert.equal(await s.updateUser('missing', { disabled: true }), undefined);
      }));

    it('deletes a user with its sessions only', () =>
      withStore(async (s) => {
        await s.createUser(user('a'));
        await s.createUser(user('b'));
        await s.createSession(session('s1', 'a'));
        await s.createSession(session('s2', 'b'));
        assert.equal(await s.deleteUser('a'), true);
        assert.equal(await s.deleteUser('a'), false);
        assert.equal(await s.getUser('a'), undefined);
        assert.equal(await s.getSession('s1'), undefined);
        assert.deepEqual(await s.getSession('s2'), session('s2', 'b'));
      }));

    it('keeps tokens field by field, refuses a second token of one id, lists by creation time', () =>
      withStore(async (s) => {
        const t1 = token('bbbbbbbbbbbb', { createdAt: T0 + 2, tenants: ['a'], defaultTenant: 'a', expiresAt: T0 + 100 });
        const t2 = token('aaaaaaaaaaaa', { createdAt: T0 + 2 });
        const t3 = token('cccccccccccc', { createdAt: T0 + 1, revokedAt: T0 + 5, lastUsedAt: T0 + 4, scopes: ['admin'] });
        for (const t of [t1, t2, t3]) await s.createToken(t);
        assert.deepEqual(await s.getToken('bbbbbbbbbbbb'), t1);
        assert.deepEqual(await s.getToken('cccccccccccc'), t3);
        await conflict(s.createToken(token('aaaaaaaaaaaa', { hash: '0'.repeat(64) })));
        assert.equal((await s.getToken('aaaaaaaaaaaa'))?.hash, t2.hash);
        assert.deepEqual((await s.listTokens()).map((t) => t.id), ['cccccccccccc', 'aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
        assert.equal(await s.isEmpty(), false);
      }));

    it('revokes once: the first revocation time stays; unknown ids answer false', () =>
      withStore(async (s) => {
        await s.createToken(token('aaaaaaaaaaaa'));
        assert.equal(await s.revokeToken('aaaaaaaaaaaa', T0 + 10), true);
        assert.equal(await s.revokeToken('aaaaaaaaaaaa', T0 + 20), true);
        assert.equal((await s.getToken('aaaaaaaaaaaa'))?.revokedAt, T0 + 10);
        assert.equal(await s.revokeToken('zzzzzzzzzzzz', T0), false);
      }));

    it('putToken creates or replaces by id', () =>
      withStore(async (s) => {
        await s.putToken(token('aaaaaaaaaaaa', { name: 'one' }));
        assert.equal((await s.getToken('aaaaaaaaaaaa'))?.name, 'one');
        const replaced = token('aaaaaaaaaaaa', { name: 'two', hash: '1'.repeat(64), scopes: ['admin'] });
        await s.putToken(replaced);
        assert.deepEqual(await s.getToken('aaaaaaaaaaaa'), replaced);
        assert.equal((await s.listTokens()).length, 1);
      }));

    it('records last use, never moving it back; unknown ids are ignored', () =>
      withStore(async (s) => {
        await s.createUser(user('u'));
        await s.createToken(token('aaaaaaaaaaaa'));
        await s.touch('user', new Map([['u', T0 + 50], ['ghost', T0]]));
        await s.touch('token', new Map([['aaaaaaaaaaaa', T0 + 60]]));
        await s.touch('token', new Map([['aaaaaaaaaaaa', T0 + 40]]));
        await s.touch('user', new Map());
        assert.equal((await s.getUser('u'))?.lastUsedAt, T0 + 50);
        assert.equal((await s.getToken('aaaaaaaaaaaa'))?.lastUsedAt, T0 + 60);
        assert.equal(await s.getUser('ghost'), undefined);
      }));

    it('keeps sessions; extends the idle expiry up to the absolute one; deletes them', () =>
      withStore(async (s) => {
        await s.createUser(user('u'));
        await s.createSession(session('h1', 'u'));
        await s.createSession(session('h2', 'u', { expiresAt: T0 + 10 }));
        await s.createSession(session('h3', 'u', { expiresAt: T0 + 10_000, absoluteExpiresAt: T0 + 10 }));
        assert.deepEqual(await s.getSession('h1'), session('h1', 'u'));
        await s.extendSession('h1', T0 + 3000);
        assert.equal((await s.getSession('h1'))?.expiresAt, T0 + 3000);
        await s.extendSession('h1', T0 + 2000);
        assert.equal((await s.getSession('h1'))?.expiresAt, T0 + 3000, 'never shortened');
        await s.extendSession('h1', T0 + 99_000);
        assert.equal((await s.getSession('h1'))?.expiresAt, T0 + 5000, 'capped at the absolute expiry');
        await s.extendSession('gone', T0);
        assert.equal(await s.deleteExpiredSessions(T0 + 100), 2, 'h2 idle-expired, h3 absolutely expired');
        assert.ok(await s.getSession('h1'));
        await s.deleteSession('h1');
        assert.equal(await s.getSession('h1'), undefined);
        await s.createSession(session('h4', 'u'));
        await s.deleteUserSessions('u');
        assert.equal(await s.getSession('h4'), undefined);
      }));

    it('another instance over the same database sees every write at once', () =>
      withStore(async (s, t) => {
        const other = await t.another();
        await s.createUser(user('u'));
        await s.createToken(token('aaaaaaaaaaaa'));
        assert.deepEqual(await other.getUser('u'), user('u'));
        assert.equal(await other.revokeToken('aaaaaaaaaaaa', T0 + 1), true);
        assert.equal((await s.getToken('aaaaaaaaaaaa'))?.revokedAt, T0 + 1);
        await other.open();
        assert.deepEqual(await s.getUser('u'), user('u'), 'a second open() keeps the data');
      }));

    it('runs one bootstrap at a time, across instances', () =>
      withStore(async (s, t) => {
        const other = await t.another();
        let inside = 0;
        let most = 0;
        const created: string[] = [];
        const boot = (st: AuthStore, who: string): Promise<void> =>
          st.withBootstrapLock(async () => {
            inside++;
            most = Math.max(most, inside);
            try {
              if (await st.isEmpty()) {
                await new Promise((r) => setTimeout(r, 30));
                await st.createUser(user('admin'));
                created.push(who);
              }
            } finally {
              inside--;
            }
          });
        await Promise.all([boot(s, 'one'), boot(other, 'two'), boot(s, 'three')]);
        assert.equal(most, 1);
        assert.equal(created.length, 1, `exactly one bootstrap created the admin: ${created.join(', ')}`);
      }));
  });
}
