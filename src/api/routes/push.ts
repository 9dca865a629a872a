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
import { decodeLokiPush } from '../../ingest/loki-push.js';
import { decodeJsonLines } from '../../ingest/jsonlines.js';
import { formatRejections, type DecodeResult } from '../../ingest/common/validate.js';
import { LogSentinelError } from '../../errors.js';
import { nowNs } from '../../query/time.js';

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
  // Push bodies stay raw: the decoders handle compression and every content type themselves.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.config.server.maxRequestBytes }, (_req, body, done) => done(null, body));

  const handle = async (req: FastifyRequest, reply: FastifyReply, protocol: string, decode: (body: Buffer, tenant: string) => DecodeResult): Promise<FastifyReply> => {
    const started = process.hrtime.bigint();
    const queue = queueOf(ctx, 'push');
    const tenant = requestTenant(req);
    const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
    ctx.metrics.bytesReceived.inc({ protocol }, body.length);
    const res = decode(body, tenant);
    if (res.rejectedEntries > 0) ctx.metrics.logsRejected.inc({ tenant, protocol, reason: 'validation' }, res.rejectedEntries);
    if (res.accepted > 0) {
      await queue.append(res.batch);
      ctx.metrics.logsReceived.inc({ tenant, protocol }, res.accepted);
      ctx.metrics.processingLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
    if (res.rejected.length > 0) {
      // Loki's answer: the valid entries were kept; the body says what was refused and why.
      return reply.status(400).type('text/plain; charset=utf-8').send(formatRejections(res.rejected) + '\n');
    }
    return reply.status(204).send();
  };

  const lokiPush = (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    handle(req, reply, 'loki', (body, tenant) =>
      decodeLokiPush(body, req.headers['content-type'], req.headers['content-encoding'] as string | undefined, tenant, ctx.limits, nowNs()),
    );
  app.post('/loki/api/v1/push', lokiPush);
  app.post('/api/prom/push', lokiPush);

  app.post('/api/v1/push/jsonlines', (req, reply) =>
    handle(req, reply, 'jsonlines', (body, tenant) => {
      const q = req.query as Record<string, string | undefined>;
      const fields = q._stream_fields ?? (req.headers['vl-stream-fields'] as string | undefined);
      return decodeJsonLines(body, req.headers['content-encoding'] as string | undefined, tenant, ctx.limits, nowNs(), {
        streamFields: fields ? fields.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      });
    }),
  );
}
