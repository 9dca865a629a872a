/**
 * The HTTP server's connection limits, from `server.*`: Node's header, request and keep-alive
 * timeouts (checked every second, not Node's default 30 s), Fastify's client-error answer with
 * the closes counted, and the ConnectionGuard (caps, eviction, minimum body rate). server.ts
 * spreads `serverOptions` into Fastify's options and calls `attach` on the created server.
 */
import type { Socket } from 'node:net';
import type { Server } from 'node:http';
import type { AppContext } from './context.js';
import { ConnectionGuard, type ConnectionCloseReason } from './connection-guard.js';
import { ClosedConnectionsLog } from './closed-connections-log.js';
import { connectionCap, openFileLimit } from './fd-limit.js';

export interface ConnectionLimits {
  serverOptions: {
    keepAliveTimeout: number;
    requestTimeout: number;
    http: { headersTimeout: number; connectionsCheckingInterval: number };
    clientErrorHandler: (err: Error & { code?: string }, socket: Socket) => void;
  };
  guard: ConnectionGuard;
  attach(server: Server): void;
}

export function connectionLimits(ctx: AppContext): ConnectionLimits {
  const s = ctx.config.server;
  const log = new ClosedConnectionsLog(ctx.logger);
  const closed = (reason: ConnectionCloseReason): void => {
    ctx.metrics.httpConnectionsClosed.inc({ reason });
    log.record(reason);
  };
  const max = connectionCap(s.maxConnections, openFileLimit());
  const guard = new ConnectionGuard({ maxConnections: max, maxPerClient: s.maxConnectionsPerClient, minBodyRate: s.minBodyRate, onClose: closed });
  // Node answers its own timeouts through 'clientError' (ERR_HTTP_REQUEST_TIMEOUT); this is
  // Fastify's default handler plus the count, and plain text like the rest of the API.
  const clientErrorHandler = (err: Error & { code?: string }, socket: Socket): void => {
    // The client went away (reset, or closed before its request was complete): nothing to answer or count.
    if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || socket.destroyed) {
      socket.destroy();
      return;
    }
    let status = '400 Bad Request';
    let body = 'cannot parse request: malformed HTTP\n';
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      const headersDone = guard.hadRequest(socket);
      closed(headersDone ? 'request_timeout' : 'headers_timeout');
      status = '408 Request Timeout';
      body = headersDone
        ? `cannot read request: it took longer than ${s.requestTimeoutMs / 1000}s (server.requestTimeout)\n`
        : `cannot read request headers: they took longer than ${s.headersTimeoutMs / 1000}s (server.headersTimeout)\n`;
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      closed('bad_request');
      status = '431 Request Header Fields Too Large';
      body = 'cannot read request headers: they are too large\n';
    } else closed('bad_request');
    if (socket.writable) socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.destroy(err);
  };
  return {
    serverOptions: {
      keepAliveTimeout: s.keepAliveTimeoutMs,
      requestTimeout: s.requestTimeoutMs,
      // Node refuses a header timeout longer than the request timeout.
      http: { headersTimeout: s.requestTimeoutMs > 0 ? Math.min(s.headersTimeoutMs, s.requestTimeoutMs) : s.headersTimeoutMs, connectionsCheckingInterval: 1000 },
      clientErrorHandler,
    },
    guard,
    attach(server) {
      guard.attach(server);
      ctx.metrics.httpConnectionsOpen.set(0);
      // Sampled on scrape would need a source in createMetrics; a short timer is simpler and cheap.
      const t = setInterval(() => ctx.metrics.httpConnectionsOpen.set(guard.open()), 1000);
      t.unref();
      server.once('close', () => {
        clearInterval(t);
        log.flush();
      });
      ctx.logger.debug({ maxConnections: max, maxConnectionsPerClient: s.maxConnectionsPerClient }, 'connection limits');
    },
  };
}
