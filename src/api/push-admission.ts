/**
 * Backpressure by latency for the push routes: before a push body is decoded and queued, the time
 * it would take to get through is estimated, as the larger of two views: ahead of it, the bodies
 * in decoding and the queue over the rate they get through, or how long nothing has got through
 * while some are in there (wait-estimator.ts); behind it, how long the quickest push of the last
 * interval spent in the server from arrival to answer, which also sees the time requests queue
 * for the event loop before their handler runs (sojourn-monitor.ts).
 *
 * Past `ingest.maxPushWait` pushes are refused at once with QUEUE_FULL (429) and a Retry-After of
 * that estimate (1–30 s): some of them just past it, all of them from 1.5 times the bound — before
 * the costly part, so refusing stays cheap when the server is saturated. Each route answers in its
 * protocol's shape (Loki text, OTLP Status with RetryInfo, Elasticsearch per-item 429). Works the
 * same over the group-commit queue and Redis.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import { LogSentinelError } from '../errors.js';
import { WaitEstimator, type WaitTicket } from '../ingest/common/wait-estimator.js';
import { SojournMonitor } from '../ingest/common/sojourn-monitor.js';

interface Admission {
  ahead: WaitEstimator;
  behind: SojournMonitor;
}

const admissions = new WeakMap<AppContext, Admission>();

function admissionOf(ctx: AppContext): Admission {
  let a = admissions.get(ctx);
  if (!a) {
    a = { ahead: new WaitEstimator(), behind: new SojournMonitor({ intervalMs: Math.max(500, ctx.config.ingest.maxPushWaitMs) }) };
    admissions.set(ctx, a);
  }
  return a;
}

/** Stops the estimator's timer (server close). */
export function closePushAdmission(ctx: AppContext): void {
  admissions.get(ctx)?.ahead.close();
  admissions.delete(ctx);
}

/**
 * Admits a push of `bytes` (its body after gzip/deflate) that arrived `elapsedMs` ago (Fastify's
 * `reply.elapsedTime`), or throws QUEUE_FULL. The ticket must be ended when the push is answered
 * (`done(false)` when it failed).
 */
export function admitPush(ctx: AppContext, bytes: number, elapsedMs: number): WaitTicket {
  checkPush(ctx);
  const a = admissionOf(ctx);
  const arrived = performance.now() - elapsedMs;
  const t = a.ahead.begin(Math.max(1, bytes));
  return {
    done: (completed = true) => {
      t.done(completed);
      if (completed) a.behind.record(performance.now() - arrived);
    },
  };
}

/**
 * Admission at a request's headers, for the POST routes of a plugin (Loki, JSON lines, OTLP):
 * while a push arriving now should be refused, QUEUE_FULL is thrown before the body is read (its
 * bytes are discarded unparsed), so refusing stays cheap when the server is saturated. An admitted
 * body counts as work ahead (its Content-Length, or 1) until its handler runs (`admitPush` counts
 * it from there) or the request ends, so that pushes arriving together do not each find the
 * estimate empty and all get in.
 */
export function admitUploads(app: FastifyInstance, ctx: AppContext): void {
  const uploads = new WeakMap<object, WaitTicket>();
  const end = async (req: FastifyRequest): Promise<void> => {
    uploads.get(req.raw)?.done(false);
    uploads.delete(req.raw);
  };
  app.addHook('onRequest', async (req) => {
    if (req.method !== 'POST') return;
    checkPush(ctx);
    const length = Number(req.headers['content-length']);
    uploads.set(req.raw, admissionOf(ctx).ahead.begin(Number.isFinite(length) && length > 0 ? length : 1, false));
  });
  // The body is in by preHandler; the handler's own ticket (admitPush) counts it from there.
  app.addHook('preHandler', end);
  app.addHook('onResponse', end);
  app.addHook('onRequestAbort', end);
}

/** The admission decision alone: throws QUEUE_FULL when a push arriving now should be refused. */
export function checkPush(ctx: AppContext): void {
  const max = ctx.config.ingest.maxPushWaitMs;
  const a = admissionOf(ctx);
  const wait = Math.max(a.ahead.estimateMs(), a.behind.standingMs());
  ctx.metrics.pushWaitEstimate.set(wait / 1000);
  // Past the bound, refused with a probability that grows with the excess (all of them from 1.5
  // times the bound): refusing everything at once, then nothing, would leave the server idle in
  // turns; a wider ramp lets accepted pushes wait well past the bound.
  if (max > 0 && wait > max && Math.random() < (wait - max) / (max / 2)) {
    const secs = Math.min(30, Math.max(1, Math.ceil(wait / 1000)));
    throw new LogSentinelError(
      'QUEUE_FULL',
      `cannot accept push: it would wait about ${(wait / 1000).toFixed(1)}s behind the pushes being decoded and committed, longer than ${max / 1000}s (ingest.maxPushWait); retry after ${secs}s`,
      { retryAfter: secs },
    );
  }
}
