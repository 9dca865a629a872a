/**
 * Operations endpoints: Prometheus metrics, liveness, readiness, Loki's /ready. Readiness
 * (src/health/readiness.ts) also reflects the modules' conditions (a full disk, a store that is
 * reopening) and the role's external dependencies (cluster mode): an ingest pod whose Redis does
 * not answer is not ready, so the load balancer stops sending it pushes. Liveness never checks
 * them (a dependency outage must not restart every pod).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

async function notReadyReason(ctx: AppContext): Promise<string | undefined> {
  if (ctx.readiness) return ctx.readiness.reason();
  if (!ctx.ready()) return 'store is opening';
  return ctx.dependencies ? ctx.dependencies() : undefined;
}

export async function opsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/metrics', async (_req, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
  app.get('/health/liveness', async () => ({ status: 'ok' }));
  app.get('/health/readiness', async (_req, reply) => {
    const reason = await notReadyReason(ctx);
    if (reason !== undefined) return reply.status(503).send(ctx.ready() ? { status: 'not ready', reason } : { status: 'not ready' });
    return { status: 'ready' };
  });
  app.get('/ready', async (_req, reply) => {
    const reason = await notReadyReason(ctx);
    if (reason !== undefined) return reply.status(503).type('text/plain').send(`Ingester not ready: ${reason}\n`);
    return reply.type('text/plain').send('ready\n');
  });
}
