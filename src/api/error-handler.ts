/**
 * The only place errors become HTTP responses. Loki's routes answer errors as plain text (as Loki
 * does, and as Grafana and logcli expect); LogSentinel's own JSON APIs answer
 * `{"status":"error","errorType":...,"error":...}`, except the auth API (`/api/v1/auth/*`) and
 * every 401/403 of a JSON API, which answer `{"error": <code>, "message": ...}`
 * (docs/specs/auth.md). The OTLP and Elasticsearch routes have their own handlers.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { LogSentinelError } from '../errors.js';

function jsonStyle(url: string): boolean {
  return url.startsWith('/logs/') || url.startsWith('/api/');
}

export function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  let status = 500;
  let code = 'INTERNAL';
  let message = 'internal error';
  if (err instanceof LogSentinelError) {
    status = err.status;
    code = err.code;
    message = err.message;
    if (err.retryAfter !== undefined) reply.header('Retry-After', String(err.retryAfter));
  } else if (isFastifyError(err)) {
    status = err.statusCode ?? 500;
    code = err.code;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = `cannot read request body: it is larger than the limit of ${req.routeOptions.bodyLimit ?? '?'} bytes`;
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = `cannot read request body: unsupported content type ${JSON.stringify(req.headers['content-type'] ?? '')}`;
    else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') message = 'cannot read request body: body is empty';
    else if (status < 500) message = err.message;
  }
  if (status >= 500) req.log.error({ err }, 'request failed');
  else req.log.debug({ err: message, status }, 'request rejected');
  if (status >= 500 && !(err instanceof LogSentinelError)) message = `internal error (request id ${req.id})`;
  if (jsonStyle(req.url) && (req.url.startsWith('/api/v1/auth/') || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN')) {
    return reply.status(status).send({ error: code.toLowerCase(), message });
  }
  if (jsonStyle(req.url)) {
    return reply.status(status).send({ status: 'error', errorType: code.toLowerCase(), error: message });
  }
  return reply.status(status).type('text/plain; charset=utf-8').send(message + '\n');
}

function isFastifyError(err: unknown): err is FastifyError {
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'string' && 'statusCode' in err;
}
