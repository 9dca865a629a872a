/**
 * Managing users and tokens (the admin API, the CLI through it, the UI's admin page): request
 * bodies are validated here into records, changes go to the store, caches of this process forget
 * what changed (other pods see it within the cache TTL), and every action — refused ones too —
 * is written to the audit trail. Answers are `UserInfo`/`TokenInfo`, never a hash; a new token is
 * returned once, in the answer that created it.
 *
 * The last admin credential (an enabled, unexpired user or unrevoked, unexpired token with scope
 * admin) cannot be deleted, disabled, demoted or revoked: that would lock everybody out (409).
 */
import { LogSentinelError } from '../errors.js';
import { NAME_RE, tokenInfo, userInfo, type Principal, type TokenInfo, type TokenRecord, type UserInfo, type UserRecord } from './credential.js';
import type { UserPatch } from './auth-store.js';
import { parseScopes } from './scopes.js';
import { defaultTenantOf, parseTenantSet, tenantInSet } from './tenant-set.js';
import { hashPassword, passwordProblem } from './password.js';
import { generateToken, sha256Hex } from './token.js';
import { parseExpiry } from './expiry.js';
import { usable, type AuthService } from './auth-service.js';
import type { AuditEvent } from './audit.js';

type Body = Record<string, unknown>;

const TOKEN_ID_RE = /^[a-z2-7]{12}$/;

/** A name from a URL, for messages and the audit trail: as given when valid, else a placeholder. */
function safeName(n: string): string {
  return NAME_RE.test(n) ? n : '(invalid name)';
}

function object(body: unknown, what: string, known: readonly string[]): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: the body must be a JSON object`);
  for (const k of Object.keys(body)) {
    if (!known.includes(k)) throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: unknown field ${JSON.stringify(k)} (known: ${known.join(', ')})`);
  }
  return body as Body;
}

function name(v: unknown, what: string, field = 'name'): string {
  if (typeof v !== 'string' || !NAME_RE.test(v)) throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: ${field} must be 1-64 of [a-zA-Z0-9._@-]`);
  return v;
}

function password(v: unknown, what: string): string {
  const p = passwordProblem(v);
  if (p !== undefined) throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: ${p}`);
  return v as string;
}

/** Who did it and from where, for the audit trail. */
export interface Actor {
  principal: Principal;
  ip: string;
}

export class AuthAdmin {
  constructor(private readonly svc: AuthService) {}

  private get store(): ReturnType<AuthService['storeOf']> {
    return this.svc.storeOf();
  }

  private audit(actor: Actor, ev: Omit<AuditEvent, 'actor' | 'ip'>): Promise<void> {
    return this.svc.audit.record({ ...ev, actor: actor.principal.name, ip: actor.ip });
  }

