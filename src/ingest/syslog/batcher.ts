/**
 * SyslogBatcher: gathers decoded syslog messages for a few milliseconds (or up to `maxEntries` /
 * `maxBytes`) and appends them to the queue as one `WriteBatch`, so a flood of small messages
 * costs one append per batch rather than one per message.
 *
 * Contract
 * - One append is in flight at a time; messages arriving meanwhile fill the next batch, which is
 *   sent as soon as the append resolves. Memory is therefore bounded by two batches, plus what
 *   callers add after `full` turned true (they should stop reading: `whenRoom()`).
 * - `onFull: 'retry'` (TCP, TLS): a refused append (`QUEUE_FULL`, a storage error) is retried
 *   with backoff, up to 1 s apart, until it succeeds or `close()`'s deadline passes; the callers
 *   meanwhile pause their sockets, so the senders buffer, as RFC 6587 senders do.
 * - `onFull: 'drop'` (UDP): a refused append, or a message arriving while the next batch is full,
 *   is dropped and counted in `logs_rejected_total{reason="queue_full"}` — UDP cannot push back.
 * - A message is never lost to parsing: one that cannot be parsed is kept as a raw line (see
 *   entry.ts); one whose timestamp ingest limits refuse (too new: a BSD sender in another time
 *   zone) is stamped with the time received instead; one whose labels or metadata they refuse
 *   is kept raw.
 * - Per-tenant limits (`tenantLimits`): a stream over the tenant's active stream limit loses its
 *   messages (counted `stream_limit`, not moved to another stream); a batch over the tenant's
 *   ingestion rate is held and retried like a refused append (TCP, TLS), or dropped and counted
 *   `rate_limited` (UDP). A batch larger than the burst passes once the bucket is full, leaving
 *   it in debt (the rate holds on average).
 * - Entries of one stream that carry the same timestamp are moved 1 ns apart in arrival order, so
 *   identical lines within one second (RFC 3164 has second precision) are not taken for retried
 *   duplicates by the store's idempotency check.
 */
import type { Queue } from '../../queue/queue.js';
import type { Metrics } from '../../telemetry/metrics.js';
import type { Logger } from '../../telemetry/logger.js';
import type { IngestLimits } from '../common/limits.js';
import { StreamGrouper, type StreamHandle } from '../common/stream-grouper.js';
import { truncateUtf8 } from '../common/validate.js';
import { formatRfc3339 } from '../common/timestamp.js';
import { LogSentinelError } from '../../errors.js';
import type { TenantLimiter } from '../../limits/index.js';
import { LogThrottle } from '../../telemetry/log-throttle.js';
import { parseSyslog } from './message.js';
import { UNKNOWN_APP, toEntry, type SyslogEntry } from './entry.js';

export type SyslogTransport = 'tcp' | 'udp' | 'tls';

export const PROTOCOL = 'syslog';

export interface SyslogBatcherOptions {
  queue: Queue;
  tenant: string;
  limits: IngestLimits;
  metrics: Metrics;
  logger: Logger;
  onFull: 'retry' | 'drop';
  /** Per-tenant limits (overrides, active streams, rate); absent: `limits`, no stream or rate limit. */
  tenantLimits?: TenantLimiter;
  /** Entries per batch (default 5000). */
  maxEntries?: number;
  /** Bytes of received messages per batch (default 4 MiB). */
  maxBytes?: number;
  /** How long the first message of a batch waits for others (default 5 ms). */
  delayMs?: number;
}

const TIE_MAP_MAX = 10_000;
const MAX_RETRY_DELAY_MS = 1000;

function stripTrailer(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 0) break;
    end--;
  }
  return end === s.length ? s : s.slice(0, end);
}

function restamped(e: SyslogEntry): SyslogEntry {
  const note = `timestamp ${formatRfc3339(e.ts ?? 0n)} refused by ingest limits; stamped with the time received`;
  const prev = e.metadata.syslog_error;
  return { ...e, ts: undefined, metadata: { ...e.metadata, syslog_error: prev === undefined ? note : `${prev}; ${note}` } };
}

export class SyslogBatcher {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly delayMs: number;
  private grouper: StreamGrouper | undefined;
  /** The limits the current batch is checked against (the tenant's, at the batch's start). */
  private limits: IngestLimits;
  /** Streams of the current batch refused for the active stream limit, and their lost messages. */
  private overLimit = new Set<string>();
  private admitRefused = false;
  private streamLimited = 0;
  private readonly dropLog = new LogThrottle();
  private handles = new Map<string, StreamHandle | null>();
  private entries = 0;
  private bytes = 0;
  private firstAt = 0n;
  private malformed = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private waiters: Array<() => void> = [];
  private readonly lastTs = new Map<string, { src: bigint; out: bigint }>();
  private closing = false;
  private closeDeadline = 0;
  private failing = false;

