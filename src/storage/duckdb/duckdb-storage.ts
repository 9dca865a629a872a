/**
 * The embedded store: one DuckDB file under the data directory.
 *
 * Writes go through one writer connection, one transaction per group commit: appender rows are
 * flushed, then COMMIT (which writes and syncs DuckDB's WAL off the event loop). Automatic
 * checkpoints are switched off (`checkpoint_threshold`), and LogSentinel runs CHECKPOINT on a
 * timer between commits, so no ingest commit ever pays for a checkpoint. Queries use their own
 * short-lived connections and run on DuckDB's threads.
 *
 * A full disk and fatal errors are handled by the open database (database.ts): checkpoints wait
 * for room, and an instance DuckDB invalidated is reopened by itself, replaying the WAL. After a
 * reopen the stream index is reloaded from the file, and the dedup window is kept (and topped up
 * from the table), so a push retried across the reopen is still stored once.
 */
import { mkdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Nanos, WriteBatch } from '../../model/entry.js';
import { LEVEL_CODE, levelFromCode, type Level } from '../../model/level.js';
import { LogSentinelError } from '../../errors.js';
import type { CountBucketRow, CountPlan, IndexStats, SelectPlan, Storage, StoredRow, StreamInfo } from '../storage.js';
import { DedupWindow, entryHash } from '../common/dedup-window.js';
import { recanonicalize } from '../../model/metadata.js';
import { Mutex } from '../common/mutex.js';
import { TimeWindows } from '../common/time-windows.js';
import { migrate } from './schema.js';
import { lineSql, quote } from './sql.js';
import { StoreDatabase } from './database.js';
import { cellOf } from '../common/rollups.js';
import { appendCounts, countSql, mergeStatements, metadataOf, recountStatements, UNMERGED_CELLS } from './counts.js';
import { BlockIndex, DEFAULT_BLOCK_ROWS, DEFAULT_ROW_GROUP_ROWS } from './blocks.js';
import { appendEntries, type Appended } from './append.js';
import { StreamKeys } from './stream-keys.js';

export interface DuckDBStorageOptions {
  dataDir: string;
  memoryLimit?: string;
  threads?: number;
  checkpointIntervalMs?: number;
  checkpointWalBytes?: number;
  dedupWindowEntries?: number;
  /** Called after a scheduled checkpoint with its duration (for metrics). */
  onCheckpoint?: (ms: number) => void;
  /** Called when background work (checkpoint, reopen) fails or is deferred; the store stays usable. */
  onBackgroundError?: (what: string, err: unknown) => void;
  /** A checkpoint waits while the filesystem has less free space than the WAL plus this (default 16 MiB). */
  checkpointReserveBytes?: number;
  /** Called after the store reopened itself following a fatal error. */
  onReopen?: (info: { cause: string; ms: number }) => void;
  /** First pause between failed reopen attempts; it doubles up to 10 s (default 500 ms). */
  reopenRetryMs?: number;
  /** Count from the per-minute rollups where they apply (default true; false counts every entry, for comparison). */
  rollups?: boolean;
  /** Rows per block of the line filters' skip index (blocks.ts; default 32,768; small in tests). */
  blockRows?: number;
  /** Filters of the newest blocks kept in memory (blocks.ts; default 1,024). */
  cachedFilters?: number;
  /** Rows per DuckDB row group (blocks.ts; default 65,536). */
  rowGroupRows?: number;
  /** Called after a query tested the blocks of its range: how many may match and how many were ruled out. */
  onBlockFilter?: (read: number, skipped: number) => void;
}

/** A limited query up to this many rows is one top-N query; larger reads go window by window. */
const SINGLE_QUERY_LIMIT = 20_000;

export class DuckDBStorage implements Storage {
  readonly name = 'duckdb';
  private readonly db: StoreDatabase;
  /** Streams and their keys; replaced as a whole when the store reopens (stream-keys.ts). */
  private streamKeys = new StreamKeys();
  private readonly dedup: DedupWindow;
  private readonly writeLock = new Mutex();
  private checkpointTimer?: NodeJS.Timeout;
  private closed = false;
  /** Backups running: scheduled checkpoints wait for them (both compete for the same CPU and disk). */
  private backups = 0;
  private checkpointCheck?: Promise<void>;
  /** Cells of entry_counts with rows appended since they were last merged (mergeCounts). */
  private unmerged = new Set<bigint>();
  /** Blocks and their line filters (blocks.ts). */
  private readonly blocks: BlockIndex;
  readonly file: string;