  /** Runs `fn`; a refusal (4xx) is audited as a failure and rethrown. */
  private async audited<T>(actor: Actor, action: AuditEvent['action'], target: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LogSentinelError && err.status < 500) await this.audit(actor, { action, target, outcome: 'failure', reason: err.message });
      throw err;
    }
  }

  /** Whether an admin credential other than `except` stays usable. */
  private async anotherAdmin(except: { user?: string; token?: string }): Promise<boolean> {
    const now = this.svc.now();
    const users = await this.store.listUsers();
    if (users.some((u) => u.name !== except.user && u.scopes.includes('admin') && usable(u, now))) return true;
    const tokens = await this.store.listTokens();
    return tokens.some((t) => t.id !== except.token && t.scopes.includes('admin') && usable(t, now));
  }

  async listUsers(): Promise<UserInfo[]> {
    return (await this.store.listUsers()).map(userInfo);
  }

  async createUser(body: unknown, actor: Actor): Promise<UserInfo> {
    const what = 'create user';
    const given = (body as { name?: unknown } | null)?.name;
    const target = typeof given === 'string' && NAME_RE.test(given) ? given : undefined;
    return this.audited(actor, 'user.create', target, async () => {
      const b = object(body, what, ['name', 'password', 'scopes', 'tenants', 'defaultTenant', 'disabled', 'expiresAt', 'ttl']);
      const now = this.svc.now();
      const tenants = parseTenantSet(b.tenants, what);
      if (b.disabled !== undefined && typeof b.disabled !== 'boolean') throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: disabled must be true or false`);
      const rec: UserRecord = {
        name: name(b.name, what),
        passwordHash: await hashPassword(password(b.password, what)),
        scopes: parseScopes(b.scopes, what),
        tenants,
        defaultTenant: defaultTenantOf(tenants, b.defaultTenant, what),
        disabled: b.disabled === true,
        createdAt: now,
      };
      const exp = parseExpiry(b.expiresAt, b.ttl, now, what);
      if (typeof exp === 'number') rec.expiresAt = exp;
      await this.store.createUser(rec);
      this.svc.cache.forgetUser(rec.name);
      await this.audit(actor, { action: 'user.create', target: rec.name, outcome: 'success', details: { scopes: rec.scopes, tenants: rec.tenants === '*' ? '*' : rec.tenants } });
      return userInfo(rec);
    });
  }

  async updateUser(userName: string, body: unknown, actor: Actor): Promise<UserInfo> {
    const what = `update user ${safeName(userName)}`;
    return this.audited(actor, 'user.update', safeName(userName), async () => {
      const b = object(body, what, ['password', 'scopes', 'tenants', 'defaultTenant', 'disabled', 'expiresAt', 'ttl']);
      const cur = await this.store.getUser(userName);
      if (!cur) throw new LogSentinelError('NOT_FOUND', `cannot ${what}: no such user`);
      const patch: UserPatch = {};
      if (b.password !== undefined) patch.passwordHash = await hashPassword(password(b.password, what));
      if (b.scopes !== undefined) patch.scopes = parseScopes(b.scopes, what);
      if (b.disabled !== undefined) {
        if (typeof b.disabled !== 'boolean') throw new LogSentinelError('BAD_REQUEST', `cannot ${what}: disabled must be true or false`);
        patch.disabled = b.disabled;
      }
      const tenants = b.tenants !== undefined ? parseTenantSet(b.tenants, what) : cur.tenants;
      if (b.tenants !== undefined) patch.tenants = tenants;
      if (b.defaultTenant !== undefined) patch.defaultTenant = defaultTenantOf(tenants, b.defaultTenant, what);
      else if (b.tenants !== undefined && !tenantInSet(tenants, cur.defaultTenant)) patch.defaultTenant = defaultTenantOf(tenants, undefined, what);
      const exp = parseExpiry(b.expiresAt, b.ttl, this.svc.now(), what);
      if (exp !== undefined) patch.expiresAt = exp;
      const losesAdmin = cur.scopes.includes('admin') && ((patch.scopes && !patch.scopes.includes('admin')) || patch.disabled === true || typeof patch.expiresAt === 'number');
      if (losesAdmin && !(await this.anotherAdmin({ user: userName }))) {
        throw new LogSentinelError('CONFLICT', `cannot ${what}: it is the last admin credential; create another admin user or token first`);
      }
      const updated = await this.store.updateUser(userName, patch);
      if (!updated) throw new LogSentinelError('NOT_FOUND', `cannot ${what}: no such user`);
      // A new password or a disabled user ends its sessions everywhere.
      if (patch.passwordHash !== undefined || patch.disabled === true) await this.store.deleteUserSessions(userName);
      this.svc.cache.forgetUser(userName);
      const changed = Object.keys(patch).map((k) => (k === 'passwordHash' ? 'password' : k));
      await this.audit(actor, { action: 'user.update', target: userName, outcome: 'success', details: { changed } });
      return userInfo(updated);
    });
  }

  async deleteUser(userName: string, actor: Actor): Promise<void> {
    const what = `delete user ${safeName(userName)}`;
    await this.audited(actor, 'user.delete', safeName(userName), async () => {
      const cur = await this.store.getUser(userName);
      if (!cur) throw new LogSentinelError('NOT_FOUND', `cannot ${what}: no such user`);
      if (cur.scopes.includes('admin') && !(await this.anotherAdmin({ user: userName }))) {
        throw new LogSentinelError('CONFLICT', `cannot ${what}: it is the last admin credential; create another admin user or token first`);
      }
      if (!(await this.store.deleteUser(userName))) throw new LogSentinelError('NOT_FOUND', `cannot ${what}: no such user`);
      this.svc.cache.forgetUser(userName);
      await this.audit(actor, { action: 'user.delete', target: userName, outcome: 'success' });
    });
  }

  async listTokens(): Promise<TokenInfo[]> {
    return (await this.store.listTokens()).map(tokenInfo);
  }

  /** A new token: the answer carries it in `token`, the only time it is shown. */
  async createToken(body: unknown, actor: Actor): Promise<TokenInfo & { token: string }> {
    const what = 'create token';
    return this.audited(actor, 'token.create', undefined, async () => {
      const b = object(body, what, ['name', 'scopes', 'tenants', 'defaultTenant', 'expiresAt', 'ttl']);
      const now = this.svc.now();
      const tenants = parseTenantSet(b.tenants, what);
      const { token, id } = generateToken();
      const rec: TokenRecord = {
        id,
        hash: sha256Hex(token),
        name: name(b.name, what),
        scopes: parseScopes(b.scopes, what),
        tenants,
        defaultTenant: defaultTenantOf(tenants, b.defaultTenant, what),
        createdBy: actor.principal.name,
        createdAt: now,
      };
      const exp = parseExpiry(b.expiresAt, b.ttl, now, what);
      if (typeof exp === 'number') rec.expiresAt = exp;
      await this.store.createToken(rec);
      this.svc.cache.forgetToken(id);
      await this.audit(actor, {
        action: 'token.create',
        target: id,
        outcome: 'success',
        details: { name: rec.name, scopes: rec.scopes, tenants: rec.tenants === '*' ? '*' : rec.tenants, expiresAt: rec.expiresAt === undefined ? null : new Date(rec.expiresAt).toISOString() },
      });
      return { ...tokenInfo(rec), token };
    });
  }

  async revokeToken(id: string, actor: Actor): Promise<void> {
    // An id that is not one is never echoed: it may be a whole token pasted by mistake.
    const valid = TOKEN_ID_RE.test(id);
    const what = `revoke token ${valid ? id : '(not a token id)'}`;
    await this.audited(actor, 'token.revoke', valid ? id : '(not a token id)', async () => {
      const cur = valid ? await this.store.getToken(id) : undefined;
      if (!cur) throw new LogSentinelError('NOT_FOUND', `cannot ${what}: no such token`);
      if (cur.revokedAt === undefined && cur.scopes.includes('admin') && !(await this.anotherAdmin({ token: id }))) {
        throw new LogSentinelError('CONFLICT', `cannot ${what}: it is the last admin credential; create another admin user or token first`);
      }
      await this.store.revokeToken(id, this.svc.now());
      this.svc.cache.forgetToken(id);
      await this.audit(actor, { action: 'token.revoke', target: id, outcome: 'success', details: { name: cur.name } });
    });
  }
}
