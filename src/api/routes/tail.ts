/**
 * Loki's live tail: `GET /loki/api/v1/tail` upgraded to a WebSocket (pkg/querier/http.go
 * TailHandler). Parameters as in Loki: `query` (a log query), `delay_for` (seconds, at most 5),
 * `limit` (default 100), `start` (default one hour ago); and `orgId`, the tenant when no
 * `X-Scope-OrgID` header is sent (browsers cannot set headers on WebSockets). The socket first gets the last `limit`
 * matching entries since `start` from storage, then every matching entry committed afterwards,
 * as `{"streams":[{"stream":{labels},"values":[["<ns>","<line>"]]}],"dropped_entries":null}`
 * messages, at most one every 100 ms. Invalid parameters answer 400 before the upgrade; a
 * failure afterwards closes the socket with the error message as the close reason.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { AppContext } from '../context.js';
import { LogSentinelError } from '../../errors.js';
import { labelsToString } from '../../model/labels.js';
import type { Nanos } from '../../model/entry.js';
import { compileLogQuery, type LogQueryPlans } from '../../query/compile.js';
import { runLogQuery } from '../../query/log-query.js';
import { queryBudget } from '../../query/admission.js';
import { nowNs, parseTime } from '../../query/time.js';
import { TailSubscriber, type TailHub, type TailMessage } from '../../query/tail/index.js';
import { limitParam, one, requestParams, required } from '../params.js';
import { requestTenants } from '../auth-resolver.js';
import { storageOf } from './query.js';

/** Loki's maxDelayForInTailing. */
const MAX_DELAY_FOR_SECONDS = 5;
const FLUSH_MS = 100;
/** Live entries one subscriber may hold before it drops (and reports) new ones. */
const MAX_BUFFERED = 10_000;
/** Bytes queued on a socket past which the client is too slow and the tail is closed. */
const MAX_SOCKET_BUFFER = 16 * 1024 * 1024;
/** A WebSocket close reason is at most 123 bytes. */
const MAX_REASON = 120;

interface TailParams {
  plans: LogQueryPlans;
  tenants: string[];
  delayMs: number;
  limit: number;
  start: Nanos;
}

function tailParams(req: FastifyRequest, ctx: AppContext): TailParams {
  const p = requestParams(req);
  const { plans } = compileLogQuery(required(p, 'query'));
  const delayRaw = one(p, 'delay_for') ?? '';
  let delay = 0;
  if (delayRaw !== '') {
    if (!/^\d+$/.test(delayRaw)) throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter delay_for: ${JSON.stringify(delayRaw)} is not a whole number of seconds`);
    delay = Number(delayRaw);
    if (delay > MAX_DELAY_FOR_SECONDS) throw new LogSentinelError('INVALID_PARAMETER', `delay_for can't be greater than ${MAX_DELAY_FOR_SECONDS}`);
  }
  const limit = one(p, 'limit') ? limitParam(p, ctx.config) : 100;
  const start = parseTime('start', one(p, 'start'), nowNs() - 3_600_000_000_000n);
  return { plans, tenants: requestTenants(req), delayMs: delay * 1000, limit, start };
}

function closeReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const b = Buffer.from(msg);
  return b.length <= MAX_REASON ? msg : b.subarray(0, MAX_REASON).toString().replace(/\uFFFD$/, '');
}

export async function tailRoutes(app: FastifyInstance, ctx: AppContext, hub: TailHub): Promise<void> {
  await app.register(websocket);
  const parsed = new WeakMap<FastifyRequest, TailParams>();

  app.get(
    '/loki/api/v1/tail',
    {
      websocket: true,
      // Runs before the upgrade: a bad query or parameter is a plain 400 from the error handler,
      // a store still opening (just after a restart) a 503 with Retry-After.
      preValidation: async (req) => {
        storageOf(ctx);
        parsed.set(req, tailParams(req, ctx));
      },
    },
    (socket: WebSocket, req: FastifyRequest) => {
      const params = parsed.get(req);
      if (!params) {
        socket.close(1011, 'BUG: tail parameters were not parsed');
        return;
      }
      void serveTail(ctx, hub, socket, params);
    },
  );
}

async function serveTail(ctx: AppContext, hub: TailHub, socket: WebSocket, params: TailParams): Promise<void> {
  const send = (msg: TailMessage): void => {
    if (socket.readyState !== socket.OPEN) return;
    // A client that does not read must not make the server buffer without bound.
    if (socket.bufferedAmount > MAX_SOCKET_BUFFER) {
      stop();
      socket.close(1013, 'cannot keep tailing: the client reads too slowly');
      return;
    }
    socket.send(JSON.stringify(msg));
  };
  // Entries sent from storage, so the same entries arriving live in the meantime are not sent twice.
  const sent = new Set<string>();
  const sub = new TailSubscriber({
    tenants: params.tenants,
    plans: params.plans,
    send,
    maxBuffered: MAX_BUFFERED,
    delayMs: params.delayMs,
    flushMs: FLUSH_MS,
    skip: (labelsKey, ts, line) => sent.size > 0 && sent.has(`${labelsKey}\x00${ts}\x00${line}`),
  });
  // Subscribe before reading storage, so nothing committed in between is missed.
  const unsubscribe = hub.subscribe(sub);
  const stop = (): void => {
    sub.close();
    unsubscribe();
  };
  socket.on('close', stop);
  socket.on('error', stop);
  ctx.metrics.queries.inc({ type: 'tail', status: 'success' });
  try {
    const storage = storageOf(ctx);
    // Across pods, entries are published only once processors see this subscription.
    await hub.armed(params.tenants);
    // The backfill is a query like any other: the query timeout, memory and main-thread slices.
    const budget = queryBudget(ctx.config.query, ctx, ctx.config.query.timeoutMs);
    let res;
    try {
      res = await runLogQuery(storage, params.plans, { tenants: params.tenants, start: params.start, end: nowNs() + 1n, limit: params.limit, direction: 'backward', budget });
    } finally {
      budget.release();
    }
    const streams: TailMessage['streams'] = [];
    for (const s of res.streams) {
      const key = labelsToString(s.labels);
      const values: Array<[string, string]> = [];
      for (let i = s.entries.length - 1; i >= 0; i--) {
        const e = s.entries[i];
        values.push([e.ts.toString(), e.line]);
        sent.add(`${key}\x00${e.ts}\x00${e.line}`);
      }
      streams.push({ stream: s.labels, values });
    }
    if (streams.length > 0) send({ streams, dropped_entries: null });
    sub.start();
  } catch (err) {
    stop();
    ctx.logger.warn({ err }, 'cannot tail: reading past entries failed');
    if (socket.readyState === socket.OPEN) socket.close(1011, closeReason(err));
  }
}
