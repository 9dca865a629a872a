/**
 * Push routes: Loki push (JSON, gzip, protobuf+snappy) and JSON lines. Bodies arrive as raw
 * buffers; each protocol's decoder turns them into one WriteBatch plus per-entry rejections.
 * Valid entries are committed even when others in the same request are rejected (Loki's rule);
 * the answer is 204, or 400 naming what was rejected.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Queue } from '../../queue/queue.js';
import { requestTenant } from '../auth-resolver.js';
import type { DecodeJob, DecodeJobBase } from '../../ingest/offload/decode-job.js';
import { decodePush } from '../decode.js';
import { admitPush as admitLoad, admitUploads } from '../push-admission.js';
import { formatRejections, type DecodeResult } from '../../ingest/common/validate.js';
import { admitPush, pushOptions, streamLimited } from '../../limits/index.js';
import { LogSentinelError } from '../../errors.js';
import { nowNs } from '../../query/time.js';
import { rawBody, useRawBodies } from '../raw-body.js';

/**
 * The queue pushes go to. Absent only while the server starts (it listens before the queue is
 * open): a 503 with Retry-After, so clients retry, as for queries before the store is open.
 */
export function queueOf(ctx: AppContext, what: string): Queue {
  if (ctx.queue) return ctx.queue;
  if (!ctx.ready()) throw new LogSentinelError('NOT_READY', `cannot accept ${what}: the ingest queue is still opening`, { retryAfter: 1 });
  throw new LogSentinelError('NOT_FOUND', `cannot accept ${what}: this role does not ingest`);
}

export async function pushRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Push bodies stay raw (gzip and deflate undone while streaming): the decoders handle every content type.
  useRawBodies(app, ctx, 'push request');
  // While pushes would wait too long, refuse before reading the body (push-admission.ts).
  admitUploads(app, ctx);

  const handle = async (req: FastifyRequest, reply: FastifyReply, protocol: string, job: (base: DecodeJobBase) => DecodeJob): Promise<FastifyReply> => {
    const started = process.hrtime.bigint();
    const queue = queueOf(ctx, 'push');
    const tenant = requestTenant(req);
    const body = rawBody(req);
    ctx.metrics.bytesReceived.inc({ protocol }, body.wireBytes);
    // Refused here (429) when it would wait too long: before the costly decoding and queueing.
    const ticket = admitLoad(ctx, body.data.length, reply.elapsedTime);
    let res: DecodeResult;
    try {
      const { limits, grouper } = pushOptions(ctx, tenant);
      const base = { contentEncoding: body.contentEncoding, tenant, limits, nowNs: nowNs(), countBytes: grouper.countBytes };
      res = await decodePush(ctx, job(base), body.data, grouper.admitStream);
      // Refusals counted by reason; over the tenant's rate nothing is appended (429).
      admitPush(ctx, tenant, protocol, res);
      if (res.accepted > 0) {
        await queue.append(res.batch);
        ctx.metrics.logsReceived.inc({ tenant, protocol }, res.accepted);
        ctx.metrics.processingLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      }
      ticket.done();
    } finally {
      ticket.done(false);
    }
    if (res.rejected.length > 0) {
      // Loki's answer: the valid entries were kept; the body says what was refused and why —
      // 429 when streams were refused for the active stream limit (as Loki's ingesters answer).
      return reply.status(streamLimited(res) ? 429 : 400).type('text/plain; charset=utf-8').send(formatRejections(res.rejected) + '\n');
    }
    return reply.status(204).send();
  };

  const lokiPush = (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    handle(req, reply, 'loki', (base) => ({ ...base, kind: 'loki', contentType: req.headers['content-type'] }));
  app.post('/loki/api/v1/push', lokiPush);
  app.post('/api/prom/push', lokiPush);

  app.post('/api/v1/push/jsonlines', (req, reply) =>
    handle(req, reply, 'jsonlines', (base) => {
      const q = req.query as Record<string, string | undefined>;
      const fields = q._stream_fields ?? (req.headers['vl-stream-fields'] as string | undefined);
      return { ...base, kind: 'jsonlines', streamFields: fields ? fields.split(',').map((s) => s.trim()).filter(Boolean) : undefined };
    }),
  );
}
