/**
 * The pattern miner: learns the patterns of each stream's lines as they are committed, and
 * counts each pattern's lines in time buckets.
 *
 * Per tenant, per stream (its labels), per detected level, one Drain tree (drain.ts). Each
 * cluster keeps counts per `bucketMs` bucket of the entries' own timestamps, for `retentionMs`.
 *
 * Memory is bounded per tenant: a stream keeps at most `maxClustersPerStream` clusters and a
 * tenant at most `maxClustersPerTenant`; past either bound the least recently used cluster (of
 * the stream, or of the tenant) is evicted and counted (`onEvict`). Streams left without
 * clusters are forgotten. A pattern evicted and seen again is learned anew (and is new again
 * for the new-pattern alert).
 *
 * Mining is off the acknowledgement path: `observe` only queues the committed batches (at most
 * `maxQueuedLines` lines; beyond, whole batches are dropped and counted with `onDrop`), and the
 * queue is mined on later turns of the event loop in slices of at most `sliceMs`, so a push is
 * never answered later because of the miner. `drain()` mines everything queued at once (tests).
 *
 * Its cost is bounded too: when mining takes more than `maxBusyShare` of the thread's time, the
 * miner samples (one line in `stride`, counted `stride` times), so under heavy ingest counts
 * become estimates and a pattern rarer than one line in `stride` may be learned late — the price
 * of keeping the miner's share of a saturated process within its budget (bench/patterns).
 */
import type { LogEntry, WriteBatch } from '../model/entry.js';
import type { Labels } from '../model/labels.js';
import { LEVEL_CODE, type Level } from '../model/level.js';
import { Drain, type Cluster } from './drain.js';
import { render, Tokenizer, VAR } from './tokenize.js';

/**
 * Leading tokens the Drain tree descends by. Zero: a leaf per token count, so a variable word
 * near the start of a line (`GET alice 200`, `GET bob 200`) cannot split one pattern into a
 * branch per value — the weakness of Drain's prefix layers when variables hold no digit. The
 * leaf scan this costs stays small: a stream rarely has many patterns of one token count, and
 * `maxClustersPerStream` bounds it.
 */
const PREFIX_DEPTH = 0;
const MAX_STRIDE = 64;
const BUSY_WINDOW_MS = 250;

export interface MinerOptions {
  maxClustersPerStream: number;
  maxClustersPerTenant: number;
  /** Width of a count bucket. */
  bucketMs: number;
  /** Buckets older than this (relative to the clock) are dropped. */
  retentionMs: number;
  /** Drain similarity threshold, 0..1. */
  similarity: number;
  /** Tokens per line at most; the rest of a longer line is one `<_>`. */
  maxTokens: number;
  /** Lines queued for mining at most; beyond, batches are dropped (counted by `onDrop`). */
  maxQueuedLines: number;
  /** Longest run of mining per event-loop turn. */
  sliceMs: number;
  /**
   * Share of wall time (0..1) mining may take on this thread, measured every 250 ms; above it,
   * the miner samples: it mines one line in `stride` (a power of two up to MAX_STRIDE, raised at
   * once to what fits the share) and counts it `stride` times, and halves the stride again once
   * under half the share. 0 = never sample.
   */
  maxBusyShare: number;
  /**
   * Lines at this level or above are never sampled out (the new-pattern alert's `minLevel`, so a
   * new error pattern is never missed under load); undefined: every level may be sampled.
   */
  alwaysMineFrom?: Level;
  now?: () => number;
  /** The clock of slices and of the busy share, in ms (default `performance.now`; tests). */
  sliceClock?: () => number;
  /** Clusters evicted by the bounds, per tenant (`pattern_clusters_evicted_total`). */
  onEvict?: (tenant: string, n: number) => void;
  /** Lines not mined because the queue was full (`pattern_lines_dropped_total`). */
  onDrop?: (n: number) => void;
  /** `onNewPattern` threw (the miner goes on). */
  onError?: (err: unknown) => void;
  /** A line started a cluster: a pattern never seen (or no longer remembered) in its stream. */
  onNewPattern?: (p: NewPattern) => void;
}

