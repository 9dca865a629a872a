/**
 * The auth API (docs/specs/auth.md, "The UI's API"): login, logout and who-am-I for the UI, and
 * the admin API for users and tokens that the CLI and the UI's admin page use. The resolver has
 * authenticated the request and checked its scope before these handlers run (route-scopes.ts);
 * errors are JSON `{"error": <code>, "message": ...}` (error-handler.ts). With authentication
 * disabled, `me` answers `authEnabled: false` and the rest 404.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { LogSentinelError } from '../../errors.js';
import type { Principal } from '../../auth/credential.js';
import type { AuthService } from '../../auth/auth-service.js';
import { AuthAdmin, type Actor } from '../../auth/admin.js';
import { clearSessionCookie, sessionCookieValue, setSessionCookie } from '../../auth/sessions.js';
import { OPEN } from '../auth-resolver.js';

/** What `GET /api/v1/auth/me` and the login answer say about the caller. */
export interface Me {
  authEnabled: boolean;
  kind: Principal['kind'];
  name: string;
  scopes: readonly string[];
  tenants: readonly string[] | '*';
  defaultTenant: string;
  csrfToken?: string;
}

function me(authEnabled: boolean, p: Principal, csrfToken?: string): Me {
  return { authEnabled, kind: p.kind, name: p.name, scopes: p.scopes, tenants: p.tenants, defaultTenant: p.defaultTenant, ...(csrfToken !== undefined ? { csrfToken } : {}) };
}

function secure(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

function actor(req: FastifyRequest): Actor {
  return { principal: req.auth.principal, ip: req.ip };
}

export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const svc = ctx.auth;
  const admin = svc ? new AuthAdmin(svc) : undefined;
  const enabled = (what: string): { svc: AuthService; admin: AuthAdmin } => {
    if (!svc || !admin) throw new LogSentinelError('NOT_FOUND', `cannot ${what}: authentication is disabled (auth.enabled=false)`);
    return { svc, admin };
  };

  app.post('/api/v1/auth/login', async (req, reply) => {
    const { svc: s } = enabled('log in');
    const b = req.body as { username?: unknown; password?: unknown } | undefined;
    if (typeof b !== 'object' || b === null || typeof b.username !== 'string' || typeof b.password !== 'string') {
      throw new LogSentinelError('BAD_REQUEST', 'cannot log in: the body must be a JSON object with the strings username and password');
    }
    const { cookieValue, session, principal } = await s.login(b.username, b.password, req.ip);
    reply.header('Set-Cookie', setSessionCookie(cookieValue, secure(req)));
    reply.header('Cache-Control', 'no-store');
    return { user: me(true, principal, session.csrfToken), csrfToken: session.csrfToken };
  });

  app.post('/api/v1/auth/logout', async (req, reply) => {
    const cookie = sessionCookieValue(req.headers.cookie);
    if (svc && cookie !== undefined && req.auth.via === 'session') await svc.logout(cookie, req.ip);
    reply.header('Set-Cookie', clearSessionCookie(secure(req)));
    return reply.status(204).send();
  });

  app.get('/api/v1/auth/me', async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (!svc) return me(false, OPEN);
    if (req.auth.principal.kind === 'anonymous') {
      reply.header('WWW-Authenticate', 'Bearer realm="logsentinel"');
      throw new LogSentinelError('UNAUTHENTICATED', 'cannot show who is logged in: not logged in (or the session expired)');
    }
    return me(true, req.auth.principal, req.auth.csrfToken);
  });

  app.get('/api/v1/auth/users', async () => ({ users: await enabled('list users').admin.listUsers() }));
  app.post('/api/v1/auth/users', async (req, reply) => {
    const user = await enabled('create user').admin.createUser(req.body, actor(req));
    return reply.status(201).send({ user });
  });
  app.patch('/api/v1/auth/users/:name', async (req) => {
    const { name } = req.params as { name: string };
    return { user: await enabled('update user').admin.updateUser(name, req.body ?? {}, actor(req)) };
  });
  app.delete('/api/v1/auth/users/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    await enabled('delete user').admin.deleteUser(name, actor(req));
    return reply.status(204).send();
  });

  app.get('/api/v1/auth/tokens', async () => ({ tokens: await enabled('list tokens').admin.listTokens() }));
  app.post('/api/v1/auth/tokens', async (req, reply) => {
    const created = await enabled('create token').admin.createToken(req.body, actor(req));
    reply.header('Cache-Control', 'no-store');
    return reply.status(201).send(created);
  });
  app.delete('/api/v1/auth/tokens/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    await enabled('revoke token').admin.revokeToken(id, actor(req));
    return reply.status(204).send();
  });
}

