/**
 * Kubernetes-style probes. Liveness: the event loop answers. Readiness: the service takes new
 * traffic; it answers 503 once shutdown has begun (a probe on a kept-alive connection can still
 * reach it while in-flight requests finish).
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.js';

export function registerHealthRoutes(app: FastifyInstance, deps: Pick<RouteDeps, 'isReady'>): void {
  app.get('/health/liveness', async (): Promise<{ status: string }> => ({ status: 'ok' }));
  app.get('/health/readiness', async (_request, reply) => {
    if (deps.isReady()) return { status: 'ready' };
    return reply.status(503).send({ status: 'shutting_down' });
  });
}
