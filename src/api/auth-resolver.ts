/**
 * The one place a request is authenticated and authorized (docs/specs/auth.md): an `onRequest`
 * hook on every route that reads the route's entry in route-scopes.ts, refuses simple content
 * types on state-changing routes, finds the presented credential (credentials.ts), checks it
 * (src/auth), checks the CSRF token of cookie sessions, the route's scope and the request's
 * tenants, and leaves the outcome in `req.auth`. It throws `LogSentinelError`s (401, 403, 415,
 * 429, 503): each route scope's own error handler answers them in its protocol's shape (Loki
 * text, OTLP Status, Elasticsearch error JSON, LogSentinel's JSON).
 *
 * With `auth.enabled=false` (no `ctx.auth`) every request is the anonymous principal with every
 * scope and tenant: the tenants still come from `X-Scope-OrgID`, and nobody pushes to `_audit`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import { LogSentinelError, bug } from '../errors.js';
import { SCOPES, hasScope, type Scope } from '../auth/scopes.js';
import type { Principal } from '../auth/credential.js';
import type { AuthService } from '../auth/auth-service.js';
import { safeEqual } from '../auth/token.js';
import { DEFAULT_TENANT } from '../model/tenant.js';
import { routeAccess, type RouteAccess } from './route-scopes.js';
import { presentedCredential, type PresentedCredential } from './credentials.js';
import { resolveTenants, tenantHeader } from './tenant.js';

export type AuthVia = 'none' | 'disabled' | 'bearer' | 'basic' | 'apikey' | 'password' | 'session';

export interface RequestAuth {
  principal: Principal;
  via: AuthVia;
  /** The tenants the request acts on (one for pushes and rules; empty when the route needs none). */
  tenants: string[];
  /** The CSRF token of the session, when authenticated by the session cookie. */
  csrfToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth;
  }
}

/** Nobody: what public routes, and optional ones without a credential, see. */
export const NOBODY: Principal = Object.freeze({ kind: 'anonymous', id: 'anonymous', name: 'anonymous', scopes: [], tenants: [], defaultTenant: DEFAULT_TENANT });
/** Everybody: every request when authentication is disabled. */
export const OPEN: Principal = Object.freeze({ kind: 'anonymous', id: 'anonymous', name: 'anonymous', scopes: [...SCOPES], tenants: '*', defaultTenant: DEFAULT_TENANT });

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIMPLE_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
const NO_CREDENTIALS = 'no credentials (send a bearer token, basic auth or log in)';

