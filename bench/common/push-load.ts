/**
 * Closed-loop pushers: `concurrency` clients, each sending push bodies one after another over its
 * own keep-alive connection and recording every answer's status and latency. A 429 is counted and
 * the client waits what `Retry-After` says (capped, as shippers do) before sending again.
 */
import http from 'node:http';
import { summarize, type Summary } from './stats.js';

export interface PushBody {
  body: Buffer;
  contentType: string;
  contentEncoding?: string;
  lines: number;
}

export interface PushLoadResult {
  seconds: number;
  requests: number;
  /** Lines in 2xx answers. */
  acceptedLines: number;
  linesPerSecond: number;
  /** Latency of 2xx answers. */
  accepted: Summary;
  /** Latency of 429 answers. */
  refused: Summary;
  status: Record<string, number>;
  errors: number;
  /** Retry-After values seen on 429s (seconds). */
  retryAfter: Summary;
}

export interface PushLoadOptions {
  url: string;
  path?: string;
  concurrency: number;
  /** Produces the i-th body (called once per request). */
  body: (i: number) => PushBody;
  /** Longest a client waits after a 429 (ms); default 1000. */
  maxBackoffMs?: number;
  /** Per-request timeout (ms); default 60 000. */
  timeoutMs?: number;
  /** Lines per second in total (open loop pacing per client); undefined = as fast as answered. */
  rate?: number;
  localAddress?: string;
}

export class PushLoad {
  private stopped = false;
  private readonly agent: http.Agent;
  private readonly ok: number[] = [];
  private readonly refused: number[] = [];
  private readonly retryAfter: number[] = [];
  private readonly status: Record<string, number> = {};
  private errors = 0;
  private requests = 0;
  private acceptedLines = 0;
  private next = 0;
  private running?: Promise<void[]>;
  private t0 = 0;

  constructor(private readonly o: PushLoadOptions) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency, localAddress: o.localAddress });
  }

  /** Bodies handed out so far. */
  get issued(): number {
    return this.next;
  }

  start(): this {
    this.t0 = performance.now();
    this.running = Promise.all(Array.from({ length: this.o.concurrency }, (_, k) => this.client(k)));
    return this;
  }

  private async client(k: number): Promise<void> {
    const perClientRate = this.o.rate !== undefined ? this.o.rate / this.o.concurrency : undefined;
    let due = performance.now() + k; // spread the first sends a little
    while (!this.stopped) {
      const b = this.o.body(this.next++);
      if (perClientRate !== undefined) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        due = Math.max(due, performance.now() - 1000) + (b.lines / perClientRate) * 1000;
        if (this.stopped) break;
      }
      const t0 = performance.now();
      const r = await this.send(b);
      const dt = performance.now() - t0;
      this.requests++;
      if (r.status === 0) {
        this.errors++;
        this.status.error = (this.status.error ?? 0) + 1;
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      this.status[r.status] = (this.status[r.status] ?? 0) + 1;
      if (r.status >= 200 && r.status < 300) {
        this.ok.push(dt);
        this.acceptedLines += b.lines;
      } else if (r.status === 429) {
        this.refused.push(dt);
        const ra = Number(r.retryAfter ?? '1');
        this.retryAfter.push(ra);
        await new Promise((res) => setTimeout(res, Math.min(this.o.maxBackoffMs ?? 1000, ra * 1000)));
      }
    }
  }

  private send(b: PushBody): Promise<{ status: number; retryAfter?: string }> {
    return new Promise((resolve) => {
      const headers: Record<string, string | number> = { 'content-type': b.contentType, 'content-length': b.body.length };
      if (b.contentEncoding) headers['content-encoding'] = b.contentEncoding;
      const req = http.request(this.o.url + (this.o.path ?? '/loki/api/v1/push'), { method: 'POST', agent: this.agent, headers, timeout: this.o.timeoutMs ?? 60_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
        res.on('error', () => resolve({ status: 0 }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ status: 0 }));
      req.end(b.body);
    });
  }

  async stop(): Promise<PushLoadResult> {
    this.stopped = true;
    await this.running;
    const seconds = (performance.now() - this.t0) / 1000;
    this.agent.destroy();
    return {
      seconds,
      requests: this.requests,
      acceptedLines: this.acceptedLines,
      linesPerSecond: this.acceptedLines / seconds,
      accepted: summarize(this.ok),
      refused: summarize(this.refused),
      status: this.status,
      errors: this.errors,
      retryAfter: summarize(this.retryAfter),
    };
  }
}