export interface NewPattern {
  tenant: string;
  labels: Labels;
  level: Level;
  /** The first line of the new pattern (its template so far). */
  line: string;
  /** When this process first saw the stream (ms since the epoch). */
  streamSinceMs: number;
}

/** One pattern's counts, as `GET /loki/api/v1/patterns` answers them. */
export interface PatternSeries {
  pattern: string;
  level: Level;
  /** [unix seconds, count], ascending. */
  samples: Array<[number, number]>;
}

interface MinedCluster extends Cluster {
  stream: StreamState;
  level: Level;
  /** bucket start (ms) → count; the count of `lastBucket` is in `lastCount` until folded. */
  buckets: Map<number, number>;
  lastBucket: number;
  lastCount: number;
  lastUsed: number;
}

interface StreamState {
  key: string;
  labels: Labels;
  sinceMs: number;
  trees: Map<Level, Drain<MinedCluster>>;
  /** The stream's clusters in least-recently-used order, like the tenant's. */
  clusters: Map<MinedCluster, true>;
}

interface TenantState {
  streams: Map<string, StreamState>;
  /** Clusters in least-recently-used order (Map keeps insertion order; touching re-inserts). */
  lru: Map<MinedCluster, true>;
}

export class PatternMiner {
  private readonly tenants = new Map<string, TenantState>();
  private readonly queue: WriteBatch[][] = [];
  private queuedLines = 0;
  private scheduled = false;
  private closed = false;
  /** Position in the head batch group (resumes a group cut by a time slice). */
  private cursor = { batch: 0, stream: 0, entry: 0 };
  private readonly now: () => number;
  private readonly tokenizer: Tokenizer;
  /** Incremented per mined group: a cluster moves in the LRU at most once per group. */
  private epoch = 0;
  private lastSweep = 0;
  /** Sampling (see `maxBusyShare`): mine one line in `stride`; `phase` counts the skipped. */
  private strideNow = 1;
  private phase = 0;
  private readonly sliceClock: () => number;
  private readonly alwaysFrom: number;
  private windowStart: number;
  private windowBusy = 0;
  private busyTotal = 0;

  constructor(private readonly opts: MinerOptions) {
    this.now = opts.now ?? Date.now;
    this.tokenizer = new Tokenizer(opts.maxTokens);
    this.sliceClock = opts.sliceClock ?? (() => performance.now());
    this.alwaysFrom = opts.alwaysMineFrom === undefined ? Infinity : LEVEL_CODE[opts.alwaysMineFrom];
    this.windowStart = this.sliceClock();
  }