  constructor(private readonly opts: DuckDBStorageOptions) {
    this.file = join(opts.dataDir, 'logsentinel.duckdb');
    this.dedup = new DedupWindow(opts.dedupWindowEntries ?? 1_000_000);
    this.blocks = new BlockIndex(opts.blockRows ?? DEFAULT_BLOCK_ROWS, opts.onBlockFilter, opts.cachedFilters);
    this.db = new StoreDatabase({
      file: this.file,
      dataDir: opts.dataDir,
      rowGroupRows: opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS,
      config: {
        // Checkpoints are LogSentinel's to schedule (see checkpoint()).
        checkpoint_threshold: '1TB',
        // zstd for lines needs a storage format newer than DuckDB's conservative default.
        storage_compatibility_version: 'latest',
        memory_limit: opts.memoryLimit ?? '256MB',
        threads: String(opts.threads ?? 2),
        preserve_insertion_order: 'true',
      },
      onOpen: async (writer) => {
        await migrate(writer);
        this.streamKeys = await StreamKeys.load(writer);
        await this.seedDedup(writer);
        await this.seedUnmerged(writer);
        await this.blocks.open(writer, (err) => this.opts.onBackgroundError?.('line filter index', err));
      },
      writeLock: this.writeLock,
      checkpointReserveBytes: opts.checkpointReserveBytes,
      reopenRetryMs: opts.reopenRetryMs,
      onBackgroundError: opts.onBackgroundError,
      onReopen: opts.onReopen,
    });
  }

  async open(): Promise<void> {
    mkdirSync(this.opts.dataDir, { recursive: true });
    await this.db.open();
    const every = this.opts.checkpointIntervalMs ?? 30_000;
    if (every > 0) {
      this.checkpointTimer = setInterval(() => void this.checkpoint().catch((err) => this.opts.onBackgroundError?.('checkpoint', err)), every);
      this.checkpointTimer.unref();
    }
  }

  /**
   * After a restart (or a reopen), remember the newest committed entries so a client's retry is
   * not stored twice. Adds to the window, never clears it.
   */
  private async seedDedup(conn: DuckDBConnection): Promise<void> {
    const n = this.opts.dedupWindowEntries ?? 1_000_000;
    if (n <= 0) return;
    const res = await conn.stream(`SELECT stream, ts, line, metadata FROM entries WHERE rowid >= (SELECT coalesce(max(rowid), 0) FROM entries) - ${Math.floor(n / 2)}`);
    for await (const chunk of res) {
      const [keys, ts, lines, metas] = chunk.getColumns() as [number[], bigint[], string[], Array<string | null>];
      for (let i = 0; i < keys.length; i++) {
        if (!this.streamKeys.knows(keys[i])) continue;
        const id = this.streamKeys.idOf(keys[i]);
        // Rows written before metadata was stored canonically are hashed as they are written now.
        // Only what is missing: re-adding would rotate out what the window held before a reopen.
        const h = entryHash(id, ts[i], lines[i], recanonicalize(metas[i]));
        if (!this.dedup.has(h)) this.dedup.add(h);
      }
    }
  }

  /** After a restart, the cells that still hold more than one row per key are merged again. */
  private async seedUnmerged(conn: DuckDBConnection): Promise<void> {
    const rows = (await conn.runAndReadAll(UNMERGED_CELLS)).getRows();
    for (const [c] of rows) this.unmerged.add(c as bigint);
  }

  async write(batches: readonly WriteBatch[]): Promise<void> {
    if (this.closed) throw new LogSentinelError('STORAGE_UNAVAILABLE', 'cannot write entries: store is closed', { retryable: true });
    await this.writeLock.run(() => this.writeLocked(batches));
    // The WAL's size is looked at after every commit (one stat at a time), so a checkpoint starts
    // soon after it passes checkpointWalBytes: how long commits wait for it grows with the WAL.
    if (!this.checkpointCheck) {
      this.checkpointCheck = this.maybeCheckpoint()
        .catch((err) => this.opts.onBackgroundError?.('checkpoint', err))
        .finally(() => (this.checkpointCheck = undefined));
    }
  }

