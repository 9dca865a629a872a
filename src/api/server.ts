/**
 * The HTTP server factory: Fastify with request ids, metrics hooks, one error handler, and the
 * route groups of the modules a role runs.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AppContext } from './context.js';
import { sendError } from './error-handler.js';
import { pushRoutes } from './routes/push.js';
import { elasticsearchRoutes } from './routes/elasticsearch.js';
import { otlpRoutes } from './routes/otlp.js';
import { queryRoutes } from './routes/query.js';
import { searchRoutes } from './routes/search.js';
import { opsRoutes } from './routes/ops.js';
import { rulesRoutes } from './routes/rules.js';
import { tailRoutes } from './routes/tail.js';
import { detectedRoutes } from './routes/detected.js';
import { drilldownLimitsRoutes } from './routes/drilldown-limits.js';
import { formatQueryRoutes } from './routes/format-query.js';
import { overviewRoutes } from './routes/overview.js';
import { patternsRoutes } from './routes/patterns.js';
import { uiRoutes } from './routes/ui.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { savedQueriesRoutes } from './routes/saved-queries.js';
import { authResolver, type RequestAuth } from './auth-resolver.js';
import { checkRouteTable } from './route-scopes.js';
import { securityHeaders } from './security-headers.js';
import type { CertificatePair } from '../config/certificates.js';
import type { Alerting } from '../alerting/index.js';
import { connectionLimits } from './connection-limits.js';
import { DecodePool } from '../ingest/offload/decode-pool.js';
import { closePushAdmission } from './push-admission.js';

export interface ServerOptions {
  ingest: boolean;
  query: boolean;
  /** Serve the rules and alerts APIs; the getter answers once the alerting module has started. */
  rules?: () => Alerting | undefined;
  /** Serve HTTPS with this pair (server.tls.*; renewed later through `app.server.setSecureContext`). */
  https?: CertificatePair;
}

function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export async function buildServer(ctx: AppContext, opts: ServerOptions): Promise<FastifyInstance> {
  // Connection caps, header/body/idle timeouts and the minimum body rate (connection-limits.ts).
  const connections = connectionLimits(ctx);
  const app = Fastify({
    ...connections.serverOptions,
    loggerInstance: ctx.logger,
    // Per-request logs are written by the onResponse hook below, at debug level.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: ctx.config.server.maxRequestBytes,
    routerOptions: { ignoreTrailingSlash: true },
    ...(opts.https ? { https: { ...opts.https } } : {}),
  }) as unknown as FastifyInstance;
  connections.attach(app.server);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseForm(body as string));
  });

  const m = ctx.metrics;
  app.addHook('onRequest', async (req, reply) => {
    m.httpInFlight.inc();
    reply.header('X-Request-Id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    m.httpInFlight.dec();
    const route = req.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    m.httpRequests.inc({ method: req.method, route, status });
    m.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 400) m.httpErrors.inc({ method: req.method, route, status });
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request completed');
  });

  // Graceful close: Node's server.close() ends only the keep-alive connections idle at that moment;
  // one whose request was in flight would then stay open until its keep-alive timeout (72 s) and
  // hold the shutdown. While closing, every response says `Connection: close`, and connections
  // that went idle are closed every 100 ms until the server has closed.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    const reap = setInterval(() => app.server.closeIdleConnections(), 100);
    reap.unref();
    app.server.once('close', () => clearInterval(reap));
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('Connection', 'close');
    done(null, payload);
  });

  // Security headers and CORS first: a CORS preflight is answered before credentials are asked for.
  await securityHeaders(app, ctx.config);
  // Authentication and tenant authorization, before any route runs (docs/specs/auth.md); every
  // route must have an entry in route-scopes.ts, checked once all are registered.
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) routes.push({ method, url: r.url });
  });
  app.decorateRequest('auth', null as unknown as RequestAuth);
  app.addHook('onRequest', authResolver(ctx));

  app.setErrorHandler((err, req, reply) => sendError(req, reply, err));
  app.setNotFoundHandler((req, reply) => reply.status(404).type('text/plain').send(`404 page not found: ${req.method} ${req.url.split('?')[0]}\n`));

  if (opts.ingest) app.addHook('onClose', async () => closePushAdmission(ctx));
  if (opts.ingest && !ctx.decodePool && ctx.config.ingest.decodeWorkers > 0) {
    const pool = new DecodePool({ workers: ctx.config.ingest.decodeWorkers, inlineMaxBytes: ctx.config.ingest.decodeInlineMax });
    ctx.decodePool = pool;
    app.addHook('onClose', async () => {
      await pool.close();
      if (ctx.decodePool === pool) ctx.decodePool = undefined;
    });
  }
  await app.register(async (scope) => opsRoutes(scope, ctx));
  await app.register(async (scope) => adminRoutes(scope, ctx));
  await app.register(async (scope) => uiRoutes(scope, ctx, { ui: opts.query, elasticsearch: opts.ingest }));
  if (opts.ingest) await app.register(async (scope) => pushRoutes(scope, ctx));
  if (opts.ingest) await app.register(async (scope) => elasticsearchRoutes(scope, ctx));
  if (opts.ingest) await app.register(async (scope) => otlpRoutes(scope, ctx));
  if (opts.query) {
    await app.register(async (scope) => queryRoutes(scope, ctx));
    await app.register(async (scope) => searchRoutes(scope, ctx));
    await app.register(async (scope) => overviewRoutes(scope, ctx));
    // The Loki 3 endpoints Grafana's Loki data source and Logs Drilldown call (docs/grafana.md).
    await app.register(async (scope) => detectedRoutes(scope, ctx));
    await app.register(async (scope) => drilldownLimitsRoutes(scope, ctx));
    await app.register(async (scope) => formatQueryRoutes(scope, ctx));
    await app.register(async (scope) => patternsRoutes(scope, ctx));
    // Saved queries, shared per tenant (src/saved-queries); their store opens with the role's.
    await app.register(async (scope) => savedQueriesRoutes(scope, ctx));
    const hub = ctx.tailHub;
    if (hub) await app.register(async (scope) => tailRoutes(scope, ctx, hub));
  }
  const rules = opts.rules;
  if (rules) await app.register(async (scope) => rulesRoutes(scope, ctx, rules));
  await app.register(async (scope) => authRoutes(scope, ctx));
  checkRouteTable(routes);
  return app;
}
