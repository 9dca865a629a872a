/** GET /api/users: the user list after a simulated query that is sometimes slow and 2% of the time fails. */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.js';
import { DemoError } from '../errors.js';
import { USERS, planUsersQuery, type User } from '../users.js';

export function registerUsersRoute(app: FastifyInstance, deps: Pick<RouteDeps, 'random' | 'sleep'>): void {
  app.get('/api/users', async (request): Promise<{ users: readonly User[] }> => {
    const plan = planUsersQuery(deps.random);
    await deps.sleep(plan.latencyMs);
    if (plan.fails) throw new DemoError('database_error');
    request.log.debug({ users: USERS.length, db_latency_ms: plan.latencyMs }, 'queried users');
    return { users: USERS };
  });
}
