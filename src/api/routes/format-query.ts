/**
 * `GET|POST /loki/api/v1/format_query?query=...`, the "Format query" button of Grafana's Loki
 * query editor. Loki (pkg/loki/format_query_handler.go) answers `{"status":"success","data":
 * "<formatted>"}`, and on a parse error 400 with `{"status":"invalid-query","error":"<parse
 * error>"}` — a JSON body, not the plain-text error of the other Loki routes, so this route
 * writes that answer itself instead of throwing to the error handler.
 *
 * The text is what Loki's prettifier prints (src/logql/prettify.ts): Loki's one-line spelling of
 * each node, and expressions longer than 100 bytes split over indented lines.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { one, requestParams } from '../params.js';
import { parseExpr } from '../../logql/index.js';
import { prettify } from '../../logql/prettify.js';
import { LogSentinelError } from '../../errors.js';

export async function formatQueryRoutes(app: FastifyInstance, _ctx: AppContext): Promise<void> {
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const query = one(requestParams(req), 'query') ?? '';
    let formatted: string;
    try {
      formatted = prettify(parseExpr(query));
    } catch (err) {
      if (!(err instanceof LogSentinelError) || err.status !== 400) throw err;
      return reply.status(400).send({ status: 'invalid-query', error: err.message });
    }
    return { status: 'success', data: formatted };
  };
  app.get('/loki/api/v1/format_query', handler);
  app.post('/loki/api/v1/format_query', handler);
}
