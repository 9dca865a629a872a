/**
 * `GET|POST /loki/api/v1/format_query?query=...`, the "Format query" button of Grafana's Loki
 * query editor. Loki (pkg/loki/format_query_handler.go) answers `{"status":"success","data":
 * "<formatted>"}`, and on a parse error 400 with `{"status":"invalid-query","error":"<parse
 * error>"}` — a JSON body, not the plain-text error of the other Loki routes, so this route
 * writes that answer itself instead of throwing to the error handler.
 *
 * The formatted text is LogSentinel's canonical form (src/logql/format.ts): Loki's prettifier
 * prints the same tokens but breaks expressions longer than 100 characters over several lines.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { one, requestParams } from '../params.js';
import { formatExpr, parseExpr } from '../../logql/index.js';
import { LogSentinelError } from '../../errors.js';

export async function formatQueryRoutes(app: FastifyInstance, _ctx: AppContext): Promise<void> {
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const query = one(requestParams(req), 'query') ?? '';
    let formatted: string;
    try {
      formatted = formatExpr(parseExpr(query));
    } catch (err) {
      if (!(err instanceof LogSentinelError) || err.status !== 400) throw err;
      return reply.status(400).send({ status: 'invalid-query', error: err.message });
    }
    return { status: 'success', data: formatted };
  };
  app.get('/loki/api/v1/format_query', handler);
  app.post('/loki/api/v1/format_query', handler);
}
