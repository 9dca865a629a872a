/**
 * One live-tail subscriber: filters committed entries with its compiled query, buffers what
 * passes (bounded) and hands the socket one Loki tail message at most every `flushMs`.
 *
 * Contract
 * - `offer(batch)` is called by the TailHub off the ingest path (never awaited by it); it must
 *   not mutate the batch. When the buffer is full, entries are dropped and reported in the next
 *   message's `dropped_entries` (labels and timestamp, as Loki does).
 * - `send` receives each message once; it must not throw (the route catches socket errors).
 * - `close()` stops the timer; offers after it are ignored.
 */
import type { Nanos, WriteBatch } from '../../model/entry.js';
import type { Labels } from '../../model/labels.js';
import { labelsToString } from '../../model/labels.js';
import { compileRegex, evalLinePredicate, matchesLabels } from '../../logql/index.js';
import type { LogQueryPlans } from '../compile.js';

/** Loki's tail message (pkg/loghttp TailResponse): `dropped_entries` is null when none were dropped. */
export interface TailMessage {
  streams: Array<{ stream: Labels; values: Array<[string, string]> }>;
  dropped_entries: Array<{ labels: Labels; timestamp: string }> | null;
}

export interface TailSubscriberOptions {
  tenants: readonly string[];
  plans: LogQueryPlans;
  send: (msg: TailMessage) => void;
  /** Entries held at most; past it new entries are dropped and reported. */
  maxBuffered: number;
  /** Loki's `delay_for`: an entry is sent no earlier than this long after it arrived. */
  delayMs: number;
  flushMs: number;
  /** Entries already sent (from storage): skipped when they arrive live too. */
  skip?: (labelsKey: string, ts: Nanos, line: string) => boolean;
}

interface Buffered {
  labels: Labels;
  ts: Nanos;
  line: string;
  at: number;
}

/** Dropped entries reported in one message at most; the rest are only counted away. */
const MAX_DROPPED_REPORTED = 1000;

export class TailSubscriber {
  readonly tenants: ReadonlySet<string>;
  private readonly buf: Buffered[] = [];
  private dropped: Array<{ labels: Labels; timestamp: string }> = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: TailSubscriberOptions) {
    this.tenants = new Set(opts.tenants);
  }

  start(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => this.flush(), this.opts.flushMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  offer(batch: WriteBatch): void {
    if (this.closed || !this.tenants.has(batch.tenant)) return;
    const multiTenant = this.tenants.size > 1;
    const now = Date.now();
    for (const s of batch.streams) {
      const plan = s.labels.level === undefined ? this.opts.plans.column : this.opts.plans.label;
      if (!matchesLabels(plan.matchers, s.labels)) continue;
      const streamLabels = multiTenant ? { ...s.labels, __tenant_id__: batch.tenant } : s.labels;
      for (const e of s.entries) {
        if (plan.levels && !plan.levels.includes(e.level)) continue;
        if (plan.line && !evalLinePredicate(plan.line, e.line, compileRegex)) continue;
        const res = plan.pipeline.process(e.ts, e.line, streamLabels, e.metadata, e.level);
        if (!res) continue;
        if (this.timer && this.opts.skip?.(labelsToString(res.labels), e.ts, res.line)) continue;
        if (this.buf.length >= this.opts.maxBuffered) {
          if (this.dropped.length < MAX_DROPPED_REPORTED) this.dropped.push({ labels: res.labels, timestamp: e.ts.toString() });
          continue;
        }
        this.buf.push({ labels: res.labels, ts: e.ts, line: res.line, at: now });
      }
    }
  }

  /** Sends what is due; public for the route's first flush and for tests. */
  flush(): void {
    if (this.closed) return;
    const due = Date.now() - this.opts.delayMs;
    let n = 0;
    while (n < this.buf.length && this.buf[n].at <= due) n++;
    if (n === 0 && this.dropped.length === 0) return;
    const out = this.buf.splice(0, n);
    const groups = new Map<string, TailMessage['streams'][number]>();
    for (const b of out) {
      const key = labelsToString(b.labels);
      // Checked when sent, not only when offered: entries offered before start() may be in the
      // backlog the route read from storage meanwhile.
      if (this.opts.skip?.(key, b.ts, b.line)) continue;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { stream: b.labels, values: [] }));
      g.values.push([b.ts.toString(), b.line]);
    }
    if (groups.size === 0 && this.dropped.length === 0) return;
    const dropped = this.dropped.length > 0 ? this.dropped : null;
    this.dropped = [];
    this.opts.send({ streams: [...groups.values()], dropped_entries: dropped });
  }
}
