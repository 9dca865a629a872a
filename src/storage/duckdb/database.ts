/**
 * The open DuckDB instance of the store file: its writer connection, the connections of running
 * reads, checkpoints with room for them, recovery from a fatal error, and copies for backups.
 *
 * A full disk (errors.ts): a commit whose WAL write finds no space fails alone (503, the client
 * retries) and the instance stays usable. A checkpoint waits while the filesystem has less free
 * space than the WAL plus a reserve, because a checkpoint that fails half-way is fatal: DuckDB
 * invalidates the instance, and every later call fails. If that happens anyway (another process
 * filled the disk during the checkpoint), the database reopens itself: it interrupts running
 * reads and waits for them, closes the instance, opens the file again — DuckDB replays the WAL,
 * which holds every acknowledged commit — and runs `onOpen` again (the store reloads its stream
 * index there). Meanwhile writes and reads answer 503 with Retry-After naming the cause; a failed
 * attempt is retried after a pause that doubles up to 10 s.
 *
 * Every write and the reopen itself run under the store's `writeLock`, so a reopen never
 * overlaps a commit or a checkpoint.
 *
 * The file is attached to an in-memory instance rather than opened as the instance's own
 * database, because only ATTACH takes a row group size (`rowGroupRows`, not stored in the file:
 * it applies to the row groups written while it is attached). Every connection is pointed at it
 * with USE.
 */
import { stat, statfs } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LogSentinelError } from '../../errors.js';
import type { Mutex } from '../common/mutex.js';
import { formatBytes } from '../common/format-bytes.js';
import { causeOf, diskFullError, isDiskFull, isFatal, reopeningError } from './errors.js';
import { quote } from './sql.js';

export interface StoreDatabaseOptions {
  file: string;
  /** The directory whose filesystem holds the file and its WAL. */
  dataDir: string;
  /** DuckDB configuration options of the instance. */
  config: Record<string, string>;
  /**
   * Rows per DuckDB row group. A query skips whole row groups (by the min/max of their columns),
   * so smaller ones make a selective read cheaper, for a little more space (default 122,880).
   */
  rowGroupRows?: number;
  /** Runs after every open (the first and each reopen) before the database serves; may throw. */
  onOpen: (writer: DuckDBConnection) => Promise<void>;
  writeLock: Mutex;
  /** A checkpoint waits while the filesystem has less free space than the WAL plus this (default 16 MiB). */
  checkpointReserveBytes?: number;
  /** First pause between failed reopen attempts (default 500 ms). */
  reopenRetryMs?: number;
  /** A fatal error, a failed reopen attempt, a deferred checkpoint. */
  onBackgroundError?: (what: string, err: unknown) => void;
  /** The database reopened itself after a fatal error. */
  onReopen?: (info: { cause: string; ms: number }) => void;
}

/** The catalog name of the attached store file in SQL. */
export const STORE_CATALOG = 'store';

export class StoreDatabase {
  private instance?: DuckDBInstance;
  private writerConn?: DuckDBConnection;
  /** Connections of running reads; a reopen waits for them. */
  private readonly readers = new Set<DuckDBConnection>();
  /** Set from a fatal error until the database has reopened. */
  private fatal?: { cause: string; lastError?: string };
  private reopening?: Promise<void>;
  /** Why the last checkpoint had to wait (reported once per change). */
  private checkpointDeferred?: string;
  private closed = false;

  constructor(private readonly opts: StoreDatabaseOptions) {}

