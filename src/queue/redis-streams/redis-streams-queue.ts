/**
 * The distributed queue: Redis Streams with one consumer group (see docs/cluster.md).
 *
 * - `append` splits a batch by partition (stream id modulo `partitions`) and runs one script per
 *   partition that XADDs one entry (many lines, codec.ts) and counts its lines; it resolves once
 *   every part is in Redis. Ingest acknowledges the client then.
 * - `consume` starts one loop per partition, each on its own connection (XREADGROUP blocks it):
 *   read up to `readCount` entries with BLOCK, hand them to the handler, then acknowledge and
 *   delete them in one script. Calls of the handler overlap, at most one per partition, so the
 *   entries of one stream reach one processor's handler in append order.
 * - Delivery is at least once: when the handler rejects (or the ack is lost), the loop backs off
 *   and re-reads this consumer's own pending entries (XREADGROUP from `0`) before new ones; what a
 *   dead processor left pending is taken over with XAUTOCLAIM once idle for `claimIdleMs`.
 *   Storage writes are idempotent, so redelivery never duplicates rows.
 * - Poison entries: a retryable refusal (storage unreachable) is retried as long as it lasts; a
 *   permanent one `maxPermanentFailures` times, then the entries are handed over one at a time
 *   and those still refused move to `<prefix>:{p<N>}:dead` with the error, and are acknowledged.
 * - Backlog = lines appended and not yet acknowledged, kept exactly in one counter per partition
 *   (updated by the same scripts that append and acknowledge) and sampled every `sampleMs`;
 *   `append` refuses with QUEUE_FULL (429, Retry-After) when it would pass `maxBacklog`.
 * - No MAXLEN trimming: it would drop entries nobody has consumed. Acknowledged entries are
 *   XDELed instead, and `maxBacklog` bounds the rest.
 */
import { redactUrl } from '../../config/redact.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { batchSize, type StreamEntries, type WriteBatch } from '../../model/entry.js';
import { LogSentinelError } from '../../errors.js';
import type { BatchHandler, Queue } from '../queue.js';
import { decodeEntry, encodeEntry } from './codec.js';
import { GROUP, partitionKeys, partitionOf, processorsKey, type PartitionKeys } from './keys.js';
import { ACK, APPEND, PRUNE_CONSUMERS, runScript } from './scripts.js';

export interface RedisStreamsQueueOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** Prefix of every key, so several deployments (or test runs) can share one Redis. */
  prefix: string;
  partitions: number;
  /** Lines appended and not yet acknowledged past which `append` refuses with 429. */
  maxBacklog: number;
  /** Pending entries idle this long are taken over from the consumer that read them. */
  claimIdleMs: number;
  /** Stream entries read (or claimed) per call. */
  readCount: number;
  /** How long one XREADGROUP blocks waiting for entries; also bounds how long `close` waits. */
  blockMs: number;
  /**
   * Consumer name in the group; default `<hostname>-<pid>-<random>`, unique per start. A stable
   * name (one per processor, never two running at once) lets a restarted processor resume its
   * own pending entries at once.
   */
  consumer?: string;
  /** How often the backlog counters are sampled and this consumer's heartbeat is written. */
  sampleMs?: number;
  /**
   * Consumers with nothing pending that have not read for this long are removed from the group
   * (dead processors whose entries were claimed). Default max(10 × claimIdleMs, 10 min).
   */
  pruneIdleMs?: number;
  /** Seconds sent in Retry-After when the backlog is full. */
  retryAfterSeconds?: number;
  /**
   * Deliveries the handler refused with a permanent (not `retryable`) error before the entries
   * are handed over one at a time and those still refused are moved to the dead-letter stream.
   * Retryable refusals (storage unreachable) are retried for as long as they last. Default 5.
   */
  maxPermanentFailures?: number;
  /** Errors of the background loops (they retry on their own). */
  onError?: (what: string, err: unknown) => void;
  /** An entry (carrying `lines` log lines) was moved to the dead-letter stream. */
  onDeadLetter?: (lines: number) => void;
}