  private async writeLocked(batches: readonly WriteBatch[]): Promise<void> {
    const conn = this.db.writer('write entries');
    const keys = this.streamKeys;
    const { created, keyOf } = keys.assign(batches);
    let done: Appended;
    try {
      await conn.run('BEGIN TRANSACTION');
      if (created.length > 0) {
        const sa = await conn.createAppender('streams');
        for (const s of created) {
          sa.appendVarchar(s.tenant);
          sa.appendUBigInt(s.id);
          sa.appendUInteger(s.key);
          sa.appendVarchar(JSON.stringify(s.labels));
          sa.endRow();
        }
        sa.flushSync();
        sa.closeSync();
      }
      const app = await conn.createAppender('entries');
      done = await appendEntries(app, batches, keyOf, this.dedup, this.blocks);
      app.flushSync();
      app.closeSync();
      if (done.counts.rows.length > 0) {
        const ca = await conn.createAppender('entry_counts');
        appendCounts(ca, done.counts.rows);
        ca.flushSync();
        ca.closeSync();
      }
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw this.db.writeFailed('write entries', err);
    }
    keys.added(created);
    for (const o of done.observed) keys.index.observe(o.tenant, o.id, o.min, o.max, o.mask);
    for (const h of done.hashes) this.dedup.add(h);
    for (const r of done.counts.rows) this.unmerged.add(r.cell);
    if (done.rows > 0) await this.blocks.committed(conn, done.rows, (err) => this.opts.onBackgroundError?.('line filter index', err));
  }

  async streams(tenant: string, start: Nanos, end: Nanos): Promise<StreamInfo[]> {
    return this.streamKeys.index.list(tenant, start, end);
  }

  async levels(tenant: string, streamIds: bigint[]): Promise<Level[]> {
    return this.streamKeys.index.levels(tenant, streamIds);
  }

  /** `blocks`: the skip index's condition on `blk` for this plan's line filter (blocks.ts). */
  private whereClause(plan: Pick<SelectPlan, 'tenant' | 'streamIds' | 'levels' | 'line'>, start: Nanos, end: Nanos, blocks?: string): string {
    const parts = [`tenant = ${quote(plan.tenant)}`, `ts >= ${start}`, `ts < ${end}`];
    const streams = this.streamKeys.filterSql(plan.tenant, plan.streamIds);
    if (streams) parts.push(streams);
    if (plan.levels) parts.push(`level IN (${plan.levels.map((l) => LEVEL_CODE[l]).join(',') || 'NULL'})`);
    if (blocks) parts.push(blocks);
    if (plan.line) parts.push(lineSql(plan.line));
    return parts.join(' AND ');
  }

