/**
 * The traffic generator behind `node dist/traffic.js`: calls the demo API at a steady rate in a
 * realistic mix so the Compose stack has logs and metrics without anyone clicking.
 *
 * Requests are fired on a fixed schedule and not awaited, so a slow answer does not lower the
 * rate; at most `maxInFlight` are outstanding (beyond that a tick is skipped and counted), so an
 * unreachable target cannot pile up sockets. Aborting `signal` stops the schedule and aborts
 * what is in flight.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Random } from './users.js';

export interface Call {
  method: 'GET' | 'POST';
  path: string;
  /** JSON body for POST. */
  body?: unknown;
}

/** The mix, in percent: mostly reads, some writes, occasional client and server errors. */
export const MIX: readonly { percent: number; make: (random: Random) => Call }[] = [
  { percent: 75, make: () => ({ method: 'GET', path: '/api/users' }) },
  {
    percent: 15,
    make: (random) => ({
      method: 'POST',
      path: '/api/echo',
      body: { order_id: Math.floor(random() * 100_000), items: 1 + Math.floor(random() * 5), note: 'traffic generator' },
    }),
  },
  { percent: 6, make: () => ({ method: 'GET', path: '/api/error?type=client' }) },
  { percent: 4, make: () => ({ method: 'GET', path: '/api/error?type=server' }) },
];

/** One call of the mix; the first draw picks the kind, later draws fill in a body. */
export function pickCall(random: Random): Call {
  // Whole percents, so the boundaries are exact rather than subject to float subtraction.
  const p = Math.floor(random() * 100);
  let upper = 0;
  for (const m of MIX) {
    upper += m.percent;
    if (p < upper) return m.make(random);
  }
  throw new Error('BUG: the traffic mix does not add up to 100%');
}

export interface TrafficConfig {
  targetUrl: string;
  rps: number;
}

export function loadTrafficConfig(env: NodeJS.ProcessEnv): TrafficConfig {
  const target = env.TARGET_URL || 'http://localhost:8080';
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new Error(`cannot load config: TARGET_URL is not a URL: ${JSON.stringify(target)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`cannot load config: TARGET_URL must be http or https, got ${JSON.stringify(url.protocol)}`);
  const rpsText = env.RPS || '5';
  const rps = Number(rpsText);
  if (!Number.isFinite(rps) || rps <= 0 || rps > 10_000) throw new Error(`cannot load config: RPS must be a number above 0 and at most 10000, got ${JSON.stringify(rpsText)}`);
  return { targetUrl: url.href, rps };
}

export interface TrafficStats {
  sent: number;
  /** 2xx answers. */
  ok: number;
  clientErrors: number;
  serverErrors: number;
  /** No answer: connection refused, timeout. */
  failed: number;
  /** Ticks skipped because `maxInFlight` requests were outstanding. */
  skipped: number;
}

/** Log fields for `stats`, in the snake_case of the other log fields. */
export function statsFields(stats: TrafficStats): Record<string, number> {
  return { sent: stats.sent, ok: stats.ok, client_errors: stats.clientErrors, server_errors: stats.serverErrors, failed: stats.failed, skipped: stats.skipped };
}

export interface TrafficOptions extends TrafficConfig {
  signal: AbortSignal;
  logger: Logger;
  random?: Random;
  /** Default 100. */
  maxInFlight?: number;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** How often a summary line is logged; default 10 s. */
  summaryEveryMs?: number;
}

/** Runs until `signal` is aborted and returns the totals. Never rejects for a failed request. */
export async function runTraffic(opts: TrafficOptions): Promise<TrafficStats> {
  const random = opts.random ?? Math.random;
  const maxInFlight = opts.maxInFlight ?? 100;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const summaryEveryMs = opts.summaryEveryMs ?? 10_000;
  const total: TrafficStats = { sent: 0, ok: 0, clientErrors: 0, serverErrors: 0, failed: 0, skipped: 0 };
  let window: TrafficStats = { ...total };
  let lastError: string | undefined;
  const inFlight = new Set<Promise<void>>();

  const count = (key: keyof TrafficStats): void => {
    total[key]++;
    window[key]++;
  };

  const fire = async (call: Call): Promise<void> => {
    try {
      const res = await fetch(new URL(call.path, opts.targetUrl), {
        method: call.method,
        // The generator plays a gateway that assigns request ids; the API keeps them.
        headers: { 'x-request-id': `traffic-${randomUUID()}`, ...(call.body !== undefined && { 'content-type': 'application/json' }) },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await res.arrayBuffer(); // read to the end so the connection can be reused
      count(res.status >= 500 ? 'serverErrors' : res.status >= 400 ? 'clientErrors' : 'ok');
    } catch (err) {
      if (opts.signal.aborted) return; // stopped on purpose: not a failure
      count('failed');
      lastError = describe(err);
    }
  };

  const summary = setInterval(() => {
    const fields = { ...statsFields(window), rps: opts.rps, in_flight: inFlight.size };
    if (window.failed > 0) opts.logger.warn({ ...fields, last_error: lastError }, `cannot reach ${opts.targetUrl} for ${window.failed} of ${window.sent} requests: ${lastError}`);
    else opts.logger.info(fields, 'traffic summary');
    window = { sent: 0, ok: 0, clientErrors: 0, serverErrors: 0, failed: 0, skipped: 0 };
  }, summaryEveryMs);

  opts.logger.info({ target_url: opts.targetUrl, rps: opts.rps }, 'traffic generator started');
  const periodMs = 1000 / opts.rps;
  const start = performance.now();
  try {
    // Tick n is due at start + n·period, so timer lateness does not accumulate into a lower rate.
    for (let n = 0; !opts.signal.aborted; n++) {
      const wait = start + n * periodMs - performance.now();
      if (wait > 0) await delay(wait, undefined, { signal: opts.signal });
      if (inFlight.size >= maxInFlight) {
        count('skipped');
        continue;
      }
      count('sent');
      const p = fire(pickCall(random)).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  } catch (err) {
    if (!opts.signal.aborted) throw err; // delay only rejects on abort; anything else is a bug
  } finally {
    clearInterval(summary);
  }
  await Promise.allSettled(inFlight);
  return total;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch says "fetch failed" and puts the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
