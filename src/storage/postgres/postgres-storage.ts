/**
 * The PostgreSQL store, for distributed mode: several processes (pods) write and read the same
 * database. Schema and its invariants: schema.ts; time partitions: partitions.ts; the write
 * transaction and why it cannot deadlock: write-path.ts; line predicates: line-filter.ts.
 *
 * - `write` commits in one transaction (synchronous_commit: durable when it resolves) and is
 *   idempotent through the unique index (skey, ts, line_hash, metadata hash), across processes
 *   and restarts.
 * - `streams`/`levels` answer from a per-tenant cache of the `streams` table, reloaded when older
 *   than `streamsRefreshMs` (other processes create streams too); own writes show at once.
 * - `select` reads the range window by window (each window's size aimed at a few thousand rows
 *   from the previous window's density), each window through a server-side cursor fetched in
 *   chunks, with the remaining limit pushed into SQL whenever no JavaScript recheck is needed.
 * - `countBuckets` takes whole minutes from the per-minute counts (counts.ts) when nothing but
 *   levels filters the lines, and the rest from the entries, in one query; every pod merges the
 *   counts of past minutes now and then (`mergeCounts`, one at a time).
 * - Errors are `LogSentinelError`s; connection-level failures are `STORAGE_UNAVAILABLE`, retryable.
 */
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import type { Nanos, WriteBatch } from '../../model/entry.js';
import { LEVEL_CODE, levelFromCode, type Level } from '../../model/level.js';
import type { CountBucketRow, CountPlan, IndexStats, SelectPlan, Storage, StoredRow, StreamInfo } from '../storage.js';
import { TimeWindows } from '../common/time-windows.js';
import { storageError } from './errors.js';
import { lineFilter, Params, regexesOf } from './line-filter.js';
import { toPostgresRegexSuperset } from './regex-superset.js';
import { createPartitions, dropPartition, finalizePendingDetaches, listPartitions, partitionIndex, partitionRange } from './partitions.js';
import { checkSchemaName, migrate, type Layout } from './schema.js';
import { compressionStatsQuery, dropChunksStatement, type TimescaleMode } from './timescale.js';
import { StreamCache } from './stream-cache.js';
import { neededPartitions, prepareStreams, writeTransaction } from './write-path.js';
import { CELL_NS, cellOf, planRollup } from '../common/rollups.js';
import { countsLockKey, MERGE_ROUND, retentionStatement } from './counts.js';

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database` (node-postgres connection string). */
  url: string;
  /** Schema holding LogSentinel's tables (created if missing). Default `logsentinel`. */
  schema?: string;
  /** Width of a time partition in nanoseconds, fixed when the schema is created. Default one day. */
  partitionNs?: bigint;
  /** Partitions created ahead of time, counted from the current one. Default 2. */
  precreatePartitions?: number;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
  /** How old a tenant's cached stream list may be before it is reloaded. Default 1000 ms. */
  streamsRefreshMs?: number;
  /** Create a pg_trgm GIN index on `line` when the schema is created (slows ingest ~30×). Default false. */
  trigramIndex?: boolean;
  /**
   * TimescaleDB layout for a schema created now: `auto` (when the extension is installed or
   * installable), `on` (or fail), `off`. An existing schema keeps its layout; `on`/`off` refuse
   * the other one. Default `auto`.
   */
  timescaledb?: TimescaleMode;
  /** TimescaleDB: compress chunks once their newest possible entry is this old (0: never). Default two days. */
  compressAfterNs?: bigint;
  /** TimescaleDB: the retention policy drops chunks once their newest possible entry is this old (0: none). Default 0. */
  retentionNs?: bigint;
  /** Messages for the operator's log: the layout chosen at open and why. */
  onNotice?: (level: 'info' | 'warn', message: string) => void;
  /** lock_timeout for creating partitions. Default 10 s. */
  lockTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Skip the optimistic COPY and always insert through ON CONFLICT DO NOTHING (benchmarks). */
  alwaysOnConflict?: boolean;
  /** Called when background work (creating partitions ahead, merging counts) fails; the store stays usable. */
  onBackgroundError?: (what: string, err: unknown) => void;
  /** Count from the per-minute counts where they apply (default true; false counts every entry, for comparison). */
  rollups?: boolean;
  /** How often this pod tries to merge the per-minute counts of past minutes (0: never). Default 60 s. */
  mergeCountsEveryMs?: number;
}

export const DAY_NS = 86_400_000_000_000n;
/** Default compression age: see docs/cluster.md ("Compression"). */
export const COMPRESS_AFTER_NS = 2n * DAY_NS;
const DEFAULT_CHUNK = 1000;
const PRECREATE_EVERY_MS = 3_600_000;
/** (stream, minute) pairs merged per transaction, and transactions per merge pass. */
const MERGE_KEYS = 20_000;
const MERGE_ROUNDS = 50;

/** int8 as bigint (timestamps keep every digit); everything else as node-postgres parses it. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => BigInt(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

interface EntryRow {
  skey: number;
  ts: bigint;
  level: number;
  line: string;
  metadata: string | null;
}

export class PostgresStorage implements Storage {
  readonly name = 'postgres';
  readonly schema: string;
  private pool?: Pool;
  private cache?: StreamCache;
  private partitionNs: bigint;
  private layoutUsed: Layout = 'partitioned';
  /** The schema has the pg_trgm index on line (contains is then written as LIKE). */
  private trigram = false;
  /** Lower bounds of partitions known to exist. */
  private readonly partitions = new Set<bigint>();
  private timer?: NodeJS.Timeout;
  private mergeTimer?: NodeJS.Timeout;
  private closed = false;
  /** RE2 pattern → its ARE superset as checked by the server (undefined: none, not pushed). */
  private readonly regexCache = new Map<string, string | undefined>();
  private readonly regexSuperset = (pattern: string): string | undefined => this.regexCache.get(pattern);

  constructor(private readonly opts: PostgresStorageOptions) {
    this.schema = opts.schema ?? 'logsentinel';
    checkSchemaName(this.schema);
    this.partitionNs = opts.partitionNs ?? DAY_NS;
    if (this.partitionNs <= 0n) throw new Error('cannot configure postgres storage: partitionNs must be > 0');
  }

  /** The schema's layout (known after `open`). */
  get layout(): Layout {
    return this.layoutUsed;
  }

  /** Where the store is, without credentials, for messages. */
  get location(): string {
    try {
      const u = new URL(this.opts.url);
      return `${u.hostname}:${u.port || 5432}${u.pathname} schema ${this.schema}`;
    } catch {
      return `schema ${this.schema}`;
    }
  }

  async open(): Promise<void> {
    this.pool = new pg.Pool({
      connectionString: this.opts.url,
      max: this.opts.maxConnections ?? 10,
      connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 5000,
      options: `-c search_path=${this.schema}`,
      types,
    });
    // An idle client losing its connection must not crash the process; the next use reports it.
    this.pool.on('error', (err) => this.opts.onBackgroundError?.('postgres idle connection', err));
    this.cache = new StreamCache(this.pool, this.opts.streamsRefreshMs ?? 1000);
    const client = await this.connect(`open store at ${this.location}`);
    try {
      const settings = await migrate(client, this.schema, {
        partitionNs: this.partitionNs,
        timescaledb: this.opts.timescaledb ?? 'auto',
        trigramIndex: this.opts.trigramIndex ?? false,
        policies: { compressAfterNs: this.opts.compressAfterNs ?? COMPRESS_AFTER_NS, retentionNs: this.opts.retentionNs ?? 0n },
      });
      for (const n of settings.notes) this.opts.onNotice?.(n.level, n.message);
      this.partitionNs = settings.partitionNs;
      this.layoutUsed = settings.layout;
      const idx = await client.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'entries_line_trgm'`, [this.schema]);
      this.trigram = (idx.rowCount ?? 0) > 0;
    } catch (err) {
      client.release();
      await this.pool.end().catch(() => undefined);
      throw storageError(`open store at ${this.location}`, err);
    }
    client.release();
    if (this.layoutUsed === 'partitioned') {
      await this.precreate();
      this.timer = setInterval(() => void this.precreate().catch((err) => this.opts.onBackgroundError?.('create partitions', err)), PRECREATE_EVERY_MS);
      this.timer.unref();
    }
    // Every pod tries; the advisory lock lets one merge at a time and the others return at once.
    const every = this.opts.mergeCountsEveryMs ?? 60_000;
    if (every > 0) {
      this.mergeTimer = setInterval(() => void this.mergeCounts().catch((err) => this.opts.onBackgroundError?.('merge entry counts', err)), every);
      this.mergeTimer.unref();
    }
  }

  /** A retryable error: another instance (after a restart) may take the call. */
  private checkOpen(what: string): void {
    if (this.closed || !this.pool) throw storageError(what, Object.assign(new Error('store is closed'), { code: '08003' }));
  }

  private async connect(what: string): Promise<PoolClient> {
    this.checkOpen(what);
    try {
      return await this.pool!.connect();
    } catch (err) {
      throw storageError(what, err);
    }
  }

  /** Creates the current partition and the next `precreatePartitions`. */
  async precreate(): Promise<void> {
    const now = partitionIndex(BigInt(Date.now()) * 1_000_000n, this.partitionNs);
    const want: bigint[] = [];
    for (let i = 0n; i <= BigInt(this.opts.precreatePartitions ?? 2); i++) want.push(now + i);
    await this.ensurePartitions(new Set(want), true);
  }

  private async ensurePartitions(indexes: Set<bigint>, refresh = false): Promise<void> {
    if (this.layoutUsed !== 'partitioned') return;
    if (refresh) {
      this.partitions.clear();
      for (const p of await listPartitions(this.pool!, this.schema)) this.partitions.add(p.from);
    }
    const missing = [...indexes].map((i) => partitionRange(i, this.partitionNs)).filter((r) => !this.partitions.has(r.from));
    if (missing.length === 0) return;
    await createPartitions(this.pool!, this.schema, missing, this.opts.lockTimeoutMs ?? 10_000);
    for (const r of missing) this.partitions.add(r.from);
  }

  async write(batches: readonly WriteBatch[]): Promise<void> {
    const streams = prepareStreams(batches);
    if (streams.length === 0) return;
    const what = `write entries to ${this.location}`;
    this.checkOpen(what);
    for (let attempt = 0; ; attempt++) {
      // Partitions first, on their own connection, before this write holds one (no pool deadlock).
      try {
        await this.ensurePartitions(neededPartitions(streams, this.partitionNs), attempt > 0);
      } catch (err) {
        throw storageError(what, err);
      }
      const client = await this.connect(what);
      try {
        const res = await writeTransaction(client, streams, this.opts.alwaysOnConflict ?? false, this.layoutUsed);
        client.release();
        this.cache!.committed(res.streams);
        return;
      } catch (err) {
        client.release(true);
        // 23514: no partition for a row — another process dropped one we believed existed.
        if (attempt === 0 && (err as { code?: string }).code === '23514') continue;
        throw storageError(what, err);
      }
    }
  }

  async streams(tenant: string, start: Nanos, end: Nanos): Promise<StreamInfo[]> {
    try {
      return (await this.cache!.index(tenant)).list(tenant, start, end);
    } catch (err) {
      throw storageError(`list streams of tenant ${tenant}`, err);
    }
  }

  async levels(tenant: string, streamIds: bigint[]): Promise<Level[]> {
    try {
      return (await this.cache!.index(tenant)).levels(tenant, streamIds);
    } catch (err) {
      throw storageError(`list levels of tenant ${tenant}`, err);
    }
  }

  /**
   * Translates the predicate's regexes (regex-superset.ts) and has PostgreSQL compile each
   * translation once, so a pattern ARE happens to reject is simply not pushed down.
   */
  private async prepareRegexes(p: SelectPlan['line']): Promise<void> {
    for (const pattern of regexesOf(p)) {
      if (this.regexCache.has(pattern)) continue;
      let are = toPostgresRegexSuperset(pattern);
      if (are !== undefined) {
        try {
          await this.pool!.query(`SELECT '' ~ $1`, [are]);
        } catch (err) {
          if (!/^2201B$/.test((err as { code?: string }).code ?? '')) throw err;
          are = undefined; // invalid_regular_expression
        }
      }
      if (this.regexCache.size >= 1000) this.regexCache.clear();
      this.regexCache.set(pattern, are);
    }
  }

  private where(keys: number[], start: Nanos, end: Nanos, levels: Level[] | undefined, params: Params): string {
    const parts = [`skey = ANY(${params.add(keys)}::integer[])`, `ts >= ${params.add(start)}::bigint`, `ts < ${params.add(end)}::bigint`];
    if (levels) parts.push(`level = ANY(${params.add(levels.map((l) => LEVEL_CODE[l]))}::smallint[])`);
    return parts.join(' AND ');
  }

  private toRow(r: EntryRow): StoredRow {
    return {
      streamId: this.cache!.idOf(r.skey),
      ts: r.ts,
      level: levelFromCode(r.level),
      line: r.line,
      metadata: r.metadata === null ? undefined : (JSON.parse(r.metadata) as Record<string, string>),
    };
  }

  async *select(plan: SelectPlan): AsyncIterable<StoredRow[]> {
    if (plan.streamIds.length === 0 || plan.start >= plan.end || plan.limit === 0) return;
    if (plan.levels && plan.levels.length === 0) return;
    const what = `read entries from ${this.location}`;
    const keys = await this.cache!.keysFor(plan.tenant, plan.streamIds).catch((err: unknown) => {
      throw storageError(what, err);
    });
    if (keys.length === 0) return;
    await this.prepareRegexes(plan.line).catch((err: unknown) => {
      throw storageError(what, err);
    });
    const client = await this.connect(what);
    const pid = (client as unknown as { processID: number }).processID;
    const onAbort = (): void => void this.pool?.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
    plan.signal?.addEventListener('abort', onAbort, { once: true });
    let inTx = false;
    let broken = false;
    try {
      const order = plan.direction === 'backward' ? 'DESC' : 'ASC';
      const chunk = Math.max(1, plan.chunkSize ?? DEFAULT_CHUNK);
      let remaining = plan.limit ?? Infinity;
      const windows = new TimeWindows(plan.start, plan.end, plan.direction);
      for (let win = windows.next(); win && remaining > 0; win = windows.next()) {
        if (plan.signal?.aborted) throw plan.signal.reason ?? new Error('aborted');
        const params = new Params();
        const where = this.where(keys, win.from, win.to, plan.levels, params);
        const filter = lineFilter(plan.line, params, { regex: this.regexSuperset, like: this.trigram });
        const lim = remaining !== Infinity && filter.exact ? ` LIMIT ${remaining}` : '';
        const sql =
          `SELECT skey, ts, level, line, metadata FROM entries WHERE ${where}${filter.sql ? ' AND ' + filter.sql : ''} ` +
          `ORDER BY ts ${order}, skey ${order}${lim}`;
        await client.query('BEGIN READ ONLY');
        inTx = true;
        await client.query(`DECLARE ls_window NO SCROLL CURSOR FOR ${sql}`, params.values);
        let scanned = 0;
        for (;;) {
          const res = await client.query<EntryRow>(`FETCH ${chunk} FROM ls_window`);
          scanned += res.rows.length;
          if (plan.pace) await plan.pace();
          const out: StoredRow[] = [];
          for (const r of res.rows) {
            if (!filter.exact && !filter.matches(r.line)) continue;
            out.push(this.toRow(r));
            if (--remaining <= 0) break;
          }
          if (out.length) yield out;
          if (res.rows.length < chunk || remaining <= 0) break;
          if (plan.signal?.aborted) throw plan.signal.reason ?? new Error('aborted');
        }
        await client.query('COMMIT');
        inTx = false;
        windows.done(scanned);
      }
    } catch (err) {
      broken = true;
      if (plan.signal?.aborted) throw plan.signal.reason ?? err;
      throw storageError(what, err);
    } finally {
      plan.signal?.removeEventListener('abort', onAbort);
      // A consumer that stopped early leaves a window open: end it and reuse the connection.
      if (inTx && !broken) {
        try {
          await client.query('ROLLBACK');
          inTx = false;
        } catch {
          broken = true;
        }
      }
      // A connection left mid-transaction (error, cancel) is discarded, not reused.
      client.release(broken || inTx ? true : undefined);
    }
  }

  async countBuckets(plan: CountPlan): Promise<CountBucketRow[]> {
    if (plan.streamIds.length === 0 || plan.start >= plan.end) return [];
    if (plan.levels && plan.levels.length === 0) return [];
    if (plan.width <= 0n || plan.start <= plan.origin) throw new Error('BUG: countBuckets needs width > 0 and start > origin');
    const what = `count entries in ${this.location}`;
    const keys = await this.cache!.keysFor(plan.tenant, plan.streamIds).catch((err: unknown) => {
      throw storageError(what, err);
    });
    if (keys.length === 0) return [];
    const params = new Params();
    const filter = lineFilter(plan.line, params, { like: this.trigram });
    if (!filter.exact) return this.countBucketsFromRows(plan);
    const sql = this.countSql(plan, keys, params, filter.sql);
    const rows = await this.readQuery<{ skey: number; level: number; metadata: string | null; b: bigint; n: bigint; bytes: bigint }>(what, sql, params.values, plan.signal);
    return rows.map((r) => ({
      streamId: this.cache!.idOf(r.skey),
      level: levelFromCode(r.level),
      ...(r.metadata === null ? {} : { metadata: JSON.parse(r.metadata) as Record<string, string> }),
      bucket: Number(r.b),
      count: Number(r.n),
      bytes: Number(r.bytes),
    }));
  }

  /**
   * The counting query: from the per-minute counts where the plan allows (no line predicate,
   * buckets of whole minutes; see ../common/rollups.ts), the rest from the entries, summed.
   */
  private countSql(plan: CountPlan, keys: number[], params: Params, lineSql: string | undefined): string {
    const k = params.add(keys);
    const levels = plan.levels ? ` AND level = ANY(${params.add(plan.levels.map((l) => LEVEL_CODE[l]))}::smallint[])` : '';
    const line = lineSql ? ' AND ' + lineSql : '';
    const mk = plan.metadataKeys;
    // All metadata as stored, or only the wanted keys (a JSON object of them, NULL when none is set).
    // Bound only when some part reads the entries: PostgreSQL refuses parameters nothing uses.
    let metaSql: string | undefined;
    const meta = (): string =>
      (metaSql ??=
        mk === undefined
          ? 'metadata'
          : mk.length === 0
            ? 'NULL::text'
            : `NULLIF(jsonb_strip_nulls(jsonb_build_object(${mk.map((key) => `${params.add(key)}::text, metadata::jsonb ->> ${params.add(key)}::text`).join(', ')}))::text, '{}')`);
    // Times and cells are bigints computed here, written as literals.
    const bucket = `(ts - ${int8(plan.origin + 1n)}) / ${int8(plan.width)}`;
    const span = (from: Nanos, to: Nanos): string => `skey = ANY(${k}::integer[]) AND ts >= ${int8(from)} AND ts < ${int8(to)}${levels}`;
    const split = this.opts.rollups === false || plan.line ? undefined : planRollup(plan.start, plan.end, plan.origin, plan.width);
    if (!split) {
      return (
        `SELECT skey, level, ${meta()} AS metadata, ${bucket} AS b, count(*) AS n, sum(octet_length(line)) AS bytes ` +
        `FROM entries WHERE ${span(plan.start, plan.end)}${line} GROUP BY 1, 2, 3, 4`
      );
    }
    const fromEntries = (from: Nanos, to: Nanos, extra = ''): string =>
      `SELECT skey, level, ${meta()} AS metadata, ${bucket} AS b, 1::bigint AS n, octet_length(line)::bigint AS bytes FROM entries WHERE ${span(from, to)}${extra}`;
    // Entries with metadata are counted apart when metadata tells them apart: from the entries.
    const metaApart = mk === undefined || mk.length > 0;
    const cells =
      `skey = ANY(${k}::integer[]) AND cell BETWEEN ${int8(split.first)} AND ${int8(split.last)}` +
      (split.skip.length ? ` AND cell NOT IN (${split.skip.join(', ')})` : '') +
      levels +
      (metaApart ? ' AND NOT meta' : '');
    const parts = [
      `SELECT skey, level, NULL::text AS metadata, (cell * ${CELL_NS} - ${int8(plan.origin)}) / ${int8(plan.width)} AS b, n, bytes FROM entry_counts WHERE ${cells}`,
      ...split.raw.map(([from, to]) => fromEntries(from, to)),
      ...(metaApart ? split.cells.map(([from, to]) => fromEntries(from, to, ' AND metadata IS NOT NULL')) : []),
    ];
    return `SELECT skey, level, metadata, b, sum(n)::bigint AS n, sum(bytes)::bigint AS bytes FROM (${parts.join(' UNION ALL ')}) u GROUP BY 1, 2, 3, 4`;
  }

  /** Counting for predicates PostgreSQL cannot evaluate exactly (RE2 regexes): rows are read and folded here. */
  private async countBucketsFromRows(plan: CountPlan): Promise<CountBucketRow[]> {
    const acc = new Map<string, CountBucketRow>();
    const rows = this.select({ tenant: plan.tenant, streamIds: plan.streamIds, start: plan.start, end: plan.end, direction: 'forward', levels: plan.levels, line: plan.line, signal: plan.signal, chunkSize: 5000 });
    for await (const chunk of rows) {
      for (const r of chunk) {
        const bucket = Number((r.ts - plan.origin - 1n) / plan.width);
        const metadata = pickMetadata(r.metadata, plan.metadataKeys);
        const meta = metadata ? JSON.stringify(metadata) : '';
        const k = `${r.streamId}\x00${r.level}\x00${bucket}\x00${meta}`;
        let c = acc.get(k);
        if (!c) {
          c = { streamId: r.streamId, level: r.level, ...(metadata ? { metadata } : {}), bucket, count: 0, bytes: 0 };
          acc.set(k, c);
        }
        c.count++;
        c.bytes += Buffer.byteLength(r.line);
      }
    }
    return [...acc.values()];
  }

  async stats(tenant: string, streamIds: bigint[], start: Nanos, end: Nanos): Promise<IndexStats> {
    const what = `compute stats in ${this.location}`;
    if (streamIds.length === 0) return { streams: 0, chunks: 0, entries: 0, bytes: 0 };
    const keys = await this.cache!.keysFor(tenant, streamIds).catch((err: unknown) => {
      throw storageError(what, err);
    });
    if (keys.length === 0) return { streams: 0, chunks: 0, entries: 0, bytes: 0 };
    const params = new Params();
    const sql = `SELECT count(DISTINCT skey) AS s, count(*) AS n, coalesce(sum(octet_length(line)), 0) AS bytes FROM entries WHERE ${this.where(keys, start, end, undefined, params)}`;
    const [r] = await this.readQuery<{ s: bigint; n: bigint; bytes: bigint }>(what, sql, params.values);
    const streams = Number(r.s);
    // No chunks in a table; one stream's data in the range counts as one.
    return { streams, chunks: streams, entries: Number(r.n), bytes: Number(r.bytes) };
  }

  private async readQuery<T extends object>(what: string, sql: string, values: unknown[], signal?: AbortSignal): Promise<T[]> {
    const client = await this.connect(what);
    const pid = (client as unknown as { processID: number }).processID;
    const onAbort = (): void => void this.pool?.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    let broken = false;
    try {
      return (await client.query<T>(sql, values)).rows;
    } catch (err) {
      broken = true;
      if (signal?.aborted) throw signal.reason ?? err;
      throw storageError(what, err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      client.release(broken ? true : undefined);
    }
  }

  /**
   * Drops partitions entirely older than `cutoff`, deletes the older rows of the partition that
   * holds it, and forgets streams without entries left. One process at a time (advisory lock);
   * a call that finds another one running returns 0.
   *
   * TimescaleDB layout: whole chunks are the retention policy's job (timescale.ts); this drops
   * the chunks entirely below `cutoff` the same way (`drop_chunks`, for a scheduler that has not
   * run yet or is off) and trims the one chunk holding the cutoff, so reads never see an entry
   * past retention. That chunk is usually compressed: TimescaleDB (≥ 2.11) decompresses only the
   * batches whose ts range reaches below the cutoff (ts is an ORDER BY column).
   *
   * Per-minute counts (counts.ts): those up to the minute holding the cutoff are deleted and that
   * minute is counted again, in the transaction of the trim. A TimescaleDB retention policy drops
   * chunks without touching them, so their counts stay until this pass runs with its cutoff.
   */
  async applyRetention(cutoff: Nanos): Promise<number> {
    const what = `apply retention in ${this.location}`;
    const client = await this.connect(what);
    const lockKey = `logsentinel:retention:${this.schema}`;
    let locked = false;
    try {
      locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockKey])).rows[0].ok;
      if (!locked) return 0;
      let deleted = 0;
      if (this.layoutUsed === 'partitioned') {
        await finalizePendingDetaches(this.pool!, this.schema);
        for (const p of await listPartitions(this.pool!, this.schema)) {
          if (p.to > cutoff) break;
          deleted += await dropPartition(this.pool!, this.schema, p);
          this.partitions.delete(p.from);
        }
        // The partition that holds the cutoff: only its rows below the cutoff (partition pruning).
        deleted += await this.trimAndRecount(client, cutoff, true);
      } else {
        const { rows } = await client.query<{ n: bigint }>('SELECT count(*) AS n FROM entries WHERE ts < $1::bigint', [cutoff]);
        await client.query(dropChunksStatement(this.schema), [cutoff]);
        // drop_chunks removes whole chunks and reports no rows; the DELETE takes the rest.
        await this.trimAndRecount(client, cutoff, false);
        deleted = Number(rows[0].n);
      }
      return await this.finishRetention(client, cutoff, deleted);
    } catch (err) {
      throw storageError(what, err);
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      client.release();
    }
  }

  /**
   * Deletes the entries below `cutoff` left after whole partitions or chunks went, with the
   * per-minute counts up to the minute holding the cutoff, which is counted again from what is
   * left of it (counts.ts). One transaction, after any merge round running (same lock). Returns
   * the entries deleted when they were deleted in the same statement (`inOneStatement`).
   */
  private async trimAndRecount(client: PoolClient, cutoff: Nanos, inOneStatement: boolean): Promise<number> {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [countsLockKey(this.schema)]);
      // TimescaleDB: the DELETE stays a statement of its own, as before; DML on compressed chunks
      // inside a WITH is not something the tests here can run (no TimescaleDB on these machines).
      if (!inOneStatement) await client.query('DELETE FROM entries WHERE ts < $1::bigint', [cutoff]);
      const { rows } = await client.query<{ n: bigint }>(retentionStatement(inOneStatement), [cutoff, cellOf(cutoff)]);
      await client.query('COMMIT');
      return Number(rows[0].n);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * Replaces the rows of past minutes appended since their last merge (by any process) with one
   * row per key, so counting reads stay small. Minutes of the last two are left alone (still
   * being written). Rounds of one short transaction each; only one process merges at a time (a
   * pod finding another merging returns), and writers never wait for it (they only append).
   * Returns how many rows fewer the table has.
   */
  async mergeCounts(): Promise<number> {
    if (this.closed || !this.pool) return 0;
    const what = `merge entry counts in ${this.location}`;
    const hot = cellOf(BigInt(Date.now()) * 1_000_000n) - 1n;
    const client = await this.connect(what);
    let fewer = 0;
    let broken = false;
    try {
      for (let round = 0; round < MERGE_ROUNDS && !this.closed; round++) {
        await client.query('BEGIN');
        try {
          // Losing a merge in a crash loses nothing: the rows it replaced count the same.
          await client.query('SET LOCAL synchronous_commit TO off');
          const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [countsLockKey(this.schema)]);
          if (!rows[0].ok) {
            await client.query('ROLLBACK');
            break;
          }
          const r = (await client.query<{ keys: number; deleted: number; inserted: number }>(MERGE_ROUND, [hot, MERGE_KEYS])).rows[0];
          await client.query('COMMIT');
          fewer += r.deleted - r.inserted;
          if (r.keys < MERGE_KEYS) break;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }
      return fewer;
    } catch (err) {
      broken = true;
      throw storageError(what, err);
    } finally {
      client.release(broken ? true : undefined);
    }
  }

  private async finishRetention(client: PoolClient, cutoff: Nanos, deleted: number): Promise<number> {
    await client.query('DELETE FROM streams WHERE last_ts < $1::bigint', [cutoff]);
    await client.query('UPDATE streams SET first_ts = $1::bigint WHERE first_ts < $1::bigint', [cutoff]);
    this.cache!.invalidate();
    return deleted;
  }

  /** Bytes of every table of the schema, with indexes and TOAST (`pg_total_relation_size`). */
  async sizeBytes(): Promise<number> {
    const sql = `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`;
    const [r] = await this.readQuery<{ n: bigint }>(`measure ${this.location}`, sql, [this.schema]);
    if (this.layoutUsed !== 'timescaledb') return Number(r.n);
    // Hypertable chunks live in TimescaleDB's own schema.
    const [h] = await this.readQuery<{ n: bigint }>(`measure ${this.location}`, `SELECT coalesce(hypertable_size($1::regclass), 0)::bigint AS n`, [`${this.schema}.entries`]);
    return Number(r.n) + Number(h.n);
  }

  /**
   * TimescaleDB layout: bytes of the compressed chunks as stored and as they were before
   * compression (`hypertable_compression_stats`), and of the whole hypertable; undefined on the
   * plain layout.
   */
  async compressionStats(): Promise<{ compressedBytes: number; uncompressedBytes: number; compressedChunks: number; hypertableBytes: number } | undefined> {
    if (this.layoutUsed !== 'timescaledb') return undefined;
    const [r] = await this.readQuery<{ compressed: bigint; uncompressed: bigint; compressed_chunks: bigint; total: bigint }>(`measure ${this.location}`, compressionStatsQuery(this.schema), []);
    return { compressedBytes: Number(r.compressed), uncompressedBytes: Number(r.uncompressed), compressedChunks: Number(r.compressed_chunks), hypertableBytes: Number(r.total) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.mergeTimer) clearInterval(this.mergeTimer);
    await this.pool?.end().catch(() => undefined);
  }
}

/** A bigint as an SQL literal of type bigint (parenthesised: `- -1` must not become a comment). */
function int8(v: bigint): string {
  return `(${v})::bigint`;
}

/** `md` with only `keys` (all of it when `keys` is undefined); undefined when nothing is left. */
function pickMetadata(md: Record<string, string> | undefined, keys: readonly string[] | undefined): Record<string, string> | undefined {
  if (keys === undefined || md === undefined) return md;
  let out: Record<string, string> | undefined;
  for (const k of keys) if (md[k] !== undefined) (out ??= {})[k] = md[k];
  return out;
}
