/**
 * Saved queries, shared per tenant (src/saved-queries, docs/ui.md "Saved queries"):
 *
 * - `GET /api/v1/saved-queries` → `{"savedQueries": [SavedQuery]}`, the tenant's, by name.
 * - `GET /api/v1/saved-queries/:id` → `SavedQuery`.
 * - `POST /api/v1/saved-queries` `{"name", "query", "description"?, "range"?: {"from", "to"}}` → 201 `SavedQuery`.
 * - `PUT /api/v1/saved-queries/:id` the same body, replacing the whole (absent description and
 *   range are cleared); `PATCH` any of its fields (`"range": null` clears it) → 200 `SavedQuery`.
 * - `DELETE /api/v1/saved-queries/:id` → 204.
 *
 * `SavedQuery` = `{"id", "tenant", "name", "query", "description", "range": {"from", "to"} | null,
 * "createdAt", "createdBy", "updatedAt", "updatedBy"}` (times RFC 3339; the authors are user or
 * token names, null without authentication). The tenant is the request's one tenant
 * (`X-Scope-OrgID`, else the credential's default), resolved and checked by auth-resolver.ts
 * with the scopes of route-scopes.ts: logs:read to read, rules:write to change. Errors: 400 for
 * a bad body (naming the field, or the LogQL parse error), 404 for an id the tenant does not
 * have, 409 `conflict` for a name the tenant has, 409 `limit_reached` past
 * `savedQueries.maxPerTenant`, 413 past 64 KiB of body.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { requestTenant } from '../auth-resolver.js';
import { LogSentinelError } from '../../errors.js';
import { MAX_BODY_BYTES, parseSavedQueryInput, parseSavedQueryPatch, savedQueryJson, type SavedQuery } from '../../saved-queries/saved-query.js';
import type { SavedQueryStore } from '../../saved-queries/saved-query-store.js';

/** Who asks, for `createdBy`/`updatedBy`: nobody when authentication is off. */
function author(req: FastifyRequest): string | undefined {
  const a = req.auth;
  return !a || a.via === 'disabled' || a.principal.kind === 'anonymous' ? undefined : a.principal.name;
}

function notFound(verb: string, id: string, tenant: string): LogSentinelError {
  return new LogSentinelError('NOT_FOUND', `cannot ${verb} saved query ${JSON.stringify(id)}: tenant ${tenant} has no saved query with that id`);
}

export async function savedQueriesRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const store = (): SavedQueryStore => {
    if (ctx.savedQueries) return ctx.savedQueries;
    if (!ctx.ready()) throw new LogSentinelError('NOT_READY', 'cannot use saved queries: their store is still opening', { retryAfter: 1 });
    throw new LogSentinelError('NOT_IMPLEMENTED', 'cannot use saved queries: this process has no saved queries store');
  };
  const idOf = (req: FastifyRequest): string => (req.params as { id: string }).id;

  app.get('/api/v1/saved-queries', async (req) => {
    const list = await store().list(requestTenant(req));
    return { savedQueries: list.map(savedQueryJson) };
  });

  app.get('/api/v1/saved-queries/:id', async (req) => {
    const tenant = requestTenant(req);
    const q = await store().get(tenant, idOf(req));
    if (!q) throw notFound('read', idOf(req), tenant);
    return savedQueryJson(q);
  });

  app.post('/api/v1/saved-queries', { bodyLimit: MAX_BODY_BYTES }, async (req, reply) => {
    const tenant = requestTenant(req);
    const input = parseSavedQueryInput(req.body, 'save query');
    const now = Date.now();
    const by = author(req);
    const q: SavedQuery = { id: randomUUID(), tenant, name: input.name, query: input.query, description: input.description, createdAt: now, updatedAt: now };
    if (input.range) q.range = input.range;
    if (by !== undefined) {
      q.createdBy = by;
      q.updatedBy = by;
    }
    await store().create(q, ctx.config.savedQueries.maxPerTenant);
    return reply.status(201).send(savedQueryJson(q));
  });

  const update = (whole: boolean) => async (req: FastifyRequest) => {
    const tenant = requestTenant(req);
    const id = idOf(req);
    const patch = whole ? parseSavedQueryInput(req.body, `replace saved query ${JSON.stringify(id)}`) : parseSavedQueryPatch(req.body, `change saved query ${JSON.stringify(id)}`);
    const q = await store().update(tenant, id, patch, Date.now(), author(req));
    if (!q) throw notFound('change', id, tenant);
    return savedQueryJson(q);
  };
  app.put('/api/v1/saved-queries/:id', { bodyLimit: MAX_BODY_BYTES }, update(true));
  app.patch('/api/v1/saved-queries/:id', { bodyLimit: MAX_BODY_BYTES }, update(false));

  app.delete('/api/v1/saved-queries/:id', async (req, reply) => {
    const tenant = requestTenant(req);
    if (!(await store().delete(tenant, idOf(req)))) throw notFound('delete', idOf(req), tenant);
    return reply.status(204).send();
  });
}