export interface RedisQueueStats {
  /** Stream entries not yet delivered to any consumer (XINFO GROUPS lag), over all partitions. */
  lagEntries: number;
  /** Stream entries delivered and not yet acknowledged. */
  pendingEntries: number;
  /** Consumers whose heartbeat is recent. */
  activeProcessors: number;
}

interface ReadEntry {
  id: string;
  /** null when the entry was deleted while pending (XREADGROUP from 0, XAUTOCLAIM). */
  fields: string[] | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function redisOptions(): RedisOptions {
  return {
    lazyConnect: true,
    // RESP2: replies keep the shapes the Redis command docs describe (RESP3 turns XREADGROUP's
    // array of [key, entries] into a map).
    protocol: 2,
    // Fail fast while disconnected: ingest answers 503 and the client retries, instead of
    // holding requests in memory until Redis comes back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
  };
}

export class RedisStreamsQueue implements Queue {
  readonly name = 'redis';
  readonly consumerName: string;
  private readonly cmd: Redis;
  private readonly keys: PartitionKeys[];
  private readonly sampleMs: number;
  private readonly lines: number[];
  /** Per partition: sequence of the last command sent that returns its counter, and of the last applied. */
  private readonly sentSeq: number[];
  /** Permanent handler refusals per entry id, until the entry is stored or dead-lettered. */
  private readonly failures = new Map<string, number>();
  private readonly appliedSeq: number[];
  private inflightLines = 0;
  private handler?: BatchHandler;
  private readers: Redis[] = [];
  private loops: Promise<void>[] = [];
  private claimCursor: string[];
  private timer?: NodeJS.Timeout;
  private closed = false;
  private closing?: Promise<void>;

  constructor(private readonly opts: RedisStreamsQueueOptions) {
    if (!Number.isInteger(opts.partitions) || opts.partitions < 1) throw new Error(`cannot create redis queue: partitions must be a positive integer, got ${opts.partitions}`);
    this.consumerName = opts.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.cmd = new Redis(opts.url, redisOptions());
    this.cmd.on('error', () => {
      // Connection errors surface on the commands that fail; ioredis reconnects by itself.
    });
    this.keys = Array.from({ length: opts.partitions }, (_, p) => partitionKeys(opts.prefix, p));
    this.sampleMs = opts.sampleMs ?? 250;
    this.lines = new Array<number>(opts.partitions).fill(0);
    this.sentSeq = new Array<number>(opts.partitions).fill(0);
    this.appliedSeq = new Array<number>(opts.partitions).fill(0);
    this.claimCursor = new Array<string>(opts.partitions).fill('0-0');
  }

  /** Connects, creates the consumer group on every partition, and starts sampling the backlog. */
  async open(): Promise<void> {
    try {
      await this.cmd.connect();
    } catch (err) {
      this.cmd.disconnect();
      throw new Error(`cannot connect to redis at ${redactUrl(this.opts.url)}: ${(err as Error).message}`, { cause: err });
    }
    for (let p = 0; p < this.keys.length; p++) await this.ensureGroup(p);
    await this.sample();
    this.timer = setInterval(() => void this.tick(), this.sampleMs);
    this.timer.unref();
  }

  depth(): number {
    let n = this.inflightLines;
    for (const l of this.lines) n += l;
    return n;
  }

