/**
 * The load generator: sends realistic synthetic logs (see corpus.ts) to a push endpoint at a
 * controlled rate, with a fixed number of requests in flight, and reports what happened.
 *
 * Rate control: a token bucket in lines; each request takes one batch worth of tokens, so the
 * rate is met on average and a stall is made up by at most `concurrency` batches.
 * Counting, per line: `sent` lines went out in a request that got an HTTP answer or failed;
 * `accepted` were in a 2xx answer; `rejected` in a 4xx answer (429 included: the worker then
 * pauses for `Retry-After`, at most 2 s); `errors` counts requests that failed (network, 5xx).
 * A Loki 400 refuses only some lines of a request but does not say how many, so the whole
 * request counts as rejected.
 */
import { LogCorpus } from './corpus.js';
import { defaultPath, encodeBatch, type LoadgenProtocol } from './request-body.js';
import { TokenBucket } from './token-bucket.js';

export interface LoadgenOptions {
  /** Push endpoint, or a base URL (`http://localhost:3100`) to which the protocol's path is added. */
  url: string;
  /** Lines per second. */
  rate: number;
  /** Seconds; `rate * duration` lines are sent in total. 0 = until `signal` aborts (or `count`). */
  duration: number;
  /** Lines to send in total, instead of `rate * duration`. */
  count?: number;
  /** Stops sending new requests; those in flight finish and the summary is returned. */
  signal?: AbortSignal;
  /** One `service` label for every line (default: several services from the corpus). */
  service?: string;
  /** Extra stream labels on every line. */
  labels?: Record<string, string>;
  /** Number of services logging (see `SERVICE_NAMES`). */
  services: number;
  /** Lines per request. */
  batch: number;
  protocol: LoadgenProtocol;
  /** Sent as `X-Scope-OrgID` when given. */
  tenant?: string;
  /** API token sent as `Authorization: Bearer` (scope logs:write). */
  token?: string;
  /** Requests in flight; default 4. */
  concurrency?: number;
  /** Progress and the final table go here; default none. */
  out?: NodeJS.WritableStream;
  /** Corpus seed; default 1. */
  seed?: number;
  /** Per-request timeout in ms; default 30 000. */
  timeoutMs?: number;
}

export interface LoadgenSummary {
  sent: number;
  accepted: number;
  rejected: number;
  /** Requests that failed: network errors, timeouts, 5xx. */
  errors: number;
  requests: number;
  /** Request body bytes sent (as on the wire, compressed where the protocol compresses). */
  bytes: number;
  elapsedSeconds: number;
  linesPerSecond: number;
  megabytesPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** The first few distinct error texts, for diagnosis. */
  errorSamples: string[];
}