  constructor(private readonly opts: SyslogBatcherOptions) {
    this.maxEntries = opts.maxEntries ?? 5000;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.delayMs = opts.delayMs ?? 5;
    this.limits = opts.limits;
  }

  /** True while the next batch is full and an append is still in flight: stop reading. */
  get full(): boolean {
    return this.entries >= this.maxEntries || this.bytes >= this.maxBytes;
  }

  /** Resolves once `full` is false again. */
  whenRoom(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /**
   * Decodes one framed message and adds it to the next batch. `cut` says the framer truncated it.
   * Returns false when the message was dropped (UDP while full); it is then counted.
   */
  add(raw: Buffer, cut: boolean, peer: string, transport: SyslogTransport): boolean {
    if (this.full && this.opts.onFull === 'drop') {
      this.opts.metrics.logsRejected.inc({ tenant: this.opts.tenant, protocol: PROTOCOL, reason: 'queue_full' });
      return false;
    }
    const text = stripTrailer(raw.toString('utf8'));
    const m = parseSyslog(text, Date.now());
    const e = toEntry(m, peer, cut);
    let reason = cut ? 'too_long' : m.error !== undefined ? 'unparsable' : undefined;
    this.bytes += raw.length;
    this.entries++;
    if (!this.addEntry(e, e.ts)) {
      if (this.overLimit.has(e.sig)) {
        this.streamLimited++;
        return true;
      }
      // Refused as parsed. A timestamp out of the accepted window (a BSD sender in another time
      // zone) costs only the timestamp; anything else (labels, metadata) keeps the message raw.
      if (e.ts !== undefined && this.addEntry(restamped(e), undefined)) reason ??= 'timestamp';
      else if (this.addRaw(text, peer, e)) reason ??= 'unparsable';
      else this.opts.metrics.logsRejected.inc({ tenant: this.opts.tenant, protocol: PROTOCOL, reason: 'invalid' });
    }
    if (reason !== undefined) {
      const k = transport + '\x00' + reason;
      this.malformed.set(k, (this.malformed.get(k) ?? 0) + 1);
    }
    if (this.inflight === undefined) {
      if (this.full) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
    }
    return true;
  }

  private group(): StreamGrouper {
    if (this.grouper === undefined) {
      const po = this.opts.tenantLimits?.pushOptions(this.opts.tenant);
      this.limits = po?.limits ?? this.opts.limits;
      const admit = po?.grouper.admitStream;
      this.grouper = new StreamGrouper(this.opts.tenant, this.limits, BigInt(Date.now()) * 1_000_000n, {
        countBytes: po?.grouper.countBytes,
        admitStream:
          admit &&
          ((id, key) => {
            const ok = admit(id, key);
            if (!ok) this.admitRefused = true;
            return ok;
          }),
      });
      this.firstAt = process.hrtime.bigint();
    }
    return this.grouper;
  }

  private addEntry(e: SyslogEntry, ts: bigint | undefined): boolean {
    const g = this.group();
    let h = this.handles.get(e.sig);
    if (h === undefined) {
      this.admitRefused = false;
      h = g.openObject(e.labels, 1);
      this.handles.set(e.sig, h);
      if (h === null && this.admitRefused) this.overLimit.add(e.sig);
    }
    if (h === null) return false;
    const md = Object.keys(e.metadata).length > 0 ? e.metadata : undefined;
    return g.add(h, this.tieBreak(e.sig, ts ?? BigInt(Date.now()) * 1_000_000n), e.line, md, this.entries, e.level);
  }

  /** The parsed form was refused by ingest limits: keep the message raw, stamped now. */
  private addRaw(text: string, peer: string, parsed: SyslogEntry): boolean {
    const max = this.limits.maxLineSize;
    const line = max > 0 ? truncateUtf8(text, max) : text;
    const md: Record<string, string> = { syslog_error: 'refused by ingest limits as parsed (timestamp, labels or metadata); kept raw' };
    if (parsed.metadata.facility !== undefined) md.facility = parsed.metadata.facility;
    if (parsed.metadata.severity !== undefined) md.severity = parsed.metadata.severity;
    const host = parsed.labels.host.length <= 255 ? parsed.labels.host : peer;
    const e: SyslogEntry = { labels: { app: UNKNOWN_APP, host }, sig: UNKNOWN_APP + '\x00' + host, ts: undefined, line, metadata: md, level: parsed.level };
    return this.addEntry(e, undefined);
  }

  private tieBreak(sig: string, src: bigint): bigint {
    const last = this.lastTs.get(sig);
    const out = last !== undefined && last.src === src ? last.out + 1n : src;
    if (last !== undefined) {
      last.src = src;
      last.out = out;
    } else {
      if (this.lastTs.size >= TIE_MAP_MAX) this.lastTs.clear();
      this.lastTs.set(sig, { src, out });
    }
    return out;
  }

  /** Sends the next batch now, unless an append is in flight (it then follows that one). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inflight !== undefined || this.grouper === undefined) return;
    const res = this.grouper.result();
    const { metrics } = this.opts;
    metrics.bytesReceived.inc({ protocol: PROTOCOL }, this.bytes);
    if (this.streamLimited > 0) {
      metrics.logsRejected.inc({ tenant: this.opts.tenant, protocol: PROTOCOL, reason: 'stream_limit' }, this.streamLimited);
      const skipped = this.dropLog.take('stream_limit');
      if (skipped >= 0) this.opts.logger.warn({ tenant: this.opts.tenant, dropped: this.streamLimited, similarLinesSkipped: skipped }, 'syslog messages dropped: their streams are over the tenant\'s active stream limit');
    }
    for (const [k, n] of this.malformed) {
      const [transport, reason] = k.split('\x00');
      metrics.syslogMalformed.inc({ transport, reason }, n);
    }
    const started = this.firstAt;
    this.grouper = undefined;
    this.handles = new Map();
    this.entries = 0;
    this.bytes = 0;
    this.malformed = new Map();
    this.overLimit = new Set();
    this.streamLimited = 0;
    if (res.accepted === 0) {
      this.wake();
      return;
    }
    this.inflight = this.send(res.batch, res.accepted, res.acceptedBytes, started).finally(() => {
      this.inflight = undefined;
      if (this.grouper !== undefined) {
        if (this.full || this.closing) this.flush();
        else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
      }
      this.wake();
    });
  }

  private wake(): void {
    if (this.full) return;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private async send(batch: Parameters<Queue['append']>[0], accepted: number, bytes: number, started: bigint): Promise<void> {
    const { queue, metrics, tenant, logger } = this.opts;
    let delay = 50;
    // The rate is taken once; a retry after a refused append does not pay it again.
    let rated = this.opts.tenantLimits === undefined;
    for (;;) {
      try {
        if (!rated) {
          // A batch is LogSentinel's own grouping: one larger than the burst passes once the bucket is full.
          const limited = this.opts.tenantLimits?.rateError(tenant, accepted, bytes, true);
          if (limited !== undefined) throw limited;
          rated = true;
        }
        await queue.append(batch);
        metrics.logsReceived.inc({ tenant, protocol: PROTOCOL }, accepted);
        metrics.processingLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
        if (this.failing) logger.info({ entries: accepted }, 'syslog entries accepted by the queue again');
        this.failing = false;
        return;
      } catch (err) {
        const code = err instanceof LogSentinelError ? err.code : undefined;
        const reason = code === 'QUEUE_FULL' ? 'queue_full' : code === 'RATE_LIMITED' ? 'rate_limited' : 'error';
        if (this.opts.onFull === 'drop' || (this.closing && Date.now() >= this.closeDeadline)) {
          metrics.logsRejected.inc({ tenant, protocol: PROTOCOL, reason }, accepted);
          const skipped = this.dropLog.take(reason);
          if (skipped >= 0) logger.warn({ err, entries: accepted, similarLinesSkipped: skipped }, `cannot append syslog entries to the queue: dropped ${accepted} entries`);
          return;
        }
        if (!this.failing) logger.warn({ err, entries: accepted }, 'cannot append syslog entries to the queue: retrying, TCP senders are paused');
        this.failing = true;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  /**
   * Sends what is pending and waits for it; appends still refused after `timeoutMs` are dropped
   * (and counted). Callers stop adding first.
   */
  async close(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    this.closeDeadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.inflight === undefined) {
        if (this.grouper === undefined) break;
        this.flush();
      }
      if (this.inflight !== undefined) await this.inflight;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
