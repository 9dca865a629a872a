/** POST /api/echo: answers with the JSON document it received, whatever its type. */
import type { FastifyInstance } from 'fastify';

export function registerEchoRoute(app: FastifyInstance): void {
  app.post('/api/echo', async (request, reply) => {
    // Serialised here because reply.send would write a string body as text/plain and an empty
    // answer for null; the echo must be the same JSON that came in.
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(request.body));
  });
}