  /** Opens the file, replaying its WAL, and runs `onOpen`. */
  async open(): Promise<void> {
    let instance: DuckDBInstance;
    let writer: DuckDBConnection;
    try {
      instance = await DuckDBInstance.create(':memory:', {
        // Spilled query state goes beside the store, as it would for a file opened directly.
        temp_directory: this.opts.file + '.tmp',
        ...this.opts.config,
      });
      writer = await instance.connect();
    } catch (err) {
      throw new LogSentinelError('STORAGE_UNAVAILABLE', `cannot open store ${this.opts.file}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const size = this.opts.rowGroupRows ? ` (ROW_GROUP_SIZE ${this.opts.rowGroupRows})` : '';
      await writer.run(`ATTACH ${quote(this.opts.file)} AS ${STORE_CATALOG}${size}`);
    } catch (err) {
      writer.closeSync();
      instance.closeSync();
      throw new LogSentinelError('STORAGE_UNAVAILABLE', `cannot open store ${this.opts.file}: ${(err as Error).message}`, { cause: err });
    }
    try {
      await writer.run(`USE ${STORE_CATALOG}`);
      // Only LogSentinel checkpoints, and only with room for it (see checkpoint and close).
      await writer.run('PRAGMA disable_checkpoint_on_shutdown');
      this.instance = instance;
      this.writerConn = writer;
      await this.opts.onOpen(writer);
    } catch (err) {
      this.instance = undefined;
      this.writerConn = undefined;
      writer.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  /** The writer connection; call under the write lock. Throws a 503 while the database reopens. */
  writer(what: string): DuckDBConnection {
    if (this.fatal || !this.writerConn) throw reopeningError(what, this.fatal?.cause ?? 'the store is not open');
    return this.writerConn;
  }

  /** A connection for one read, refused while the database reopens; give it back with `release`. */
  async reader(what: string): Promise<DuckDBConnection> {
    if (this.closed) throw new LogSentinelError('STORAGE_UNAVAILABLE', `cannot ${what}: store is closed`, { retryable: true, retryAfter: 1 });
    if (this.fatal || !this.instance) throw reopeningError(what, this.fatal?.cause ?? 'the store is not open');
    const conn = await this.instance.connect();
    this.readers.add(conn);
    try {
      await conn.run(`USE ${STORE_CATALOG}`);
    } catch (err) {
      this.release(conn);
      throw this.readFailed(what, err);
    }
    return conn;
  }

  release(conn: DuckDBConnection): void {
    this.readers.delete(conn);
    conn.closeSync();
  }

  /** A read's error: a fatal one starts a reopen; fatal and full-disk ones become 503s naming the cause. */
  readFailed(what: string, err: unknown): unknown {
    if (err instanceof LogSentinelError) return err;
    if (isFatal(err)) {
      this.startReopen(err);
      return reopeningError(what, causeOf(err), err);
    }
    // The reopen closed this read's instance under it.
    if (this.fatal) return reopeningError(what, this.fatal.cause, err);
    if (isDiskFull(err)) return diskFullError(what, this.opts.dataDir, err);
    return err;
  }

  /** A write's (or checkpoint's) error, always retryable: a fatal one starts a reopen. */
  writeFailed(what: string, err: unknown): LogSentinelError {
    if (err instanceof LogSentinelError) return err;
    if (isFatal(err)) {
      this.startReopen(err);
      return reopeningError(what, causeOf(err), err);
    }
    if (isDiskFull(err)) return diskFullError(what, this.opts.dataDir, err);
    return new LogSentinelError('STORAGE_UNAVAILABLE', `cannot ${what} in ${this.opts.file}: ${causeOf(err)}`, { retryable: true, retryAfter: 1, cause: err });
  }

  /**
   * What DuckDB's buffer manager holds, in bytes by its tag (`duckdb_memory()`): `BASE_TABLE` is
   * table data read or written since it was last evicted, `IN_MEMORY_TABLE` rows not yet
   * checkpointed, `HASH_TABLE` and `ORDER_BY` state of running queries, and so on. Tags holding
   * nothing are left out. All of it stays within `memory_limit`.
   */
  async memoryByTag(): Promise<Map<string, number>> {
    const conn = await this.reader('read memory use');
    try {
      const rows = (await conn.runAndReadAll('SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0')).getRows();
      return new Map(rows.map(([tag, bytes]) => [String(tag), Number(bytes)]));
    } catch (err) {
      throw this.readFailed('read memory use', err);
    } finally {
      this.release(conn);
    }
  }

  /**
   * Copies the whole database — every table, as of one snapshot — into a new DuckDB file `file`
   * (which must not exist yet), while writes go on: the copy is one read transaction, so it sees
   * exactly the commits before it began, and takes neither the write lock nor a checkpoint. The
   * copy has the store's row group size, is checkpointed (no WAL beside it) and detached before
   * this resolves. A failure (or a kill) leaves a partial file that the caller must not take for a
   * backup.
   */
  async copyTo(file: string, signal?: AbortSignal): Promise<{ entries: number; streams: number; schemaVersion: number }> {
    const conn = await this.reader('back up store');
    const alias = `ls_backup_${process.pid}_${Date.now()}`;
    const onAbort = (): void => conn.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const size = this.opts.rowGroupRows ? ` (ROW_GROUP_SIZE ${this.opts.rowGroupRows})` : '';
      await conn.run(`ATTACH ${quote(file)} AS ${alias}${size}`);
      try {
        await conn.run('BEGIN TRANSACTION');
        await conn.run(`COPY FROM DATABASE ${STORE_CATALOG} TO ${alias}`);
        const [[entries, streams, version]] = (
          await conn.runAndReadAll(`SELECT (SELECT count(*) FROM ${alias}.entries), (SELECT count(*) FROM ${alias}.streams), (SELECT max(version) FROM ${alias}.schema_version)`)
        ).getRows();
        await conn.run('COMMIT');
        await conn.run(`CHECKPOINT ${alias}`);
        return { entries: Number(entries), streams: Number(streams), schemaVersion: Number(version) };
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        await conn.run(`DETACH ${alias}`).catch(() => undefined);
      }
    } catch (err) {
      if (signal?.aborted) throw new LogSentinelError('STORAGE_UNAVAILABLE', `cannot back up store to ${file}: interrupted (${String(signal.reason)})`, { retryable: true, cause: err });
      throw this.readFailed('back up store', err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(conn);
    }
  }

  /** Why the database cannot serve now (it is reopening after a fatal error), or undefined. */
  unavailableReason(): string | undefined {
    const f = this.fatal;
    if (!f) return undefined;
    return `reopening after a fatal error (${f.cause})` + (f.lastError ? `; the last attempt failed: ${f.lastError}` : '');
  }

  /**
   * Folds the WAL into the database file, under the write lock, only with room for it. Resolves
   * to the checkpoint's duration in ms, or undefined when there was nothing to do or it must wait.
   */
  async checkpoint(): Promise<number | undefined> {
    if (this.closed || this.fatal || !this.writerConn) return undefined;
    const wal = await stat(this.opts.file + '.wal').catch(() => undefined);
    if (!wal || wal.size === 0) return undefined;
    const deferred = await this.checkpointRoom(wal.size);
    if (deferred !== this.checkpointDeferred) {
      this.checkpointDeferred = deferred;
      if (deferred) this.opts.onBackgroundError?.('checkpoint', new Error(deferred));
    }
    if (deferred) return undefined;
    return this.opts.writeLock.run(async () => {
      if (this.closed || this.fatal || !this.writerConn) return undefined;
      const t0 = performance.now();
      try {
        await this.writerConn.run('CHECKPOINT');
      } catch (err) {
        throw this.writeFailed('checkpoint store', err);
      }
      return performance.now() - t0;
    });
  }

  /** Why a checkpoint of a WAL this big must wait (too little free space), or undefined. */
  private async checkpointRoom(walBytes: number): Promise<string | undefined> {
    const fs = await statfs(this.opts.dataDir).catch(() => undefined);
    if (!fs) return undefined;
    const free = fs.bavail * fs.bsize;
    const need = walBytes + (this.opts.checkpointReserveBytes ?? 16 * 1024 * 1024);
    if (free >= need) return undefined;
    return `cannot checkpoint ${this.opts.file}: ${formatBytes(free)} free on its filesystem, a checkpoint may need ${formatBytes(need)} (the WAL plus a reserve); it waits until space is freed`;
  }

  private startReopen(err: unknown): void {
    if (this.closed) return;
    if (!this.fatal) {
      this.fatal = { cause: causeOf(err) };
      this.opts.onBackgroundError?.('store (it was invalidated and reopens now)', err);
    }
    this.reopening ??= this.reopenLoop().finally(() => (this.reopening = undefined));
  }

  /** Reopens until it succeeds or the database is closed, pausing longer after each failure. */
  private async reopenLoop(): Promise<void> {
    let pause = this.opts.reopenRetryMs ?? 500;
    for (;;) {
      const t0 = performance.now();
      try {
        const reopened = await this.opts.writeLock.run(async () => {
          if (this.closed) return false;
          await this.dropInstance();
          await this.open();
          return true;
        });
        if (!reopened) return;
        const cause = this.fatal?.cause ?? '';
        this.fatal = undefined;
        this.opts.onReopen?.({ cause, ms: performance.now() - t0 });
        return;
      } catch (err) {
        if (this.fatal) this.fatal.lastError = causeOf(err);
        this.opts.onBackgroundError?.('reopen store', err);
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause * 2, 10_000);
        if (this.closed) return;
      }
    }
  }

  /**
   * Closes the invalidated instance. Its reads are interrupted and given a moment to end: closing
   * a connection a query still runs on is not safe, and a connection left open only keeps the old
   * instance alive (harmless: with checkpoint-on-shutdown off it writes nothing when it goes).
   */
  private async dropInstance(): Promise<void> {
    for (const c of this.readers) c.interrupt();
    for (let waited = 0; this.readers.size > 0 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    this.readers.clear();
    this.closeInstance();
  }

  private closeInstance(): void {
    try {
      this.writerConn?.closeSync();
      this.instance?.closeSync();
    } catch {
      // an invalidated instance may refuse; it goes with its last reference
    }
    this.writerConn = undefined;
    this.instance = undefined;
  }

  /**
   * Checkpoints if there is room (otherwise the WAL is replayed at the next open) and closes;
   * call under the write lock. A reopen in progress stops.
   */
  async close(): Promise<void> {
    this.closed = true;
    const wal = await stat(this.opts.file + '.wal').catch(() => undefined);
    if (this.writerConn && !this.fatal && wal && wal.size > 0 && (await this.checkpointRoom(wal.size)) === undefined) {
      try {
        await this.writerConn.run('CHECKPOINT');
      } catch {
        // the WAL is replayed at the next open
      }
    }
    this.closeInstance();
  }
}