function resolveUrl(url: string, protocol: LoadgenProtocol): string {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = defaultPath(protocol);
  return u.toString();
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function retryAfterMs(h: string | null): number {
  if (h === null) return 1000;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.min(2000, Math.max(0, s * 1000));
  const d = Date.parse(h);
  return Number.isNaN(d) ? 1000 : Math.min(2000, Math.max(0, d - Date.now()));
}

/** The summary as an aligned two-column table. */
export function formatSummary(s: LoadgenSummary): string {
  const rows: Array<[string, string]> = [
    ['sent', String(s.sent)],
    ['accepted', String(s.accepted)],
    ['rejected', String(s.rejected)],
    ['errors', String(s.errors)],
    ['requests', String(s.requests)],
    ['elapsed', `${s.elapsedSeconds.toFixed(2)} s`],
    ['lines/s', s.linesPerSecond.toFixed(0)],
    ['MB/s', s.megabytesPerSecond.toFixed(2)],
    ['latency p50', `${s.latencyP50Ms.toFixed(1)} ms`],
    ['latency p99', `${s.latencyP99Ms.toFixed(1)} ms`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

/** Runs one load test to completion. Never throws for server errors; they are counted. */
export async function runLoadgen(opts: LoadgenOptions): Promise<LoadgenSummary> {
  if (!(opts.rate > 0) || !(opts.duration >= 0) || !(opts.batch >= 1) || !(opts.services >= 1) || (opts.count !== undefined && !(opts.count >= 1))) {
    throw new Error(`cannot run loadgen: rate, batch, services and count must be positive, duration not negative`);
  }
  const url = resolveUrl(opts.url, opts.protocol);
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const batch = Math.floor(opts.batch);
  const total = opts.count !== undefined ? Math.floor(opts.count) : opts.duration === 0 ? Infinity : Math.max(1, Math.round(opts.rate * opts.duration));
  const corpus = new LogCorpus(opts.seed ?? 1, { services: opts.services, serviceName: opts.service, extraLabels: opts.labels });
  const bucket = new TokenBucket(opts.rate, Math.max(batch, concurrency * batch));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const out = opts.out;
  const tty = (out as { isTTY?: boolean } | undefined)?.isTTY === true;
  const headers: Record<string, string> = {};
  if (opts.tenant !== undefined) headers['X-Scope-OrgID'] = opts.tenant;
  if (opts.token !== undefined && opts.token !== '') headers.Authorization = `Bearer ${opts.token}`;

  let planned = 0;
  let sent = 0;
  let accepted = 0;
  let rejected = 0;
  let errors = 0;
  let requests = 0;
  let bytes = 0;
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  const noteError = (s: string): void => {
    if (errorSamples.size < 5) errorSamples.add(s);
  };

  const started = performance.now();
  let lastTick = started;
  let lastSent = 0;
  const progress = (final: boolean): void => {
    if (out === undefined) return;
    const t = performance.now();
    const rate = ((sent - lastSent) * 1000) / Math.max(1, t - lastTick);
    lastTick = t;
    lastSent = sent;
    const text = `sent=${sent} accepted=${accepted} rejected=${rejected} errors=${errors} rate=${rate.toFixed(0)} lines/s`;
    out.write(tty ? `\r${text.padEnd(80)}${final ? '\n' : ''}` : text + '\n');
  };
  // A long-running agent (no end) writes a line every 10 s, not every second, to keep its log small.
  const timer = setInterval(() => progress(false), tty || total !== Infinity ? 1000 : 10_000);
  timer.unref();

  const worker = async (): Promise<void> => {
    for (;;) {
      if (planned >= total || opts.signal?.aborted) return;
      const n = Math.min(batch, total - planned);
      planned += n;
      await bucket.take(n, opts.signal);
      if (opts.signal?.aborted) return;
      const lines = new Array(n);
      // The time printed inside each line matches the time it is sent with.
      const nowMs = Date.now();
      for (let i = 0; i < n; i++) lines[i] = corpus.next(nowMs);
      const req = encodeBatch(opts.protocol, lines, BigInt(Date.now()) * 1_000_000n);
      const t0 = performance.now();
      let pauseMs = 0;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'Content-Type': req.contentType },
          body: req.body as Uint8Array<ArrayBuffer>, // Node Buffers here are never SharedArrayBuffer-backed
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = res.ok ? '' : await res.text().catch(() => '');
        if (res.ok) await res.body?.cancel().catch(() => undefined);
        latencies.push(performance.now() - t0);
        if (res.ok) {
          accepted += n;
        } else if (res.status < 500) {
          rejected += n;
          noteError(`HTTP ${res.status}: ${text.slice(0, 200)}`);
          if (res.status === 429) pauseMs = retryAfterMs(res.headers.get('retry-after'));
        } else {
          errors++;
          noteError(`HTTP ${res.status}: ${text.slice(0, 200)}`);
        }
      } catch (err) {
        errors++;
        noteError(`cannot send request: ${(err as Error).message}`);
      }
      sent += n;
      requests++;
      bytes += req.body.length;
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
  } finally {
    clearInterval(timer);
  }
  progress(true);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const summary: LoadgenSummary = {
    sent,
    accepted,
    rejected,
    errors,
    requests,
    bytes,
    elapsedSeconds: elapsed,
    linesPerSecond: sent / elapsed,
    megabytesPerSecond: bytes / 1e6 / elapsed,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    errorSamples: [...errorSamples],
  };
  if (out !== undefined) {
    out.write(formatSummary(summary));
    for (const e of summary.errorSamples) out.write(`error: ${e}\n`);
  }
  return summary;
}
