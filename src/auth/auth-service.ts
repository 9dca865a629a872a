/**
 * Authentication: turns a presented token, user password or session cookie into a principal,
 * and runs UI logins and logouts. Lookups go through the credential cache (credential-cache.ts);
 * uses are recorded off the request path (last-used.ts); failed password attempts are throttled
 * (login-throttle.ts) and, with logins and logouts, written to the audit trail (audit.ts).
 *
 * The service exists before its store is open (the HTTP server listens first); until `attach()`
 * every authentication answers 503 with Retry-After, never "anonymous".
 */
import { LogSentinelError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { AuthStore } from './auth-store.js';
import { NAME_RE, tokenPrincipal, userPrincipal, type Principal, type SessionRecord, type UserRecord } from './credential.js';
import { CredentialCache } from './credential-cache.js';
import { LastUsedRecorder } from './last-used.js';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword, verifyPassword } from './password.js';
import { newSession, SESSION_IDLE_MS, sessionExpired } from './sessions.js';
import { randomSecret, safeEqual, sha256Hex, tokenId } from './token.js';
import type { AuditTrail } from './audit.js';
import { TtlCache } from './ttl-cache.js';

export interface AuthServiceOptions {
  logger: Logger;
  audit: AuditTrail;
  now?: () => number;
  throttle?: LoginThrottle;
  cacheTtlMs?: number;
  /** How often `lastUsedAt` is written (default 5 s; each credential at most once a minute). */
  lastUsedFlushMs?: number;
}

/** How a password reached us, for the audit trail. */
export type PasswordVia = 'ui' | 'basic';

/** A session's idle expiry is pushed forward at most this often per session. */
const EXTEND_EVERY_MS = 60_000;
const SWEEP_EVERY_MS = 10 * 60_000;

export function usable(rec: { disabled?: boolean; expiresAt?: number; revokedAt?: number }, now: number): boolean {
  return !rec.disabled && rec.revokedAt === undefined && (rec.expiresAt === undefined || now < rec.expiresAt);
}

export class AuthService {
  private store?: AuthStore;
  readonly cache: CredentialCache;
  readonly throttle: LoginThrottle;
  readonly audit: AuditTrail;
  readonly now: () => number;
  private readonly logger: Logger;
  private readonly lastUsed: LastUsedRecorder;
  private readonly extended: TtlCache<string, true>;
  private sweeper?: NodeJS.Timeout;
  private dummyHash?: Promise<string>;

  constructor(opts: AuthServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger;
    this.audit = opts.audit;
    this.throttle = opts.throttle ?? new LoginThrottle({ now: this.now });
    this.cache = new CredentialCache(() => this.storeOf(), this.now, opts.cacheTtlMs);
    this.extended = new TtlCache(EXTEND_EVERY_MS, 100_000, this.now);
    this.lastUsed = new LastUsedRecorder({
      write: (kind, uses) => this.storeOf().touch(kind, uses),
      onError: (err) => this.logger.warn({ err }, 'cannot record when credentials were last used'),
      flushMs: opts.lastUsedFlushMs,
      now: this.now,
    });
  }

  ready(): boolean {
    return this.store !== undefined;
  }

