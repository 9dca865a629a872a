/**
 * Admin API of the embedded store: online backups. `POST /api/v1/admin/backup {"to": "<dir>"}`
 * starts one into an absolute, new or empty directory on the server's filesystem and answers 202
 * with its state; `GET /api/v1/admin/backup` answers the state of the running or last backup
 * (`idle`, `running`, `done` with the manifest, `failed` with the error). One at a time: 409.
 * Every route under /api/v1/admin/ needs the scope `admin` (docs/specs/auth.md).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import type { BackupJobs } from '../../backup/index.js';
import { LogSentinelError } from '../../errors.js';

function backupsOf(ctx: AppContext): BackupJobs {
  if (ctx.backups) return ctx.backups;
  if (!ctx.ready()) throw new LogSentinelError('NOT_READY', 'cannot back up: the store is still opening', { retryAfter: 1 });
  throw new LogSentinelError('NOT_FOUND', 'cannot back up: this role has no embedded store (back up PostgreSQL with pg_dump, see docs/operations.md)');
}

export async function adminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/api/v1/admin/backup', async (req, reply) => {
    const jobs = backupsOf(ctx);
    const to = (req.body as { to?: unknown } | undefined)?.to;
    if (typeof to !== 'string' || to === '') throw new LogSentinelError('BAD_REQUEST', 'cannot start backup: the body must be {"to": "<absolute path of a new or empty directory on the server>"}');
    return reply.status(202).send(await jobs.start(to));
  });
  app.get('/api/v1/admin/backup', async () => backupsOf(ctx).status());
}
