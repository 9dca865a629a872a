/**
 * OTLP/HTTP logs ingest: `POST /otlp/v1/logs` and `POST /v1/logs` (the collector's default path),
 * protobuf or JSON, optionally gzip-encoded. Spec: https://opentelemetry.io/docs/specs/otlp/#otlphttp
 *
 * OTLP prescribes its own answers, so this scope has its own error handler: every 4xx/5xx is a
 * `google.rpc.Status` in the request's encoding (JSON when the type is unknown), 429 and 503
 * carry `Retry-After`. A request whose records were partly refused by limits is a 200 with
 * `partial_success`; the valid records are kept (committed before the answer, as for Loki push).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { queueOf } from './push.js';
import { isRefusal } from '../error-handler.js';
import { requestTenant } from '../auth-resolver.js';
import { LogSentinelError } from '../../errors.js';
import { nowNs } from '../../query/time.js';
import { rawBody, useRawBodies } from '../raw-body.js';
import { formatRejections } from '../../ingest/common/validate.js';
import { admitPush, pushOptions, streamLimited } from '../../limits/index.js';
import type { OtlpFormat } from '../../ingest/otlp/decode.js';
import { decodePush } from '../decode.js';
import { admitPush as admitLoad, admitUploads } from '../push-admission.js';
import { parseResourceLabels } from '../../ingest/otlp/mapping.js';
import { DEFAULT_OTLP_LIMITS, type OtlpLimits } from '../../ingest/otlp/model.js';
import { OTLP_CONTENT_TYPES, exportLogsResponse, rpcCodeOf, statusBody } from '../../ingest/otlp/response.js';

const PROTOCOL = 'otlp';

/** The encoding to answer in: the request's, JSON when it names neither. */
function answerFormat(req: FastifyRequest): OtlpFormat {
  const ct = String(req.headers['content-type'] ?? '').toLowerCase();
  return ct.includes('protobuf') ? 'protobuf' : 'json';
}

function sendStatus(reply: FastifyReply, format: OtlpFormat, httpStatus: number, message: string, retryAfter?: number): FastifyReply {
  return reply.status(httpStatus).type(OTLP_CONTENT_TYPES[format]).send(statusBody(format, rpcCodeOf(httpStatus), message, retryAfter));
}

function isFastifyError(err: unknown): err is FastifyError {
  return typeof err === 'object' && err !== null && 'statusCode' in err && typeof (err as { code?: unknown }).code === 'string';
}

export async function otlpRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const bodyLimit = ctx.config.server.maxRequestBytes;
  // Bodies stay raw (gzip undone while streaming): the decoder reads the content type itself (415 for others).
  useRawBodies(app, ctx, 'OTLP logs request');
  // While pushes would wait too long, refuse before reading the body (push-admission.ts).
  admitUploads(app, ctx);
  const oc = ctx.config.ingest.otlp;
  const resourceLabels = parseResourceLabels(oc.resourceLabels);
  const otlpLimits: OtlpLimits = { ...DEFAULT_OTLP_LIMITS, maxRecordsPerRequest: oc.maxRecordsPerRequest, maxAttributes: oc.maxAttributes, maxDepth: oc.maxDepth };

  app.setErrorHandler((err, req, reply) => {
    const format = answerFormat(req);
    let status = 500;
    let message = `internal error (request id ${req.id})`;
    let retryAfter: number | undefined;
    if (err instanceof LogSentinelError) {
      status = err.status;
      message = err.message;
      if (err.retryAfter !== undefined) reply.header('Retry-After', String(err.retryAfter));
      // Throttled: the Status carries RetryInfo too (the header is for plain HTTP clients).
      if (err.retryAfter !== undefined && (status === 429 || status === 503)) retryAfter = err.retryAfter;
    } else if (isFastifyError(err) && (err.statusCode ?? 500) < 500) {
      status = err.statusCode ?? 400;
      message =
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `cannot read OTLP logs request: body is larger than the limit of ${bodyLimit} bytes`
          : `cannot read OTLP logs request: ${err.message}`;
    }
    if (status >= 500 && !isRefusal(err)) req.log.error({ err }, 'OTLP request failed');
    else req.log.debug({ err: message, status }, 'OTLP request rejected');
    return sendStatus(reply, format, status, message, retryAfter);
  });

  const handle = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const started = process.hrtime.bigint();
    const queue = queueOf(ctx, 'OTLP logs');
    const tenant = requestTenant(req);
    const body = rawBody(req);
    ctx.metrics.bytesReceived.inc({ protocol: PROTOCOL }, body.wireBytes);
    const contentType = req.headers['content-type'];
    // Refused here (429 with RetryInfo) when it would wait too long: before decoding and queueing.
    const ticket = admitLoad(ctx, body.data.length, reply.elapsedTime);
    let res;
    try {
      const { limits, grouper } = pushOptions(ctx, tenant);
      const job = { kind: 'otlp', contentType, contentEncoding: body.contentEncoding, tenant, limits, nowNs: nowNs(), countBytes: grouper.countBytes, resourceLabels, otlpLimits } as const;
      res = await decodePush(ctx, job, body.data, grouper.admitStream);
      // Refusals counted by reason; over the tenant's rate nothing is appended (429).
      admitPush(ctx, tenant, PROTOCOL, res);
      if (res.accepted > 0) {
        await queue.append(res.batch);
        ctx.metrics.logsReceived.inc({ tenant, protocol: PROTOCOL }, res.accepted);
        ctx.metrics.processingLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      }
      ticket.done();
    } finally {
      ticket.done(false);
    }
    const format = answerFormat(req);
    const message = res.rejectedEntries > 0 ? formatRejections(res.rejected) : '';
    // Streams refused for the active stream limit: 429 RESOURCE_EXHAUSTED as Loki answers, so the
    // exporter retries (the entries it already delivered are not stored twice).
    if (streamLimited(res)) throw new LogSentinelError('RATE_LIMITED', message);
    return reply.status(200).type(OTLP_CONTENT_TYPES[format]).send(exportLogsResponse(format, res.rejectedEntries, message));
  };

  app.post('/otlp/v1/logs', handle);
  app.post('/v1/logs', handle);
}
