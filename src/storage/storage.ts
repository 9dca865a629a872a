/**
 * The storage interface: where committed log entries live and how the query engine reads them.
 * Every backend (embedded DuckDB, PostgreSQL) implements it and passes `conformance.ts`.
 *
 * Contract
 * - `write` resolves only once the batches are durable (survives a crash of this process). It is
 *   idempotent: writing an entry identical to a stored one (same tenant, stream, timestamp and
 *   line) stores it once. Calls may overlap; the backend serialises what it must.
 * - `select` streams rows in `direction` order of timestamp (ties broken by stream id, then
 *   insertion order), in chunks, never materialising the whole range in JavaScript. Consumers
 *   may stop iterating at any time; the backend then releases what it held.
 * - Time ranges are `[start, end)` in nanoseconds, as Loki's query_range defines them.
 * - Errors are `LogSentinelError`s; `retryable` says whether the same call may succeed later
 *   (connection lost, database restarting) or never will (bad plan). A write refused for lack of
 *   disk space is `STORAGE_FULL` (503, retryable, Retry-After): it succeeds once space is freed.
 */
import type { Labels } from '../model/labels.js';
import type { Level } from '../model/level.js';
import type { Metadata, Nanos, WriteBatch } from '../model/entry.js';
import type { LinePredicate } from '../logql/plan.js';

export interface StreamInfo {
  tenant: string;
  id: bigint;
  labels: Labels;
  /** Earliest and latest entry timestamps written to the stream. */
  firstTs: Nanos;
  lastTs: Nanos;
}

export interface SelectPlan {
  tenant: string;
  /** Only entries of these streams; an empty list selects nothing. */
  streamIds: bigint[];
  start: Nanos;
  end: Nanos;
  direction: 'backward' | 'forward';
  /** Stop after this many rows; undefined = until the range is exhausted. */
  limit?: number;
  levels?: Level[];
  line?: LinePredicate;
  /** Rows per yielded chunk (a hint). */
  chunkSize?: number;
  signal?: AbortSignal;
  /**
   * Awaited before each fetched chunk is turned into rows, so that JavaScript work runs in the
   * query's share of the main thread (see src/query/cpu-scheduler.ts); may throw to stop.
   */
  pace?: () => Promise<void>;
}

export interface StoredRow {
  streamId: bigint;
  ts: Nanos;
  line: string;
  level: Level;
  metadata?: Metadata;
}

/**
 * A counting query: how many entries (and line bytes) fall in each time bucket, per stream, level
 * and structured metadata, for metric queries whose pipeline does nothing in JavaScript.
 * Buckets are left-open, right-closed like LogQL's range windows: bucket `b` holds the entries
 * with `origin + b*width < ts <= origin + (b+1)*width`, i.e. `b = floor((ts - origin - 1) / width)`.
 * The time range is `[start, end)` as for `select`; callers pass `start > origin`, so `b >= 0`.
 */
export interface CountPlan {
  tenant: string;
  /** Only entries of these streams; an empty list counts nothing. */
  streamIds: bigint[];
  start: Nanos;
  end: Nanos;
  levels?: Level[];
  line?: LinePredicate;
  origin: Nanos;
  /** Bucket width in nanoseconds, > 0. */
  width: Nanos;
  /**
   * Only these structured metadata keys tell entries apart, and only they are in the rows'
   * `metadata` (an entry without any of them: no `metadata`); undefined = all metadata. Callers
   * that group by a few labels (`sum by (level)`) or none pass them: with a unique value per
   * entry (trace ids), grouping by all metadata yields a row per entry.
   */
  metadataKeys?: readonly string[];
  /**
   * Streams counted as one: stream id → the id of the stream standing for it. Rows of a group come
   * back once, under the standing stream's id, with the group's sums. Callers pass it when every
   * stream of a group would give a row the same labels (a `sum by` over labels they share). A
   * backend may ignore it: more rows, the same sums.
   */
  countAs?: ReadonlyMap<bigint, bigint>;
  signal?: AbortSignal;
}

/** One non-empty bucket of one (stream, level, metadata) combination. */
export interface CountBucketRow {
  streamId: bigint;
  level: Level;
  /** The entries' structured metadata (entries with different metadata are counted apart). */
  metadata?: Metadata;
  bucket: number;
  count: number;
  /** Sum of the lines' UTF-8 byte lengths. */
  bytes: number;
}

export interface IndexStats {
  streams: number;
  chunks: number;
  entries: number;
  bytes: number;
}

export interface Storage {
  /** Backend name as used in config (`duckdb`, `postgres`). */
  readonly name: string;
  /** Opens the store and applies migrations. The store is ready when this resolves. */
  open(): Promise<void>;
  /** Writes the batches in one transaction; durable and idempotent when it resolves. */
  write(batches: readonly WriteBatch[]): Promise<void>;
  /** Streams of a tenant that have entries overlapping `[start, end)`. */
  streams(tenant: string, start: Nanos, end: Nanos): Promise<StreamInfo[]>;
  select(plan: SelectPlan): AsyncIterable<StoredRow[]>;
  /**
   * Counts entries and line bytes per bucket (see `CountPlan`), computed inside the backend: the
   * rows never reach JavaScript. Exactly the entries `select` would return for the same tenant,
   * streams, range, levels and line predicate are counted. Rows come in no particular order.
   */
  countBuckets(plan: CountPlan): Promise<CountBucketRow[]>;
  /** Distinct levels present in the given streams and range. */
  levels(tenant: string, streamIds: bigint[], start: Nanos, end: Nanos): Promise<Level[]>;
  stats(tenant: string, streamIds: bigint[], start: Nanos, end: Nanos): Promise<IndexStats>;
  /** Deletes entries older than `cutoff`; returns how many were deleted. */
  applyRetention(cutoff: Nanos): Promise<number>;
  /** Bytes the store occupies on disk (or in the database). */
  sizeBytes(): Promise<number>;
  /**
   * Stores that compress part of their data on their own (PostgreSQL with TimescaleDB): bytes of
   * the compressed part as stored and as it was before compression; undefined when nothing of the
   * kind applies. Optional.
   */
  compressionStats?(): Promise<{ compressedBytes: number; uncompressedBytes: number } | undefined>;
  /**
   * Why the store cannot serve at all right now (DuckDB: reopening after a fatal error), or
   * undefined. Readiness reports it and ingest refuses pushes meanwhile. Optional: a backend that
   * recovers per call (PostgreSQL reconnects) has no such state.
   */
  unavailableReason?(): string | undefined;
  /**
   * Memory the store holds inside this process, in bytes by kind (DuckDB: its buffer manager's
   * tags), for the `storage_memory_bytes` gauge. Optional: a store in another process has none.
   */
  memoryStats?(): Promise<Map<string, number>>;
  close(): Promise<void>;
}
