/**
 * Blocks of the embedded store and their skip index (schema version 3).
 *
 * Every row of `entries` carries `blk`, the block it was written in: blocks are numbered in
 * commit order and one is sealed once it holds `blockRows` rows (32,768 by default; the commit
 * that passes the mark still goes into it). Because `blk` only grows as rows are appended,
 * DuckDB's per-row-group min/max on it lets `blk IN (...)` skip whole row groups.
 *
 * When a block is sealed, the Bloom filter of its lines' 4-grams (common/line-bloom.ts) is
 * written to `line_blooms` with the block's time range, in its own small transaction after the
 * commit that filled it. The filter is built from the lines as they are appended; a commit that
 * fails leaves its lines' grams in it, which only makes it say "maybe" more often.
 *
 * A query with a line filter tests the filters of the blocks in its time range and keeps only
 * `blk` values whose filter may match, plus every block that has no filter: the one being filled,
 * any whose filter could not be written, and rows from before version 3 (`blk` NULL). The filters
 * of the newest `maxCached` sealed blocks are also kept in memory and tested there; older ones are
 * tested in SQL, so they never leave DuckDB. Every sealed block from `cachedFrom` on with a filter
 * has it in memory: one missing there would be taken as ruled out.
 *
 * Crash safety: a block's filter is written only after its rows are committed, so a crash can
 * leave a block without one, never a filter that misses rows. At open, every block without a
 * filter (the newest, partly filled one included) gets one built from its rows; writing then
 * starts a new block.
 */
import { blobValue, type DuckDBBlobValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Nanos } from '../../model/entry.js';
import type { LinePredicate } from '../../logql/plan.js';
import { LineBloom, bloomSql, bloomTest } from '../common/line-bloom.js';

/**
 * Rows per block: 32,768 keep a filter of about a byte per line selective (line-bloom.ts).
 */
export const DEFAULT_BLOCK_ROWS = 32_768;

/**
 * Rows per DuckDB row group of the store (database.ts). DuckDB skips whole row groups, so a block
 * that may hold a needle costs reading the row groups it lies in: with DuckDB's default of 122,880
 * that is nearly four blocks' worth. On a copy of a 10M-line store, 65,536 took a rare-token query
 * from about 100 to 61 ms for 5% more bytes, and 32,768 to 48 ms for 14% more; the benchmark's
 * own runs showed a smaller gain (bench/ingest-query/README.md).
 */
export const DEFAULT_ROW_GROUP_ROWS = 65_536;

/**
 * Filters of the newest sealed blocks kept in memory: 1,024 of 32 KiB, 32 MiB for the newest 33M
 * lines or so. Reading the filters from the store took most of a rare-token query's filter test
 * (10–40 ms for the 208 filters of a 10M-line store, against 2 ms in memory); older blocks are
 * tested in SQL as before.
 */
export const DEFAULT_CACHED_FILTERS = 1024;

interface Filter {
  minTs: Nanos;
  maxTs: Nanos;
  bits: Uint8Array;
}

export class BlockIndex {
  /** The block being filled: rows appended now get this `blk`. */
  current = 0;
  private rows = 0;
  private minTs: Nanos | undefined;
  private maxTs: Nanos | undefined;
  private readonly bloom = new LineBloom();
  /** Sealed blocks whose filter could not be written: always read. */
  private readonly unindexed = new Set<number>();
  /** Rows written before version 3 (`blk` NULL) exist: always read. */
  private legacy = false;
  /**
   * Filters of sealed blocks in memory, in ascending block order: every sealed block from
   * `cachedFrom` on that has a filter has it here; older ones are tested in SQL.
   */
  private readonly cached = new Map<number, Filter>();
  private cachedFrom = 0;

  constructor(
    private readonly blockRows = DEFAULT_BLOCK_ROWS,
    private readonly onFilter?: (read: number, skipped: number) => void,
    private readonly maxCached = DEFAULT_CACHED_FILTERS,
  ) {}

  /**
   * At open (and reopen): find where writing resumes and give every older block a filter. A filter
   * that cannot be written (a full disk) does not stop the open: its block is read by every query
   * until a later open writes it, and `onError` is told.
   */
  async open(conn: DuckDBConnection, onError: (err: unknown) => void): Promise<void> {
    this.reset();
    this.unindexed.clear();
    const [[max, nulls]] = (await conn.runAndReadAll('SELECT max(blk), count(*) FILTER (WHERE blk IS NULL) FROM entries')).getRows();
    this.legacy = Number(nulls) > 0;
    const newest = max === null ? -1 : Number(max);
    const missing = (
      await conn.runAndReadAll(`SELECT DISTINCT blk FROM entries WHERE blk IS NOT NULL AND blk NOT IN (SELECT blk FROM line_blooms) ORDER BY blk`)
    ).getRows();
    for (const [b] of missing) {
      try {
        await this.rebuild(conn, Number(b));
      } catch (err) {
        this.unindexed.add(Number(b));
        onError(err);
      }
    }
    // The newest block may be partly filled; it now has its filter, and writing starts afresh.
    this.current = newest + 1;
    this.cached.clear();
    const newestFilters = (await conn.runAndReadAll(`SELECT blk, min_ts, max_ts, bits::BLOB FROM line_blooms ORDER BY blk DESC LIMIT ${this.maxCached}`)).getRows();
    for (const [b, minTs, maxTs, bits] of newestFilters.reverse()) {
      this.cached.set(Number(b), { minTs: minTs as bigint, maxTs: maxTs as bigint, bits: (bits as DuckDBBlobValue).bytes });
    }
    this.cachedFrom = newestFilters.length === this.maxCached ? Number(newestFilters[0][0]) : 0;
  }

