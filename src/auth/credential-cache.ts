/**
 * Cached lookups of users, tokens and sessions, so a request does not read the credentials store
 * each time. An entry (found or not) lives at most `ttlMs` (2 s): a revocation, a deleted user or
 * a changed password made on another pod is seen here within that, well inside the 5 s the
 * contract allows; changes made through this process are forgotten at once.
 *
 * Passwords a user has proven are remembered as SHA-256(stored hash, password) for as long as the
 * stored hash is unchanged, so basic auth with a user's password (a Grafana data source) costs one
 * scrypt per process and password, not one per request. A changed password changes the stored
 * hash and with it every remembered proof.
 *
 * When the store cannot be read (a PostgreSQL outage), the last answer it gave for a key is used
 * for up to `STALE_MAX_MS`, so ingest keeps accepting known clients through a short outage;
 * nothing can be revoked during it either, since revocations are writes to the same store.
 */
import type { SessionRecord, TokenRecord, UserRecord } from './credential.js';
import type { AuthStore } from './auth-store.js';
import { TtlCache } from './ttl-cache.js';
import { sha256Hex } from './token.js';

export const VALIDATION_TTL_MS = 2000;
export const STALE_MAX_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/** A TTL cache in front of a lookup, with the last good answer kept for store outages. */
class Cached<V> {
  private readonly fresh: TtlCache<string, V | undefined>;
  private readonly known: TtlCache<string, V | undefined>;
  constructor(
    private readonly load: (key: string) => Promise<V | undefined>,
    now: () => number,
    ttlMs: number,
  ) {
    this.fresh = new TtlCache(ttlMs, MAX_ENTRIES, now);
    this.known = new TtlCache(STALE_MAX_MS, MAX_ENTRIES, now);
  }

  async get(key: string): Promise<V | undefined> {
    const hit = this.fresh.lookup(key);
    if (hit) return hit.value;
    let v: V | undefined;
    try {
      v = await this.load(key);
    } catch (err) {
      const stale = this.known.lookup(key);
      if (stale) return stale.value;
      throw err;
    }
    this.fresh.set(key, v);
    this.known.set(key, v);
    return v;
  }

  forget(key: string): void {
    this.fresh.delete(key);
    this.known.delete(key);
  }
}

export class CredentialCache {
  private readonly users: Cached<UserRecord>;
  private readonly tokens: Cached<TokenRecord>;
  private readonly sessions: Cached<SessionRecord>;
  private readonly proofs = new Set<string>();

  constructor(store: () => AuthStore, now: () => number = Date.now, ttlMs = VALIDATION_TTL_MS) {
    this.users = new Cached((k) => store().getUser(k), now, ttlMs);
    this.tokens = new Cached((k) => store().getToken(k), now, ttlMs);
    this.sessions = new Cached((k) => store().getSession(k), now, ttlMs);
  }

  user(name: string): Promise<UserRecord | undefined> {
    return this.users.get(name);
  }

  token(id: string): Promise<TokenRecord | undefined> {
    return this.tokens.get(id);
  }

  session(idHash: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(idHash);
  }

  forgetUser(name: string): void {
    this.users.forget(name);
  }

  forgetToken(id: string): void {
    this.tokens.forget(id);
  }

  forgetSession(idHash: string): void {
    this.sessions.forget(idHash);
  }

  private proofKey(storedHash: string, password: string): string {
    return sha256Hex(storedHash + '\x00' + password);
  }

  proven(storedHash: string, password: string): boolean {
    return this.proofs.has(this.proofKey(storedHash, password));
  }

  remember(storedHash: string, password: string): void {
    if (this.proofs.size >= MAX_ENTRIES) this.proofs.delete(this.proofs.values().next().value as string);
    this.proofs.add(this.proofKey(storedHash, password));
  }
}