  /** The opened (and bootstrapped) store: authentication works from now on. */
  attach(store: AuthStore): void {
    this.store = store;
    this.lastUsed.start();
    this.sweeper = setInterval(() => {
      store.deleteExpiredSessions(this.now()).catch((err: unknown) => this.logger.warn({ err }, 'cannot delete expired sessions'));
    }, SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  storeOf(): AuthStore {
    if (!this.store) throw new LogSentinelError('NOT_READY', 'cannot check credentials: the credentials store is still opening', { retryAfter: 1 });
    return this.store;
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    if (!this.store) return;
    await this.lastUsed.stop();
    await this.store.close();
  }

  /** The principal of an API token, or undefined when it is unknown, revoked, expired or malformed. */
  async tokenPrincipal(token: string): Promise<Principal | undefined> {
    this.storeOf();
    const id = tokenId(token);
    if (id === undefined) return undefined;
    const rec = await this.cache.token(id);
    if (!rec || !safeEqual(sha256Hex(token), rec.hash) || !usable(rec, this.now())) return undefined;
    this.lastUsed.note('token', id);
    return tokenPrincipal(rec);
  }

  /**
   * The principal of a user's name and password, or undefined when they do not match (or the user
   * is disabled or expired). Throws RATE_LIMITED while the address or the name is throttled.
   */
  async passwordPrincipal(name: string, password: string, ip: string, via: PasswordVia): Promise<Principal | undefined> {
    const user = await this.checkPassword(name, password, ip, via);
    return user && userPrincipal(user, 'user');
  }

  private async checkPassword(name: string, password: string, ip: string, via: PasswordVia): Promise<UserRecord | undefined> {
    this.storeOf();
    const wait = this.throttle.retryAfterSeconds(ip, name);
    if (wait > 0) throw new LogSentinelError('RATE_LIMITED', `cannot log in: too many failed attempts; try again in ${wait}s`, { retryAfter: wait });
    const user = NAME_RE.test(name) ? await this.cache.user(name) : undefined;
    let ok = false;
    if (user && this.cache.proven(user.passwordHash, password)) ok = true;
    else if (user) {
      ok = await verifyPassword(password, user.passwordHash);
      if (ok) this.cache.remember(user.passwordHash, password);
    } else {
      // As slow as a real check, so the answer time does not tell whether the name exists.
      this.dummyHash ??= hashPassword(randomSecret());
      await verifyPassword(password, await this.dummyHash);
    }
    const now = this.now();
    if (!ok || !user || !usable(user, now)) {
      this.throttle.failed(ip, name);
      const reason = !user ? 'unknown user' : !ok ? 'wrong password' : user.disabled ? 'user disabled' : 'user expired';
      await this.audit.record({ action: 'login', actor: NAME_RE.test(name) ? name : '(invalid name)', ip, outcome: 'failure', reason, details: { via } });
      return undefined;
    }
    this.throttle.succeeded(name);
    this.lastUsed.note('user', user.name);
    return user;
  }

  /** The principal of a session cookie value, with its session, or undefined when it is not (or no longer) valid. */
  async sessionPrincipal(cookieValue: string): Promise<{ principal: Principal; session: SessionRecord } | undefined> {
    this.storeOf();
    const idHash = sha256Hex(cookieValue);
    const s = await this.cache.session(idHash);
    const now = this.now();
    if (!s || sessionExpired(s, now)) return undefined;
    const user = await this.cache.user(s.user);
    if (!user || !usable(user, now)) return undefined;
    this.lastUsed.note('user', user.name);
    if (this.extended.lookup(idHash) === undefined) {
      this.extended.set(idHash, true);
      this.storeOf()
        .extendSession(idHash, now + SESSION_IDLE_MS)
        .catch((err: unknown) => this.logger.warn({ err }, 'cannot extend a session'));
    }
    return { principal: userPrincipal(user, 'session'), session: s };
  }

  /** A UI login: a new session for a user's name and password. Throws UNAUTHENTICATED or RATE_LIMITED. */
  async login(name: string, password: string, ip: string): Promise<{ cookieValue: string; session: SessionRecord; principal: Principal }> {
    const user = await this.checkPassword(name, password, ip, 'ui');
    if (!user) throw new LogSentinelError('UNAUTHENTICATED', 'cannot log in: invalid credentials');
    const { cookieValue, record } = newSession(user.name, this.now());
    await this.storeOf().createSession(record);
    await this.audit.record({ action: 'login', actor: user.name, target: user.name, ip, outcome: 'success', details: { via: 'ui' } });
    return { cookieValue, session: record, principal: userPrincipal(user, 'session') };
  }

  /** Ends the session of a cookie value (no-op when it is unknown). */
  async logout(cookieValue: string, ip: string): Promise<void> {
    const idHash = sha256Hex(cookieValue);
    const s = await this.storeOf().getSession(idHash);
    await this.storeOf().deleteSession(idHash);
    this.cache.forgetSession(idHash);
    if (s) await this.audit.record({ action: 'logout', actor: s.user, target: s.user, ip, outcome: 'success' });
  }
}
