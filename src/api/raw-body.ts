/**
 * The one raw-body parser of the push routes (Loki, JSON lines, OTLP, Elasticsearch): bodies are
 * read as streams and gzip/deflate are undone while they stream, off the event loop, within
 * `server.maxRequestBytes` per body and `server.maxBodyMemory` for all bodies being read and
 * decoded together (src/ingest/common/read-body.ts). A body's share of that memory is given back
 * when its response is done. Routes read the result with `rawBody`.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import { ByteBudget, readBody, type ReadBody } from '../ingest/common/read-body.js';

/** One budget per server (the push scopes share it). */
const budgets = new WeakMap<AppContext, ByteBudget>();

export function useRawBodies(app: FastifyInstance, ctx: AppContext, what: string): void {
  let memory = budgets.get(ctx);
  if (!memory) budgets.set(ctx, (memory = new ByteBudget(ctx.config.server.maxBodyMemory)));
  const limits = { maxWireBytes: ctx.config.server.maxRequestBytes, maxDecodedBytes: ctx.limits.maxDecompressedBodySize, memory };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req: FastifyRequest, payload: NodeJS.ReadableStream) =>
    readBody(payload as Readable, req.headers['content-encoding'] as string | undefined, req.headers['content-length'], limits, what),
  );
  const budget = memory;
  app.addHook('onRequest', async (req, reply) => {
    // 'close' comes after the answer was sent, or when the connection went away first.
    reply.raw.once('close', () => {
      const r = (req.body as ReadBody | undefined)?.reserved;
      if (r) budget.give(r);
    });
  });
}

/** The body `useRawBodies` read; an empty identity body when the request had none. */
export function rawBody(req: FastifyRequest): ReadBody {
  const b = req.body as ReadBody | undefined;
  if (b && Buffer.isBuffer(b.data)) return b;
  return { data: Buffer.alloc(0), wireBytes: 0, contentEncoding: (req.headers['content-encoding'] as string | undefined) ?? '' };
}
