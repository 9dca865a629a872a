/**
 * Backpressure by latency for the push routes: before a push body is decoded and queued, the time
 * it would take to get through is estimated, as the larger of two views: ahead of it, the bodies
 * in decoding and the queue over the rate they get through, or how long nothing has got through
 * while some are in there (wait-estimator.ts); behind it, how long the quickest push of the last
 * interval spent in the server from arrival to answer, which also sees the time requests queue
 * for the event loop before their handler runs (sojourn-monitor.ts).
 *
 * Past `ingest.maxPushWait` pushes are refused at once with QUEUE_FULL (429) and a Retry-After of
 * that estimate (1–30 s): some of them just past it, all of them from twice the bound — before
 * the costly part, so refusing stays cheap when the server is saturated. Each route answers in its
 * protocol's shape (Loki text, OTLP Status with RetryInfo, Elasticsearch per-item 429). Works the
 * same over the group-commit queue and Redis.
 */
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
 * The admission decision alone: throws QUEUE_FULL when a push arriving now should be refused.
 * The Loki and OTLP routes also ask it as soon as a request's headers are in, so that while the
 * server is saturated refused bodies are not even read (their bytes are discarded unparsed).
 */
export function checkPush(ctx: AppContext): void {
  const max = ctx.config.ingest.maxPushWaitMs;
  const a = admissionOf(ctx);
  const wait = Math.max(a.ahead.estimateMs(), a.behind.standingMs());
  ctx.metrics.pushWaitEstimate.set(wait / 1000);
  // Past the bound, refused with a probability that grows with the excess (all of them from twice
  // the bound): refusing everything at once, then nothing, would leave the server idle in turns.
  if (max > 0 && wait > max && Math.random() < (wait - max) / max) {
    const secs = Math.min(30, Math.max(1, Math.ceil(wait / 1000)));
    throw new LogSentinelError(
      'QUEUE_FULL',
      `cannot accept push: it would wait about ${(wait / 1000).toFixed(1)}s behind the pushes being decoded and committed, longer than ${max / 1000}s (ingest.maxPushWait); retry after ${secs}s`,
      { retryAfter: secs },
    );
  }
}