  async *select(plan: SelectPlan): AsyncIterable<StoredRow[]> {
    if (plan.streamIds.length === 0 || plan.start >= plan.end || plan.limit === 0) return;
    if (plan.levels && plan.levels.length === 0) return;
    const conn = await this.db.reader('read entries');
    const onAbort = (): void => conn.interrupt();
    plan.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const order = plan.direction === 'backward' ? 'DESC' : 'ASC';
      const cols = 'stream, ts, level, line, metadata';
      const blocks = await this.blocks.filterSql(conn, plan.line, plan.start, plan.end);
      if (plan.limit !== undefined && plan.limit <= SINGLE_QUERY_LIMIT) {
        const sql = `SELECT ${cols} FROM entries WHERE ${this.whereClause(plan, plan.start, plan.end, blocks)} ORDER BY ts ${order}, stream ${order} LIMIT ${plan.limit}`;
        yield* this.readQuery(conn, sql, plan.signal, plan.pace);
        return;
      }
      // Window by window, newest (or oldest) first, sizing each window from the last one's
      // density, so neither JavaScript nor DuckDB ever holds the whole range.
      let remaining = plan.limit ?? Infinity;
      const windows = new TimeWindows(plan.start, plan.end, plan.direction);
      for (let win = windows.next(); win && remaining > 0; win = windows.next()) {
        if (plan.signal?.aborted) throw plan.signal.reason ?? new Error('aborted');
        const lim = remaining === Infinity ? '' : ` LIMIT ${remaining}`;
        const sql = `SELECT ${cols} FROM entries WHERE ${this.whereClause(plan, win.from, win.to, blocks)} ORDER BY ts ${order}, stream ${order}${lim}`;
        let got = 0;
        for await (const rows of this.readQuery(conn, sql, plan.signal, plan.pace)) {
          got += rows.length;
          yield rows;
        }
        remaining -= got;
        windows.done(got);
      }
    } catch (err) {
      throw this.db.readFailed('read entries', err);
    } finally {
      plan.signal?.removeEventListener('abort', onAbort);
      this.db.release(conn);
    }
  }

  private async *readQuery(conn: DuckDBConnection, sql: string, signal?: AbortSignal, pace?: () => Promise<void>): AsyncIterable<StoredRow[]> {
    const res = await conn.stream(sql);
    for await (const chunk of res) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      // Decoding a chunk's strings is the costliest JavaScript of a scan: do it in the query's slice.
      if (pace) await pace();
      const [keys, ts, levels, lines, metas] = chunk.getColumns() as [number[], bigint[], number[], string[], (string | null)[]];
      const rows: StoredRow[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const m = metas[i];
        rows[i] = {
          streamId: this.streamKeys.idOf(keys[i]),
          ts: ts[i],
          level: levelFromCode(levels[i]),
          line: lines[i],
          metadata: m === null ? undefined : (JSON.parse(m) as Record<string, string>),
        };
      }
      yield rows;
    }
  }

  async countBuckets(plan: CountPlan): Promise<CountBucketRow[]> {
    if (plan.streamIds.length === 0 || plan.start >= plan.end) return [];
    if (plan.levels && plan.levels.length === 0) return [];
    if (plan.width <= 0n || plan.start <= plan.origin) throw new Error('BUG: countBuckets needs width > 0 and start > origin');
    const keys = plan.metadataKeys;
    const conn = await this.db.reader('count entries');
    const onAbort = (): void => conn.interrupt();
    plan.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const blocks = await this.blocks.filterSql(conn, plan.line, plan.start, plan.end);
      const sql = countSql(plan, {
        entriesWhere: (from, to) => this.whereClause(plan, from, to, blocks),
        streamFilter: this.streamKeys.filterSql(plan.tenant, plan.streamIds),
        keyFor: (id) => this.streamKeys.keyFor(plan.tenant, id),
        rollups: this.opts.rollups !== false,
      });
      // Columns of plain numbers: converting DuckDB's BIGINT and HUGEINT values to JavaScript
      // costs more than the query when a day of minutes per stream comes back.
      const cols = (await conn.runAndReadAll(sql)).getColumns();
      if (plan.signal?.aborted) throw plan.signal.reason ?? new Error('aborted');
      const [keyCol, levelCol, bucketCol, countCol, bytesCol, ...metaCols] = cols as [number[], number[], number[], number[], number[], ...Array<Array<string | null>>];
      const out: CountBucketRow[] = new Array(keyCol.length);
      for (let i = 0; i < keyCol.length; i++) {
        out[i] = {
          streamId: this.streamKeys.idOf(keyCol[i]),
          level: levelFromCode(levelCol[i]),
          ...metadataOf(
            keys,
            metaCols.map((c) => c[i]),
          ),
          bucket: bucketCol[i],
          count: countCol[i],
          bytes: bytesCol[i],
        };
      }
      return out;
    } catch (err) {
      throw this.db.readFailed('count entries', err);
    } finally {
      plan.signal?.removeEventListener('abort', onAbort);
      this.db.release(conn);
    }
  }

  async stats(tenant: string, streamIds: bigint[], start: Nanos, end: Nanos): Promise<IndexStats> {
    if (streamIds.length === 0) return { streams: 0, chunks: 0, entries: 0, bytes: 0 };
    const sql = `SELECT count(DISTINCT stream), count(*), coalesce(sum(strlen(line)), 0) FROM entries WHERE ${this.whereClause({ tenant, streamIds }, start, end)}`;
    const row = (await this.query(sql))[0];
    const streams = Number(row[0]);
    // There are no chunks in a columnar store; one stream's data in the range counts as one.
    return { streams, chunks: streams, entries: Number(row[1]), bytes: Number(row[2]) };
  }

  /**
   * Runs `fn` on the writer connection, between commits and checkpoints: other tables kept in
   * this file (the auth tables of src/auth/duckdb-auth-store.ts) are written here. `fn` must
   * not leave a transaction open.
   */
  async withWriter<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new LogSentinelError('STORAGE_UNAVAILABLE', 'cannot write to the store: it is closed', { retryable: true });
    return this.writeLock.run(() => fn(this.db.writer('write auth tables')));
  }

  /** Runs a read-only query on its own connection. */
  async query(sql: string, values?: DuckDBValue[]): Promise<DuckDBValue[][]> {
    const conn = await this.db.reader('query store');
    try {
      return (await conn.runAndReadAll(sql, values)).getRows();
    } catch (err) {
      throw this.db.readFailed('query store', err);
    } finally {
      this.db.release(conn);
    }
  }

  /**
   * Copies the whole store into a new DuckDB file `file` while writes go on (database.ts
   * `copyTo`). Scheduled checkpoints of the live store wait until the copy is done: both compete
   * for the same CPU and disk, and a checkpoint would stall commits for longer.
   */
  async backupTo(file: string, signal?: AbortSignal): Promise<{ entries: number; streams: number; schemaVersion: number }> {
    this.backups++;
    try {
      return await this.db.copyTo(file, signal);
    } finally {
      if (--this.backups === 0) void this.maybeCheckpoint().catch((err) => this.opts.onBackgroundError?.('checkpoint', err));
    }
  }

  /**
   * Why the store cannot serve now (it is reopening after a fatal error), or undefined. Read by
   * readiness and by ingest, which refuses pushes meanwhile instead of queueing them.
   */
  unavailableReason(): string | undefined {
    return this.db.unavailableReason();
  }

  memoryStats(): Promise<Map<string, number>> {
    return this.db.memoryByTag();
  }

  async applyRetention(cutoff: Nanos): Promise<number> {
    return this.writeLock.run(async () => {
      const writer = this.db.writer('apply retention');
      // The minute cell the cutoff falls in loses part of its entries: its counts are recounted.
      const cut = cellOf(cutoff);
      let deleted: number;
      try {
        await writer.run('BEGIN TRANSACTION');
        const res = await writer.run(`DELETE FROM entries WHERE ts < ${cutoff}`);
        deleted = Number(res.rowsChanged);
        for (const sql of recountStatements(cut)) await writer.run(sql);
        await this.blocks.dropBefore(writer, cutoff);
        await writer.run('COMMIT');
      } catch (err) {
        await writer.run('ROLLBACK').catch(() => undefined);
        throw this.db.writeFailed('apply retention', err);
      }
      for (const c of this.unmerged) if (c <= cut) this.unmerged.delete(c);
      const keys = this.streamKeys;
      const gone = [...keys.index.all()].filter((s) => s.lastTs < cutoff);
      for (const s of gone) {
        await writer.run(`DELETE FROM streams WHERE tenant = ${quote(s.tenant)} AND stream_id = ${s.id}`);
        keys.remove(s.tenant, s.id);
      }
      for (const s of keys.index.all()) if (s.firstTs < cutoff) s.firstTs = cutoff;
      return deleted;
    });
  }

  /** Folds the WAL into the database file, between commits and only with room for it (database.ts). */
  async checkpoint(): Promise<void> {
    // A checkpoint during a backup would stall commits for longer (shared CPU); the WAL waits.
    if (this.closed || this.backups > 0) return;
    await this.mergeCounts();
    const ms = await this.db.checkpoint();
    if (ms !== undefined) this.opts.onCheckpoint?.(ms);
  }

  /**
   * Merges the rows of the cells written since their last merge into one row per key, so counting
   * reads stay small. The newest two minutes wait (they are still being written). One short
   * transaction between commits; a crash during it leaves the rows as they were, which count the
   * same. Returns how many rows fewer the table has.
   */
  async mergeCounts(): Promise<number> {
    const hot = cellOf(BigInt(Date.now()) * 1_000_000n) - 1n;
    const cells = [...this.unmerged].filter((c) => c < hot).slice(0, 4096);
    if (cells.length === 0 || this.closed) return 0;
    return this.writeLock.run(async () => {
      const w = this.db.writer('merge entry counts');
      try {
        await w.run('BEGIN TRANSACTION');
        const [create, del, ins, drop] = mergeStatements(cells);
        await w.run(create);
        const deleted = Number((await w.run(del)).rowsChanged);
        const inserted = Number((await w.run(ins)).rowsChanged);
        await w.run(drop);
        await w.run('COMMIT');
        for (const c of cells) this.unmerged.delete(c);
        return deleted - inserted;
      } catch (err) {
        await w.run('ROLLBACK').catch(() => undefined);
        throw this.db.writeFailed('merge entry counts', err);
      }
    });
  }

  /** Checkpoints early when the WAL has grown past its bound (called after commits). */
  async maybeCheckpoint(): Promise<void> {
    const limit = this.opts.checkpointWalBytes ?? 32 * 1024 * 1024;
    const wal = await stat(this.file + '.wal').catch(() => undefined);
    if (wal && wal.size > limit) await this.checkpoint();
  }

  async sizeBytes(): Promise<number> {
    let total = 0;
    for (const f of [this.file, this.file + '.wal']) {
      try {
        total += statSync(f).size;
      } catch {
        // absent WAL is normal after a checkpoint
      }
    }
    return total;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    await this.writeLock.run(() => {
      this.closed = true;
      return this.db.close();
    });
  }
}