function wantsHtml(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function mediaType(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** The raw tenant a request names, in precedence order (undefined: the credential's default). */
function namedTenant(req: FastifyRequest, access: RouteAccess, hint: string | undefined): string | undefined {
  const header = tenantHeader(req);
  if (header !== undefined) return header;
  if (access.tenant === 'tail') {
    const orgId = (req.query as Record<string, unknown> | undefined)?.orgId;
    if (typeof orgId === 'string' && orgId.trim() !== '') return orgId.trim();
  }
  return hint;
}

function tenantsFor(req: FastifyRequest, access: RouteAccess, p: Principal, hint?: string): string[] {
  return access.tenant === 'none' ? [] : resolveTenants(access.tenant, namedTenant(req, access, hint), p);
}

async function check(svc: AuthService, cred: Exclude<PresentedCredential, { type: 'malformed' }>, req: FastifyRequest): Promise<{ principal: Principal; via: AuthVia; csrfToken?: string; hint?: string } | undefined> {
  switch (cred.type) {
    case 'token': {
      const principal = await svc.tokenPrincipal(cred.token);
      return principal && { principal, via: cred.via, hint: cred.tenantHint };
    }
    case 'password': {
      const principal = await svc.passwordPrincipal(cred.user, cred.password, req.ip, 'basic');
      return principal && { principal, via: 'password' };
    }
    case 'session': {
      const s = await svc.sessionPrincipal(cred.value);
      return s && { principal: s.principal, via: 'session', csrfToken: s.session.csrfToken };
    }
  }
}

/** The cross-origin check of a WebSocket upgrade under a session cookie (browsers send Origin). */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The scope a non-public route needs (`optional`: none, but a presented credential is checked). */
function needOf(a: RouteAccess): Scope | 'optional' {
  switch (a.need) {
    case 'metrics':
      return 'admin';
    case 'es-root':
      return 'logs:write';
    case 'public':
    case 'login':
      throw bug(`the ${a.need} route ${a.action} reached the credential check`);
    default:
      return a.need;
  }
}

export function authResolver(ctx: AppContext): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (req, reply) => {
    const url = req.routeOptions.url;
    if (url === undefined) {
      req.auth = { principal: NOBODY, via: 'none', tenants: [] }; // no such route: the 404 handler answers
      return;
    }
    const access = routeAccess(req.method, url);
    if (access === undefined) throw new LogSentinelError('FORBIDDEN', `cannot serve ${req.method} ${url}: the route has no entry in the route table`);
    const svc = ctx.auth;
    if (!svc) {
      req.auth = { principal: OPEN, via: 'disabled', tenants: tenantsFor(req, access, OPEN) };
      return;
    }

    const pub = access.need === 'public' || (access.need === 'metrics' && ctx.config.auth.openMetrics) || (access.need === 'es-root' && wantsHtml(req));
    if (pub) {
      req.auth = { principal: NOBODY, via: 'none', tenants: [] };
      return;
    }
    if (access.changes && !SAFE_METHODS.has(req.method) && SIMPLE_TYPES.has(mediaType(req))) {
      throw new LogSentinelError(
        'UNSUPPORTED_MEDIA_TYPE',
        `cannot ${access.action}: content type ${mediaType(req)} is refused on routes that change state (browsers send it cross-site without asking); send the protocol's own type, such as application/json`,
      );
    }
    if (access.need === 'login') {
      req.auth = { principal: NOBODY, via: 'none', tenants: [] };
      return;
    }
    const need = needOf(access);

    svc.storeOf(); // 503 with Retry-After while the credentials store opens
    const cred = presentedCredential(req.headers);
    const unauthenticated = (why: string): LogSentinelError => {
      reply.header('WWW-Authenticate', 'Bearer realm="logsentinel"');
      return new LogSentinelError('UNAUTHENTICATED', `cannot ${access.action}: ${why}`);
    };
    if (cred === undefined) {
      if (need === 'optional') {
        req.auth = { principal: NOBODY, via: 'none', tenants: [] };
        return;
      }
      throw unauthenticated(NO_CREDENTIALS);
    }
    const ok = cred.type === 'malformed' ? undefined : await check(svc, cred, req);
    if (!ok) {
      if (need === 'optional') {
        req.auth = { principal: NOBODY, via: 'none', tenants: [] };
        return;
      }
      throw unauthenticated('invalid credentials');
    }
    if (ok.via === 'session') {
      if (!SAFE_METHODS.has(req.method) && !safeEqual(String(req.headers['x-csrf-token'] ?? ''), ok.csrfToken ?? '')) {
        throw new LogSentinelError('FORBIDDEN', `cannot ${access.action}: the X-CSRF-Token header is missing or wrong (a session cookie needs the token its login answered)`);
      }
      if (req.headers.upgrade !== undefined && !sameOrigin(req)) {
        throw new LogSentinelError('FORBIDDEN', `cannot ${access.action}: a session cookie is not accepted from another origin`);
      }
    }
    if (need !== 'optional' && !hasScope(ok.principal.scopes, need)) {
      throw new LogSentinelError('FORBIDDEN', `cannot ${access.action}: the credential ${ok.principal.name} lacks scope ${need}`);
    }
    req.auth = { principal: ok.principal, via: ok.via, tenants: tenantsFor(req, access, ok.principal, ok.hint), ...(ok.csrfToken !== undefined ? { csrfToken: ok.csrfToken } : {}) };
  };
}

/**
 * What the resolver decided for a request. A route group mounted without `buildServer` (a unit
 * test of one group) has no resolver and no authentication configured: it gets the open
 * behaviour, exactly as with `auth.enabled=false`.
 */
function authOf(req: FastifyRequest): RequestAuth {
  if (req.auth) return req.auth;
  const access = routeAccess(req.method, req.routeOptions.url ?? '');
  if (access === undefined) throw bug(`route ${req.method} ${req.routeOptions.url} has no entry in src/api/route-scopes.ts`);
  return (req.auth = { principal: OPEN, via: 'disabled', tenants: tenantsFor(req, access, OPEN) });
}

/** The one tenant a push or a rules request acts on (resolved and allowed before the route ran). */
export function requestTenant(req: FastifyRequest): string {
  const t = authOf(req).tenants[0];
  if (t === undefined) throw bug(`route ${req.method} ${req.routeOptions.url} reads a tenant but its route-scopes entry resolves none`);
  return t;
}

/** The tenants a read covers (`a|b` = both; resolved and allowed before the route ran). */
export function requestTenants(req: FastifyRequest): string[] {
  const ts = authOf(req).tenants;
  if (ts.length === 0) throw bug(`route ${req.method} ${req.routeOptions.url} reads tenants but its route-scopes entry resolves none`);
  return ts;
}