  /** A filter just written: kept in memory, the oldest kept one going when there are too many. */
  private keep(b: number, filter: Filter): void {
    this.cached.set(b, filter);
    for (const oldest of this.cached.keys()) {
      if (this.cached.size <= this.maxCached) break;
      this.cached.delete(oldest);
      this.cachedFrom = oldest + 1;
    }
  }

  private reset(): void {
    this.rows = 0;
    this.minTs = undefined;
    this.maxTs = undefined;
    this.bloom.clear();
  }

  /** Builds and writes the filter of block `b` from its stored lines. */
  private async rebuild(conn: DuckDBConnection, b: number): Promise<void> {
    this.reset();
    const res = await conn.stream(`SELECT line, ts FROM entries WHERE blk = ${b}`);
    for await (const chunk of res) {
      const [lines, ts] = chunk.getColumns() as [string[], bigint[]];
      for (let i = 0; i < lines.length; i++) {
        this.add(lines[i]);
        this.span(ts[i], ts[i]);
      }
    }
    await this.write(conn, b);
    this.reset();
  }

  /** A line appended to the current block. */
  add(line: string): void {
    this.bloom.add(line);
  }

  /** Timestamps from `min` to `max` were appended to the current block (per stream, not per line). */
  span(min: Nanos, max: Nanos): void {
    if (this.minTs === undefined || min < this.minTs) this.minTs = min;
    if (this.maxTs === undefined || max > this.maxTs) this.maxTs = max;
  }

  /**
   * After a commit of `rows` rows into the current block: seals it when full (writes its filter
   * and moves on). Called under the store's write lock. A failed write leaves the block read by
   * every query (it is rebuilt at the next open) and is reported through `onError`.
   */
  async committed(conn: DuckDBConnection, rows: number, onError: (err: unknown) => void): Promise<void> {
    this.rows += rows;
    if (this.rows < this.blockRows) return;
    const b = this.current;
    try {
      await this.write(conn, b);
    } catch (err) {
      this.unindexed.add(b);
      onError(err);
    }
    this.current = b + 1;
    this.reset();
  }

  private async write(conn: DuckDBConnection, b: number): Promise<void> {
    if (this.minTs === undefined || this.maxTs === undefined) return; // nothing stored in it
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(`DELETE FROM line_blooms WHERE blk = ${b}`);
      // Cast from the filter's bytes: DuckDB's BIT numbers each byte's bits from the most significant.
      await conn.run('INSERT INTO line_blooms VALUES ($1, $2, $3, $4::BIT)', [b, this.minTs, this.maxTs, blobValue(this.bloom.bits)]);
      await conn.run('COMMIT');
      if (b >= this.cachedFrom) this.keep(b, { minTs: this.minTs, maxTs: this.maxTs, bits: this.bloom.bits.slice() });
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * A condition on `blk` that keeps only the blocks that may hold lines satisfying `line` in
   * [start, end), or undefined when the filters rule nothing out. `conn` reads the filters.
   */
  async filterSql(conn: DuckDBConnection, line: LinePredicate | undefined, start: Nanos, end: Nanos): Promise<string | undefined> {
    const test = line && bloomSql(line, 'bits');
    if (!test) return undefined;
    const inMemory = bloomTest(line)!;
    // Taken before the filters are read: a block sealed meanwhile is still >= current.
    const current = this.current;
    const cachedFrom = this.cachedFrom;
    const keep = [...this.unindexed];
    let tested = 0;
    let skipped = 0;
    for (const [b, f] of this.cached) {
      if (f.maxTs < start || f.minTs >= end) continue;
      tested++;
      if (inMemory(f.bits)) keep.push(b);
      else skipped++;
    }
    if (cachedFrom > 0) {
      // Older filters are tested in DuckDB, where they are stored; only block numbers come back.
      const rows = (await conn.runAndReadAll(`SELECT blk, ${test} FROM line_blooms WHERE blk < ${cachedFrom} AND max_ts >= ${start} AND min_ts < ${end}`)).getRows();
      for (const [b, may] of rows) {
        tested++;
        if (may) keep.push(Number(b));
        else skipped++;
      }
    }
    this.onFilter?.(tested - skipped, skipped);
    if (skipped === 0) return undefined;
    const parts = [`blk >= ${current}`];
    if (keep.length > 0) parts.push(`blk IN (${keep.join(',')})`);
    if (this.legacy) parts.push('blk IS NULL');
    return `(${parts.join(' OR ')})`;
  }

  /** Retention deleted every row before `cutoff`: filters of blocks entirely before it go too. */
  async dropBefore(conn: DuckDBConnection, cutoff: Nanos): Promise<void> {
    // The filters in memory stay until they age out: this runs inside retention's transaction,
    // which may still roll back, and a filter of a block without rows only keeps an empty block.
    await conn.run(`DELETE FROM line_blooms WHERE max_ts < ${cutoff}`);
  }
}
