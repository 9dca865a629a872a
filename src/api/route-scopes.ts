/**
 * Which credential every route needs: one literal table, keyed `METHOD /route/pattern` exactly as
 * the routes are registered (docs/specs/auth.md, "Routes and scopes"). The resolver
 * (auth-resolver.ts) reads it before any route runs; a route missing from it stops the server
 * from building (`checkRouteTable`), so no route can be added without deciding its scope.
 * HEAD uses its GET entry; OPTIONS (CORS preflight) carries no credentials and is public.
 *
 * `need`:   a scope; `public` (no credential is read: health, the UI's files); `optional` (read
 *           when present: me, logout); `login`; `metrics` (public unless `auth.openMetrics` is
 *           false, then admin); `es-root` (`GET /`: the UI for browsers, else Elasticsearch's
 *           handshake, scope logs:write).
 * `tenant`: which tenants the request acts on, checked against the credential's set: `read`
 *           (`X-Scope-OrgID`, `a|b` allowed), `tail` (also the `orgId` parameter), `write` (one
 *           tenant, never a reserved one), `rules` and `saved-queries` (one tenant, never a
 *           reserved one), `none`.
 * `action`: `<verb> <what>` for messages (`cannot push logs: ...`).
 * `changes`: state-changing; such requests refuse "simple" content types (415) and, under a
 *           session cookie, need the CSRF token — the resolver also asks it of any non-GET.
 */
import type { Scope } from '../auth/scopes.js';
import { bug } from '../errors.js';

export type TenantUse = 'none' | 'read' | 'tail' | 'write' | 'rules' | 'saved-queries';

export interface RouteAccess {
  need: Scope | 'public' | 'optional' | 'login' | 'metrics' | 'es-root';
  tenant: TenantUse;
  action: string;
  changes: boolean;
}

const PUBLIC: RouteAccess = { need: 'public', tenant: 'none', action: 'read this page', changes: false };
const METRICS: RouteAccess = { need: 'metrics', tenant: 'none', action: 'read metrics', changes: false };
const ES_ROOT: RouteAccess = { need: 'es-root', tenant: 'none', action: 'use the Elasticsearch API', changes: false };
const PUSH: RouteAccess = { need: 'logs:write', tenant: 'write', action: 'push logs', changes: true };
const ES_PROBE: RouteAccess = { need: 'logs:write', tenant: 'none', action: 'use the Elasticsearch API', changes: false };
const ES_SETUP: RouteAccess = { need: 'logs:write', tenant: 'none', action: 'use the Elasticsearch API', changes: true };
const QUERY: RouteAccess = { need: 'logs:read', tenant: 'read', action: 'query logs', changes: false };
const TAIL: RouteAccess = { need: 'logs:read', tenant: 'tail', action: 'tail logs', changes: false };
const BUILDINFO: RouteAccess = { need: 'logs:read', tenant: 'none', action: 'read build information', changes: false };
const RULES_READ: RouteAccess = { need: 'rules:read', tenant: 'rules', action: 'read rules', changes: false };
const PROM_READ: RouteAccess = { need: 'rules:read', tenant: 'read', action: 'read rules and alerts', changes: false };
const RULES_WRITE: RouteAccess = { need: 'rules:write', tenant: 'rules', action: 'change rules', changes: true };
// Saved queries (docs/ui.md): reading them is reading the tenant; changing what every reader of
// the tenant is offered is editing shared LogQL, as rules are, so it needs rules:write.
const SAVED_READ: RouteAccess = { need: 'logs:read', tenant: 'saved-queries', action: 'read saved queries', changes: false };
const SAVED_WRITE: RouteAccess = { need: 'rules:write', tenant: 'saved-queries', action: 'change saved queries', changes: true };
const USERS_READ: RouteAccess = { need: 'admin', tenant: 'none', action: 'list users', changes: false };
const USERS_WRITE: RouteAccess = { need: 'admin', tenant: 'none', action: 'manage users', changes: true };
const TOKENS_READ: RouteAccess = { need: 'admin', tenant: 'none', action: 'list tokens', changes: false };
const TOKENS_WRITE: RouteAccess = { need: 'admin', tenant: 'none', action: 'manage tokens', changes: true };
const BACKUP_START: RouteAccess = { need: 'admin', tenant: 'none', action: 'start a backup', changes: true };
const BACKUP_STATUS: RouteAccess = { need: 'admin', tenant: 'none', action: 'show the backup state', changes: false };
const LOGIN: RouteAccess = { need: 'login', tenant: 'none', action: 'log in', changes: true };
const LOGOUT: RouteAccess = { need: 'optional', tenant: 'none', action: 'log out', changes: true };
const ME: RouteAccess = { need: 'optional', tenant: 'none', action: 'show who is logged in', changes: false };