  /** PING, failing within `timeoutMs`: readiness of the roles that use the queue. */
  async ping(timeoutMs = 1000): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.cmd.ping(),
        new Promise((_, rej) => {
          t = setTimeout(() => rej(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(t);
    }
  }

  async append(batch: WriteBatch): Promise<void> {
    if (this.closed) throw new LogSentinelError('NOT_READY', 'cannot accept push: server is shutting down', { retryAfter: 1 });
    const size = batchSize(batch);
    if (size === 0) return;
    const depth = this.depth();
    if (depth > 0 && depth + size > this.opts.maxBacklog) {
      throw new LogSentinelError('QUEUE_FULL', `cannot accept push: ${depth} entries are waiting in the queue (limit ${this.opts.maxBacklog})`, {
        retryAfter: this.opts.retryAfterSeconds ?? 1,
      });
    }
    const parts = new Map<number, StreamEntries[]>();
    for (const s of batch.streams) {
      if (s.entries.length === 0) continue;
      const p = partitionOf(s.id, this.keys.length);
      const list = parts.get(p);
      if (list) list.push(s);
      else parts.set(p, [s]);
    }
    this.inflightLines += size;
    const results = await Promise.allSettled(
      [...parts].map(async ([p, streams]) => {
        const { fields, lines } = encodeEntry(batch.tenant, streams);
        const k = this.keys[p];
        const seq = ++this.sentSeq[p];
        try {
          const res = (await runScript(this.cmd, APPEND, [k.entries, k.lines], [lines, ...fields])) as [string, number];
          this.applyCount(p, seq, Number(res[1]));
        } finally {
          this.inflightLines -= lines;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Parts that did reach Redis stay there; the client's retry appends them again and
      // idempotent storage writes keep one copy.
      const err = failed.reason as Error;
      throw new LogSentinelError('NOT_READY', `cannot append to redis queue: ${err.message}`, { retryAfter: 1, retryable: true, cause: err });
    }
  }

  consume(handler: BatchHandler): void {
    if (this.handler) throw new Error('BUG: RedisStreamsQueue.consume called twice');
    if (this.closed) return;
    this.handler = handler;
    for (let p = 0; p < this.keys.length; p++) {
      const conn = this.cmd.duplicate();
      conn.on('error', () => {});
      this.readers.push(conn);
      this.loops.push(this.partitionLoop(p, conn));
    }
    void this.heartbeat();
  }

  /** Lag, pending entries and live processors, read from Redis (for metrics). */
  async stats(): Promise<RedisQueueStats> {
    let lagEntries = 0;
    let pendingEntries = 0;
    for (const k of this.keys) {
      const groups = (await this.cmd.call('XINFO', ['GROUPS', k.entries])) as unknown[][];
      for (const g of groups) {
        const info = toRecord(g);
        if (info.name !== GROUP) continue;
        const pending = Number(info.pending ?? 0);
        pendingEntries += pending;
        if (info.lag !== null && info.lag !== undefined) lagEntries += Number(info.lag);
        else lagEntries += Math.max(0, (await this.cmd.xlen(k.entries)) - pending);
      }
    }
    const activeProcessors = await this.cmd.zcount(processorsKey(this.opts.prefix), Date.now() - this.staleMs(), '+inf');
    return { lagEntries, pendingEntries, activeProcessors };
  }

  close(): Promise<void> {
    return (this.closing ??= this.doClose());
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    // Each loop ends after its current read (at most blockMs) and handler call.
    await Promise.allSettled(this.loops);
    if (this.handler && this.cmd.status === 'ready') {
      await this.cmd.zrem(processorsKey(this.opts.prefix), this.consumerName).catch(() => {});
      // Leave the group tidy, but never drop a pending entry with its consumer.
      for (const k of this.keys) {
        const mine = (await this.cmd.call('XPENDING', [k.entries, GROUP, '-', '+', '1', this.consumerName]).catch(() => [1])) as unknown[];
        if (mine.length === 0) await this.cmd.call('XGROUP', ['DELCONSUMER', k.entries, GROUP, this.consumerName]).catch(() => {});
      }
    }
    for (const r of this.readers) r.disconnect();
    await this.cmd.quit().catch(() => this.cmd.disconnect());
  }

  private staleMs(): number {
    // Heartbeats come about once a second; five missed ones mean the processor is gone.
    return 5000;
  }

  private applyCount(p: number, seq: number, value: number): void {
    // Redis runs one connection's commands in order, so the reply of the latest sent command
    // holds the newest value; replies handled out of order must not roll it back.
    if (seq > this.appliedSeq[p]) {
      this.appliedSeq[p] = seq;
      this.lines[p] = Math.max(0, value);
    }
  }

  private async sample(): Promise<void> {
    await Promise.all(
      this.keys.map(async (k, p) => {
        const seq = ++this.sentSeq[p];
        const v = await this.cmd.get(k.lines);
        this.applyCount(p, seq, Number(v ?? 0));
      }),
    );
  }

  private ticks = 0;
  private async tick(): Promise<void> {
    if (this.closed || this.cmd.status !== 'ready') return;
    try {
      await this.sample();
      // Heartbeat about once a second.
      if (this.handler && ++this.ticks % Math.max(1, Math.round(1000 / this.sampleMs)) === 0) await this.heartbeat();
    } catch (err) {
      this.opts.onError?.('sample redis queue backlog', err);
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.closed) return;
    const key = processorsKey(this.opts.prefix);
    const now = Date.now();
    await this.cmd.zadd(key, now, this.consumerName).catch(() => {});
    await this.cmd.zremrangebyscore(key, '-inf', now - 10 * this.staleMs()).catch(() => {});
  }

  private async ensureGroup(p: number): Promise<void> {
    try {
      await this.cmd.call('XGROUP', ['CREATE', this.keys[p].entries, GROUP, '0', 'MKSTREAM']);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
    }
  }

  private async partitionLoop(p: number, conn: Redis): Promise<void> {
    const k = this.keys[p];
    // What this consumer already read and did not acknowledge comes first: after an error, and at
    // start, since a consumer with a stable name (queue.redis.consumerName, a StatefulSet pod's
    // name) may have died holding entries; re-reading them at once beats waiting for claimIdle.
    // A consumer with a fresh name holds nothing, and the first read from `0` returns empty.
    let ownPending = true;
    let lastClaim = 0;
    let lastPrune = Date.now();
    const pruneIdle = this.opts.pruneIdleMs ?? Math.max(10 * this.opts.claimIdleMs, 600_000);
    let backoff = 0;
    while (!this.closed) {
      try {
        if (conn.status === "wait") await conn.connect();
        let entries: ReadEntry[] = [];
        if (Date.now() - lastPrune >= Math.min(pruneIdle, 60_000)) {
          lastPrune = Date.now();
          await runScript(this.cmd, PRUNE_CONSUMERS, [k.entries], [GROUP, pruneIdle, this.consumerName]);
        }
        if (Date.now() - lastClaim >= Math.max(100, this.opts.claimIdleMs / 2)) {
          const res = (await this.cmd.call('XAUTOCLAIM', [k.entries, GROUP, this.consumerName, String(this.opts.claimIdleMs), this.claimCursor[p], 'COUNT', String(this.opts.readCount)])) as [string, unknown[], unknown[]?];
          this.claimCursor[p] = res[0];
          // Keep scanning the pending list without waiting while the cursor has not wrapped.
          if (res[0] === '0-0') lastClaim = Date.now();
          entries = toEntries(res[1]);
        }
        if (entries.length === 0) {
          const args = ['GROUP', GROUP, this.consumerName, 'COUNT', String(this.opts.readCount)];
          if (!ownPending) args.push('BLOCK', String(this.opts.blockMs));
          args.push('STREAMS', k.entries, ownPending ? '0' : '>');
          const res = (await conn.call('XREADGROUP', args)) as Array<[string, unknown[]]> | null;
          entries = res && res[0] ? toEntries(res[0][1]) : [];
          if (ownPending && entries.length === 0) ownPending = false;
        }
        if (entries.length > 0) await this.deliver(p, entries);
        backoff = 0;
      } catch (err) {
        if (this.closed) break;
        ownPending = true;
        if (err instanceof Error && err.message.startsWith('NOGROUP')) {
          // Redis lost the group (restarted without persistence): recreate it and go on.
          await this.ensureGroup(p).catch(() => {});
        } else {
          this.opts.onError?.(`consume redis queue partition ${p}`, err);
        }
        backoff = Math.min(Math.max(2 * backoff, 100), 5000);
        await sleep(backoff);
      }
    }
  }

  private countFailure(id: string): number {
    // Bounded: ids of entries another processor took over are never cleared here otherwise.
    if (this.failures.size >= 10_000 && !this.failures.has(id)) this.failures.clear();
    const n = (this.failures.get(id) ?? 0) + 1;
    this.failures.set(id, n);
    return n;
  }

  private async deliver(p: number, entries: ReadEntry[]): Promise<void> {
    const k = this.keys[p];
    const decoded: Array<{ id: string; fields: string[]; batch: WriteBatch; lines: number }> = [];
    const acks: Array<string | number> = [];
    for (const e of entries) {
      if (e.fields === null) {
        // Deleted while pending: nothing to deliver, only the pending entry to clear.
        acks.push(e.id, 0);
        continue;
      }
      try {
        const { batch, lines } = decodeEntry(e.fields);
        decoded.push({ id: e.id, fields: e.fields, batch, lines });
        acks.push(e.id, lines);
      } catch (err) {
        // Retrying cannot fix it: keep it aside for inspection and acknowledge it.
        this.opts.onError?.(`decode redis queue entry ${k.entries} ${e.id} (moved to ${k.dead})`, err);
        await this.cmd.xadd(k.dead, '*', 'id', e.id, 'error', errorText(err), ...e.fields);
        const n = Number(fieldOf(e.fields, 'n'));
        const lines = Number.isSafeInteger(n) && n > 0 ? n : 0;
        this.opts.onDeadLetter?.(lines);
        acks.push(e.id, lines);
      }
    }
    if (decoded.length > 0) {
      try {
        await this.handler!(decoded.map((d) => d.batch));
        for (const d of decoded) this.failures.delete(d.id);
      } catch (err) {
        if (isRetryable(err)) throw err;
        // A permanent refusal: retried a few times (it may still be transient), then the
        // entries go one by one, so one poison entry cannot hold up its partition forever.
        let worst = 0;
        for (const d of decoded) worst = Math.max(worst, this.countFailure(d.id));
        if (worst < (this.opts.maxPermanentFailures ?? 5)) throw err;
        for (const d of decoded) {
          try {
            await this.handler!([d.batch]);
          } catch (one) {
            if (isRetryable(one)) throw one;
            this.opts.onError?.(`store redis queue entry ${k.entries} ${d.id} (moved to ${k.dead})`, one);
            await this.cmd.xadd(k.dead, '*', 'id', d.id, 'error', errorText(one), ...d.fields);
            this.opts.onDeadLetter?.(d.lines);
          }
          this.failures.delete(d.id);
        }
      }
    }
    const seq = ++this.sentSeq[p];
    const left = (await runScript(this.cmd, ACK, [k.entries, k.lines], [GROUP, ...acks])) as number;
    this.applyCount(p, seq, Number(left));
  }
}

/** Whether a handler failure may pass by itself (storage unreachable), so it is retried without limit. */
function isRetryable(err: unknown): boolean {
  return err instanceof LogSentinelError && err.retryable;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 1000);
}

function toEntries(raw: unknown[]): ReadEntry[] {
  const out: ReadEntry[] = [];
  for (const r of raw) {
    if (!Array.isArray(r)) continue;
    out.push({ id: String(r[0]), fields: Array.isArray(r[1]) ? (r[1] as unknown[]).map(String) : null });
  }
  return out;
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
