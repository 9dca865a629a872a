/** GET /api/error: fails on purpose, with 400 for `?type=client` and 500 for anything else. */
import type { FastifyInstance } from 'fastify';
import { DemoError } from '../errors.js';

export function registerErrorRoute(app: FastifyInstance): void {
  app.get<{ Querystring: { type?: string } }>('/api/error', async (request) => {
    throw new DemoError(request.query.type === 'client' ? 'client_error' : 'server_error');
  });
}
