/** Operations endpoints: Prometheus metrics, liveness, readiness, Loki's /ready. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export async function opsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/metrics', async (_req, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
  app.get('/health/liveness', async () => ({ status: 'ok' }));
  app.get('/health/readiness', async (_req, reply) => {
    if (!ctx.ready()) return reply.status(503).send({ status: 'not ready' });
    return { status: 'ready' };
  });
  app.get('/ready', async (_req, reply) => {
    if (!ctx.ready()) return reply.status(503).type('text/plain').send('Ingester not ready: store is opening\n');
    return reply.type('text/plain').send('ready\n');
  });
}