  /** Queues committed batches for mining; never throws, never blocks. */
  observe(batches: readonly WriteBatch[]): void {
    if (this.closed) return;
    let n = 0;
    for (const b of batches) for (const s of b.streams) n += s.entries.length;
    if (n === 0) return;
    if (this.queuedLines + n > this.opts.maxQueuedLines) {
      this.opts.onDrop?.(n);
      return;
    }
    this.queue.push(batches as WriteBatch[]);
    this.queuedLines += n;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.runSlice());
    }
  }

  /** Mines everything queued now. */
  drain(): void {
    this.mine(Infinity, this.now);
  }

  /** Stops mining; what is queued is dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedLines = 0;
  }

  /** Lines waiting to be mined. */
  get queued(): number {
    return this.queuedLines;
  }

  /** Clusters held for a tenant (all tenants when omitted). */
  clusterCount(tenant?: string): number {
    if (tenant !== undefined) return this.tenants.get(tenant)?.lru.size ?? 0;
    let n = 0;
    for (const t of this.tenants.values()) n += t.lru.size;
    return n;
  }

  /** Milliseconds spent mining on the event loop so far (`pattern_mining_seconds_total`). */
  get busyMs(): number {
    return this.busyTotal;
  }

  /** Lines mined per line counted: 1, or more while sampling under load (`maxBusyShare`). */
  get stride(): number {
    return this.strideNow;
  }

  private runSlice(): void {
    this.scheduled = false;
    if (this.closed) return;
    const t0 = this.sliceClock();
    this.mine(t0 + this.opts.sliceMs, this.sliceClock);
    const t1 = this.sliceClock();
    this.windowBusy += t1 - t0;
    this.busyTotal += t1 - t0;
    if (this.opts.maxBusyShare > 0 && t1 - this.windowStart >= BUSY_WINDOW_MS) {
      const share = this.windowBusy / (t1 - this.windowStart);
      // Straight to the stride that fits (a power of two), so a burst is within budget in one window.
      if (share > this.opts.maxBusyShare) this.strideNow = Math.min(MAX_STRIDE, this.strideNow * 2 ** Math.ceil(Math.log2(share / this.opts.maxBusyShare)));
      else if (share < this.opts.maxBusyShare / 2 && this.strideNow > 1) this.strideNow /= 2;
      this.windowStart = t1;
      this.windowBusy = 0;
    }
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.runSlice());
    }
  }

  /** Mines queued groups until the queue is empty or `clock` passes `deadline`. */
  private mine(deadline: number, clock: () => number): void {
    let sinceCheck = 0;
    while (this.queue.length > 0) {
      const group = this.queue[0];
      const c = this.cursor;
      for (; c.batch < group.length; c.batch++, c.stream = 0) {
        const b = group[c.batch];
        const tenant = this.tenant(b.tenant);
        for (; c.stream < b.streams.length; c.stream++, c.entry = 0) {
          const s = b.streams[c.stream];
          const st = this.stream(tenant, b.tenant, s.key, s.labels);
          const entries = s.entries;
          for (; c.entry < entries.length; c.entry++) {
            this.queuedLines--;
            const e = entries[c.entry];
            let weight = 1;
            if (this.strideNow > 1 && LEVEL_CODE[e.level] < this.alwaysFrom) {
              if (++this.phase < this.strideNow) continue;
              this.phase = 0;
              weight = this.strideNow;
            }
            this.mineEntry(b.tenant, tenant, st, e, weight);
            if (++sinceCheck === 256) {
              sinceCheck = 0;
              if (clock() >= deadline) {
                c.entry++;
                return;
              }
            }
          }
        }
      }
      this.queue.shift();
      this.cursor = { batch: 0, stream: 0, entry: 0 };
      this.epoch++;
      this.sweepIfDue();
    }
  }

  private tenant(name: string): TenantState {
    let t = this.tenants.get(name);
    if (!t) {
      t = { streams: new Map(), lru: new Map() };
      this.tenants.set(name, t);
    }
    return t;
  }

  private stream(t: TenantState, tenant: string, key: string, labels: Labels): StreamState {
    let s = t.streams.get(key);
    if (!s) {
      s = { key, labels, sinceMs: this.now(), trees: new Map(), clusters: new Map() };
      t.streams.set(key, s);
    }
    return s;
  }

  private mineEntry(tenantName: string, tenant: TenantState, st: StreamState, e: LogEntry, weight: number): void {
    let tree = st.trees.get(e.level);
    if (!tree) {
      const level = e.level;
      tree = new Drain<MinedCluster>({ depth: PREFIX_DEPTH, maxChildren: 100, similarity: this.opts.similarity }, (tk: Tokenizer, leaf) => {
        const words: string[] = [];
        for (let i = 0; i < tk.n; i++) words.push(tk.word(i));
        if (tk.cut) words[words.length - 1] = VAR;
        return { words, glued: tk.glued.slice(0, tk.n), leaf, stream: st, level, buckets: new Map(), lastBucket: NaN, lastCount: 0, lastUsed: -1 };
      });
      st.trees.set(e.level, tree);
    }
    const { cluster, created } = tree.add(this.tokenizer.run(e.line));
    const bucket = Math.floor(Number(e.ts) / 1e6 / this.opts.bucketMs) * this.opts.bucketMs;
    // Consecutive lines of a cluster mostly share a bucket: count there, fold into the map on change.
    if (bucket === cluster.lastBucket) cluster.lastCount += weight;
    else {
      fold(cluster);
      cluster.lastBucket = bucket;
      cluster.lastCount = weight;
    }
    if (cluster.lastUsed !== this.epoch) {
      cluster.lastUsed = this.epoch;
      tenant.lru.delete(cluster);
      tenant.lru.set(cluster, true);
      st.clusters.delete(cluster);
      st.clusters.set(cluster, true);
    }
    if (!created) return;
    if (this.opts.onNewPattern) {
      // Mining runs on its own event-loop turns: an exception here would have no caller to reach.
      try {
        this.opts.onNewPattern({ tenant: tenantName, labels: st.labels, level: e.level, line: e.line, streamSinceMs: st.sinceMs });
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
    let evicted = 0;
    if (st.clusters.size > this.opts.maxClustersPerStream) {
      const oldest = st.clusters.keys().next().value as MinedCluster;
      if (oldest !== cluster) {
        this.evict(tenant, oldest);
        evicted++;
      }
    }
    while (tenant.lru.size > this.opts.maxClustersPerTenant) {
      const oldest = tenant.lru.keys().next().value as MinedCluster;
      if (oldest === cluster) break;
      this.evict(tenant, oldest);
      evicted++;
    }
    if (evicted > 0) this.opts.onEvict?.(tenantName, evicted);
  }

  private evict(tenant: TenantState, c: MinedCluster): void {
    tenant.lru.delete(c);
    const st = c.stream;
    st.clusters.delete(c);
    st.trees.get(c.level)?.remove(c);
    if (st.clusters.size === 0) tenant.streams.delete(st.key);
  }

  /** Drops buckets past the retention window, at most once per bucket width. */
  private sweepIfDue(): void {
    const now = this.now();
    if (now - this.lastSweep < this.opts.bucketMs) return;
    this.lastSweep = now;
    const oldest = now - this.opts.retentionMs;
    for (const t of this.tenants.values()) {
      for (const c of t.lru.keys()) {
        fold(c);
        for (const b of c.buckets.keys()) if (b < oldest) c.buckets.delete(b);
      }
    }
  }

  /**
   * The patterns of the streams of `tenants` whose labels pass `match`, with counts per `stepMs`
   * between `startMs` and `endMs` (inclusive); the same pattern at the same level in several
   * streams is one series. Sorted by total count, largest first; patterns without a sample in
   * the range are left out.
   */
  query(tenants: readonly string[], match: (labels: Labels) => boolean, startMs: number, endMs: number, stepMs: number, limit: number): PatternSeries[] {
    const step = Math.max(stepMs, this.opts.bucketMs);
    const out = new Map<string, { pattern: string; level: Level; points: Map<number, number>; total: number }>();
    for (const name of tenants) {
      const t = this.tenants.get(name);
      if (!t) continue;
      for (const st of t.streams.values()) {
        if (!match(st.labels)) continue;
        for (const c of st.clusters.keys()) {
          fold(c);
          let acc: { pattern: string; level: Level; points: Map<number, number>; total: number } | undefined;
          for (const [b, n] of c.buckets) {
            if (b + this.opts.bucketMs <= startMs || b > endMs) continue;
            if (!acc) {
              c.pattern ??= render(c.words, c.glued);
              const key = c.level + '\x00' + c.pattern;
              acc = out.get(key);
              if (!acc) {
                acc = { pattern: c.pattern, level: c.level, points: new Map(), total: 0 };
                out.set(key, acc);
              }
            }
            const at = Math.floor(b / step) * step;
            acc.points.set(at, (acc.points.get(at) ?? 0) + n);
            acc.total += n;
          }
        }
      }
    }
    return [...out.values()]
      .sort((a, b) => b.total - a.total || (a.pattern < b.pattern ? -1 : 1))
      .slice(0, limit)
      .map((s) => ({
        pattern: s.pattern,
        level: s.level,
        samples: [...s.points].sort((a, b) => a[0] - b[0]).map(([ms, n]): [number, number] => [Math.floor(ms / 1000), n]),
      }));
  }
}

/** Moves the pending count of a cluster's last bucket into its map. */
function fold(c: MinedCluster): void {
  if (c.lastCount === 0) return;
  c.buckets.set(c.lastBucket, (c.buckets.get(c.lastBucket) ?? 0) + c.lastCount);
  c.lastCount = 0;
}
