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
 */
import type { SessionRecord, TokenRecord, UserRecord } from './credential.js';
import type { AuthStore } from './auth-store.js';
import { TtlCache } from './ttl-cache.js';
import { sha256Hex } from './token.js';

export const VALIDATION_TTL_MS = 2000;
const MAX_ENTRIES = 10_000;

export class CredentialCache {
  private readonly users: TtlCache<string, UserRecord | undefined>;
  private readonly tokens: TtlCache<string, TokenRecord | undefined>;
  private readonly sessions: TtlCache<string, SessionRecord | undefined>;
  private readonly proofs = new Set<string>();

  constructor(
    private readonly store: () => AuthStore,
    now: () => number = Date.now,
    ttlMs = VALIDATION_TTL_MS,
  ) {
    this.users = new TtlCache(ttlMs, MAX_ENTRIES, now);
    this.tokens = new TtlCache(ttlMs, MAX_ENTRIES, now);
    this.sessions = new TtlCache(ttlMs, MAX_ENTRIES, now);
  }

  async user(name: string): Promise<UserRecord | undefined> {
    const hit = this.users.lookup(name);
    if (hit) return hit.value;
    const u = await this.store().getUser(name);
    this.users.set(name, u);
    return u;
  }

  async token(id: string): Promise<TokenRecord | undefined> {
    const hit = this.tokens.lookup(id);
    if (hit) return hit.value;
    const t = await this.store().getToken(id);
    this.tokens.set(id, t);
    return t;
  }

  async session(idHash: string): Promise<SessionRecord | undefined> {
    const hit = this.sessions.lookup(idHash);
    if (hit) return hit.value;
    const s = await this.store().getSession(idHash);
    this.sessions.set(idHash, s);
    return s;
  }

  forgetUser(name: string): void {
    this.users.delete(name);
  }

  forgetToken(id: string): void {
    this.tokens.delete(id);
  }

  forgetSession(idHash: string): void {
    this.sessions.delete(idHash);
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
