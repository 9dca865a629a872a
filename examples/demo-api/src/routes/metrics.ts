/** GET /metrics: the demo's metrics in the Prometheus text format (not OpenMetrics; see metrics.ts). */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.js';

export function registerMetricsRoute(app: FastifyInstance, deps: Pick<RouteDeps, 'metrics'>): void {
  app.get('/metrics', async (_request, reply) => {
    const { registry } = deps.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