export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  // operations
  'GET /metrics': METRICS,
  'GET /health/liveness': PUBLIC,
  'GET /health/readiness': PUBLIC,
  'GET /ready': PUBLIC,
  // the web UI's files and pages (they hold no data; the APIs they call are checked)
  'GET /': ES_ROOT,
  'GET /assets/*': PUBLIC,
  'GET /explore': PUBLIC,
  'GET /explore/*': PUBLIC,
  'GET /tail': PUBLIC,
  'GET /tail/*': PUBLIC,
  'GET /alerts': PUBLIC,
  'GET /alerts/*': PUBLIC,
  'GET /overview': PUBLIC,
  'GET /overview/*': PUBLIC,
  'GET /login': PUBLIC,
  'GET /login/*': PUBLIC,
  'GET /admin': PUBLIC,
  'GET /admin/*': PUBLIC,
  // push, every protocol
  'POST /loki/api/v1/push': PUSH,
  'POST /api/prom/push': PUSH,
  'POST /api/v1/push/jsonlines': PUSH,
  'POST /otlp/v1/logs': PUSH,
  'POST /v1/logs': PUSH,
  'POST /_bulk': PUSH,
  'PUT /_bulk': PUSH,
  'POST /:index/_bulk': PUSH,
  'PUT /:index/_bulk': PUSH,
  // what Elasticsearch shippers probe and set up before they send
  'GET /_license': ES_PROBE,
  'GET /_xpack': ES_PROBE,
  'GET /_cluster/health': ES_PROBE,
  'GET /_cluster/health/:index': ES_PROBE,
  'GET /_nodes': ES_PROBE,
  'GET /_nodes/*': ES_PROBE,
  'GET /_index_template': ES_PROBE,
  'GET /_index_template/:name': ES_PROBE,
  'HEAD /_index_template/:name': ES_PROBE,
  'PUT /_index_template/:name': ES_SETUP,
  'POST /_index_template/:name': ES_SETUP,
  'GET /_template/:name': ES_PROBE,
  'HEAD /_template/:name': ES_PROBE,
  'PUT /_template/:name': ES_SETUP,
  'POST /_template/:name': ES_SETUP,
  'GET /_ilm/policy': ES_PROBE,
  'GET /_ilm/policy/:name': ES_PROBE,
  'PUT /_ilm/policy/:name': ES_SETUP,
  // queries (POST is a query with a form body: it reads)
  'GET /loki/api/v1/query': QUERY,
  'POST /loki/api/v1/query': QUERY,
  'GET /loki/api/v1/query_range': QUERY,
  'POST /loki/api/v1/query_range': QUERY,
  'GET /loki/api/v1/labels': QUERY,
  'POST /loki/api/v1/labels': QUERY,
  'GET /loki/api/v1/label': QUERY,
  'POST /loki/api/v1/label': QUERY,
  'GET /loki/api/v1/label/:name/values': QUERY,
  'POST /loki/api/v1/label/:name/values': QUERY,
  'GET /loki/api/v1/series': QUERY,
  'POST /loki/api/v1/series': QUERY,
  'GET /loki/api/v1/index/stats': QUERY,
  'POST /loki/api/v1/index/stats': QUERY,
  'GET /loki/api/v1/index/volume': QUERY,
  'POST /loki/api/v1/index/volume': QUERY,
  'GET /loki/api/v1/index/volume_range': QUERY,
  'POST /loki/api/v1/index/volume_range': QUERY,
  'GET /loki/api/v1/patterns': QUERY,
  'POST /loki/api/v1/patterns': QUERY,
  'GET /loki/api/v1/status/buildinfo': BUILDINFO,
  // what Grafana's Loki data source and Logs Drilldown call (docs/grafana.md)
  'GET /loki/api/v1/detected_labels': QUERY,
  'POST /loki/api/v1/detected_labels': QUERY,
  'GET /loki/api/v1/detected_fields': QUERY,
  'POST /loki/api/v1/detected_fields': QUERY,
  'GET /loki/api/v1/detected_field/:name/values': QUERY,
  'POST /loki/api/v1/detected_field/:name/values': QUERY,
  'GET /loki/api/v1/drilldown-limits': { need: 'logs:read', tenant: 'read', action: 'read query limits', changes: false },
  'GET /loki/api/v1/format_query': { need: 'logs:read', tenant: 'none', action: 'format a query', changes: false },
  'POST /loki/api/v1/format_query': { need: 'logs:read', tenant: 'none', action: 'format a query', changes: false },
  'GET /loki/api/v1/tail': TAIL,
  'POST /logs/query': QUERY,
  'GET /api/v1/overview': QUERY,
  // backups of the embedded store (src/backup, docs/operations.md)
  'POST /api/v1/admin/backup': BACKUP_START,
  'GET /api/v1/admin/backup': BACKUP_STATUS,
  // rules and alerts
  'GET /prometheus/api/v1/rules': PROM_READ,
  'GET /prometheus/api/v1/alerts': PROM_READ,
  'GET /prometheus/api/v1/query': PROM_READ,
  'POST /prometheus/api/v1/query': PROM_READ,
  'GET /loki/api/v1/rules': RULES_READ,
  'GET /loki/api/v1/rules/:namespace': RULES_READ,
  'GET /loki/api/v1/rules/:namespace/:group': RULES_READ,
  'POST /loki/api/v1/rules/:namespace': RULES_WRITE,
  'DELETE /loki/api/v1/rules/:namespace': RULES_WRITE,
  'DELETE /loki/api/v1/rules/:namespace/:group': RULES_WRITE,
  'GET /api/prom/rules': RULES_READ,
  'GET /api/prom/rules/:namespace': RULES_READ,
  'GET /api/prom/rules/:namespace/:group': RULES_READ,
  'POST /api/prom/rules/:namespace': RULES_WRITE,
  'DELETE /api/prom/rules/:namespace': RULES_WRITE,
  'DELETE /api/prom/rules/:namespace/:group': RULES_WRITE,
  // saved queries, shared per tenant (src/saved-queries)
  'GET /api/v1/saved-queries': SAVED_READ,
  'GET /api/v1/saved-queries/:id': SAVED_READ,
  'POST /api/v1/saved-queries': SAVED_WRITE,
  'PUT /api/v1/saved-queries/:id': SAVED_WRITE,
  'PATCH /api/v1/saved-queries/:id': SAVED_WRITE,
  'DELETE /api/v1/saved-queries/:id': SAVED_WRITE,
  // users, tokens, sessions
  'POST /api/v1/auth/login': LOGIN,
  'POST /api/v1/auth/logout': LOGOUT,
  'GET /api/v1/auth/me': ME,
  'GET /api/v1/auth/users': USERS_READ,
  'POST /api/v1/auth/users': USERS_WRITE,
  'PATCH /api/v1/auth/users/:name': USERS_WRITE,
  'DELETE /api/v1/auth/users/:name': USERS_WRITE,
  'GET /api/v1/auth/tokens': TOKENS_READ,
  'POST /api/v1/auth/tokens': TOKENS_WRITE,
  'DELETE /api/v1/auth/tokens/:id': TOKENS_WRITE,
};

/** The entry of a registered route (`url` its pattern), or undefined when the table lacks it. */
export function routeAccess(method: string, url: string): RouteAccess | undefined {
  if (method === 'OPTIONS') return PUBLIC;
  return ROUTE_ACCESS[`${method} ${url}`] ?? (method === 'HEAD' ? ROUTE_ACCESS[`GET ${url}`] : undefined);
}

/** Throws a BUG naming every registered route the table lacks. */
export function checkRouteTable(routes: ReadonlyArray<{ method: string; url: string }>): void {
  const missing = routes.filter((r) => routeAccess(r.method, r.url) === undefined).map((r) => `${r.method} ${r.url}`);
  if (missing.length > 0) throw bug(`routes without an entry in src/api/route-scopes.ts: ${[...new Set(missing)].join(', ')}`);
}
