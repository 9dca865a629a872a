/**
 * The demo API's HTTP server: request ids, metrics and access logs for every request, the one
 * error handler, and the routes under routes/. `createApp` does not listen; service.ts does.
 *
 * Every request gets an id: a well-formed incoming `X-Request-Id` is kept (so a caller's id
 * follows the request into the logs), anything else is replaced by a fresh UUID. The id is echoed
 * in the `X-Request-Id` response header and is the `request_id` field of every log line written
 * while serving the request.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { DemoError, ERROR_CATALOGUE } from './errors.js';
import { createMetrics, type AppMetrics } from './metrics.js';
import type { Random } from './users.js';
import { registerEchoRoute } from './routes/echo.js';
import { registerErrorRoute } from './routes/error.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerUsersRoute } from './routes/users.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** The endpoint label of requests that match no route, so probes for random paths add one series. */
export const UNMATCHED_ENDPOINT = 'unmatched';

// Probes and scrapes arrive every few seconds; their access lines are debug so they do not
// drown the traffic the demo is about.
const QUIET_ENDPOINTS: ReadonlySet<string> = new Set(['/health/liveness', '/health/readiness', '/metrics']);

// UUIDs, ULIDs, W3C trace ids and the like; anything else could forge log content or explode
// line sizes, so it is replaced.
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AppDeps {
  logger: FastifyBaseLogger;
  /** Default: a fresh registry with the four demo metrics. */
  metrics?: AppMetrics;
  /** Decides latency and failures of GET /api/users. Default: `Math.random`. */
  random?: Random;
  /** Waits out simulated latency. Default: a timer. Tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

/** What routes need from the app; `isReady()` turns false when shutdown begins. */
export interface RouteDeps {
  metrics: AppMetrics;
  random: Random;
  sleep: (ms: number) => Promise<void>;
  isReady: () => boolean;
}

export function createApp(deps: AppDeps): FastifyInstance {
  const metrics = deps.metrics ?? createMetrics();
  let ready = true;
  const app = Fastify({
    loggerInstance: deps.logger,
    // Fastify's own "incoming request" / "request completed" pair is replaced by one access line
    // (below) that carries the route pattern and status.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    requestIdHeader: false,
    genReqId: requestIdOf,
    return503OnClosing: true,
  });
  const routeDeps: RouteDeps = {
    metrics,
    random: deps.random ?? Math.random,
    sleep: deps.sleep ?? ((ms) => delay(ms)),
    isReady: () => ready,
  };

  // Fastify's default parsers also take text/plain; POST /api/echo answers JSON only.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    metrics.active.inc();
    // 'close' fires once for every response, finished or aborted; onResponse skips aborted ones.
    reply.raw.once('close', () => metrics.active.dec());
  });

  app.addHook('onResponse', async (request, reply) => {
    const endpoint = endpointOf(request);
    const method = request.method;
    const status = reply.statusCode;
    metrics.requests.inc({ endpoint, method, http_status: String(status) });
    metrics.latency.observe({ endpoint, method }, reply.elapsedTime / 1000);
    const line = { method, url: request.url, endpoint, status, duration_ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (QUIET_ENDPOINTS.has(endpoint)) request.log.debug(line, 'request completed');
    else request.log.info(line, 'request completed');
  });

  app.addHook('preClose', async () => {
    ready = false;
  });

  // server.close() waits for every connection to end, and a request that was in flight when
  // shutdown began would otherwise leave its kept-alive connection open until the idle timeout
  // (72 s in Fastify). Announcing the close makes Node end the connection after the response.
  app.addHook('onSend', async (_request, reply) => {
    if (!ready) reply.header('connection', 'close');
  });

  app.setErrorHandler((err: FastifyError | DemoError, request, reply) => sendError(toDemoError(err), err, request, reply, metrics));
  app.setNotFoundHandler((request, reply) =>
    sendError(new DemoError('not_found', { message: `cannot find route ${request.method} ${request.url.split('?')[0]}` }), undefined, request, reply, metrics),
  );

  registerUsersRoute(app, routeDeps);
  registerEchoRoute(app);
  registerErrorRoute(app);
  registerHealthRoutes(app, routeDeps);
  registerMetricsRoute(app, routeDeps);
  return app;
}

/** The request id for a raw request: its own `X-Request-Id` when well-formed, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const h = req.headers[REQUEST_ID_HEADER];
  return typeof h === 'string' && REQUEST_ID_RE.test(h) ? h : randomUUID();
}

/** The route pattern (`/api/users`), never the raw path, so the label stays bounded. */
function endpointOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ENDPOINT;
}

function toDemoError(err: FastifyError | DemoError): DemoError {
  if (err instanceof DemoError) return err;
  // Fastify's own 4xx: invalid JSON, unsupported media type, body too large.
  const status = err.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new DemoError('invalid_request', { message: `cannot parse request: ${err.message}`, status, cause: err });
  }
  return new DemoError('internal_error', { cause: err });
}

function sendError(e: DemoError, original: Error | undefined, request: FastifyRequest, reply: FastifyReply, metrics: AppMetrics): FastifyReply {
  metrics.errors.inc({ error_type: e.code, endpoint: endpointOf(request) });
  const fields: Record<string, unknown> = { error_type: e.code, status: e.status };
  // Only a bug's stack is worth the space; simulated and client errors explain themselves.
  if (e.code === 'internal_error' && original !== undefined) fields.err = original;
  request.log[ERROR_CATALOGUE[e.code].level](fields, e.message);
  return reply.status(e.status).send({ error: e.code, message: e.message, request_id: request.id });
}
