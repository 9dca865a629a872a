/**
 * Response headers that keep browsers from misusing LogSentinel's answers, on every route (the
 * UI's HTML and assets, the APIs, errors and 404s alike):
 *
 * - `Content-Security-Policy`: the built UI (dist/ui) loads one module script and one stylesheet
 *   from `/assets/`, styles elements only through the CSSOM (React's `style` prop, uPlot), fetches
 *   and opens the live-tail WebSocket on its own origin, and shows `data:` images (the favicon).
 *   So: everything from `'self'`, no inline script or style, no plugins, no framing, no `<base>`.
 *   Browsers apply it to HTML only; API clients ignore it.
 * - `X-Frame-Options: DENY` with `frame-ancestors 'none'` (clickjacking; the header for browsers
 *   that predate CSP 2), `X-Content-Type-Options: nosniff` (a pushed log line served as text is
 *   never run as a script), `Referrer-Policy: no-referrer` (a LogQL query in a URL never leaks to a
 *   link target).
 * - `Strict-Transport-Security` when the listener speaks TLS (server.tls.*), so browsers never try
 *   plain HTTP again (RFC 6797; sent over TLS only, as the RFC requires).
 *
 * CORS: off unless `server.cors.allowedOrigins` lists origins, so no route answers
 * `Access-Control-Allow-Origin` by default and browsers keep other sites' pages from reading
 * answers. Listed origins are served by @fastify/cors, with credentials (they are named exactly);
 * `*` allows any origin without credentials, as the Fetch standard requires of a wildcard.
 */
import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { Config } from '../config/load.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Request headers a browser page may send cross-origin (when CORS is on). */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Content-Encoding',
  'X-Scope-OrgID',
  'X-CSRF-Token',
  'X-Request-Id',
  'X-Loki-Response-Encoding-Flags',
  'X-Query-Tags',
];

/** Response headers such a page may read besides the safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'X-Elastic-Product'];

function hsts(cfg: Config): string | undefined {
  const tls = cfg.server.tls;
  if (tls.certFile === '' || tls.hstsMaxAgeMs <= 0) return undefined;
  return `max-age=${Math.floor(tls.hstsMaxAgeMs / 1000)}`;
}

/** Adds the headers above to every answer of `app`; registers CORS when configured. Call before the routes. */
export async function securityHeaders(app: FastifyInstance, cfg: Config): Promise<void> {
  const sts = hsts(cfg);
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    reply.header('X-Frame-Options', 'DENY');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    if (sts !== undefined) reply.header('Strict-Transport-Security', sts);
  });
  const origins = cfg.server.cors.allowedOrigins;
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const listed = new Set(origins);
  await app.register(cors, {
    // A function, so an origin not listed gets no CORS header at all (a list would still send
    // Access-Control-Allow-Credentials) and its preflight a 404.
    origin: any ? '*' : (origin, cb) => cb(null, origin !== undefined && listed.has(origin) ? origin : false),
    credentials: !any,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    // A preflight without Origin or Access-Control-Request-Method is not a preflight: 400.
    strictPreflight: true,
  });
}
