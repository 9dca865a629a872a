/**
 * On-disk schema of the embedded store, versioned. `MIGRATIONS[i]` moves the schema from version
 * i to i+1; `migrate` applies the missing ones in one transaction at open.
 *
 * entries: one row per log entry. `ts` is nanoseconds since the epoch (BIGINT keeps every digit
 * a client sent); `stream` is the stream's small surrogate key (streams.key), which bit-packs to
 * a few bits per row where the 64-bit stream id would take eight bytes; `level` is the code
 * from model/level.ts; `line` is zstd-compressed (about half the size of DuckDB's default FSST on
 * real logs); `metadata` is a JSON object of strings or NULL. Rows are appended in commit order,
 * so DuckDB's per-row-group min/max on `ts` prunes most of the table for recent time ranges.
 * streams: one row per (tenant, stream id) with its surrogate key and labels (JSON object).
 * entry_counts (version 2): entries and line bytes per tenant, stream, level, minute cell and
 * "has metadata", appended with the entries they count and merged in the background (rollups.ts).
 * entries.blk and line_blooms (version 3): the block each row was written in, and per sealed block
 * its time range and the Bloom filter of its lines' 4-grams, the skip index of line filters
 * (blocks.ts).
 * line_blooms.bits as BIT (version 4): queries test a filter's bits where it is stored; as a BLOB
 * every query cast every filter of its range to BIT first, which was most of the filter test's
 * time (20–50 of 25–65 ms over the 208 filters of a 10M-line store, against 2–6 ms as BIT).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE streams (
       tenant VARCHAR NOT NULL,
       stream_id UBIGINT NOT NULL,
       key UINTEGER NOT NULL UNIQUE,
       labels VARCHAR NOT NULL,
       PRIMARY KEY (tenant, stream_id))`,
    `CREATE TABLE entries (
       tenant VARCHAR NOT NULL,
       ts BIGINT NOT NULL,
       stream UINTEGER NOT NULL,
       level UTINYINT NOT NULL,
       line VARCHAR NOT NULL USING COMPRESSION zstd,
       metadata VARCHAR)`,
  ],
  [
    `CREATE TABLE entry_counts (
       tenant VARCHAR NOT NULL,
       stream UINTEGER NOT NULL,
       level UTINYINT NOT NULL,
       cell BIGINT NOT NULL,
       meta BOOLEAN NOT NULL,
       n BIGINT NOT NULL,
       bytes BIGINT NOT NULL)`,
    // Cell c holds (c·60 s, (c+1)·60 s]; the store's timestamps are after 1970, so // floors.
    `INSERT INTO entry_counts
       SELECT tenant, stream, level, (ts - 1) // 60000000000, metadata IS NOT NULL, count(*), sum(strlen(line))
       FROM entries GROUP BY ALL`,
  ],
  [
    // Rows written before this version keep blk NULL and are read by every query (blocks.ts).
    `ALTER TABLE entries ADD COLUMN blk UINTEGER`,
    `CREATE TABLE line_blooms (
       blk UINTEGER NOT NULL,
       min_ts BIGINT NOT NULL,
       max_ts BIGINT NOT NULL,
       bits BLOB NOT NULL)`,
  ],
  [`ALTER TABLE line_blooms ALTER bits SET DATA TYPE BIT USING bits::BIT`],
];

export async function migrate(conn: DuckDBConnection): Promise<number> {
  await conn.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const rows = (await conn.runAndReadAll('SELECT max(version) FROM schema_version')).getRows();
  const current = Number(rows[0]?.[0] ?? 0);
  if (current > MIGRATIONS.length) {
    throw new Error(`cannot open store: its schema version ${current} is newer than this LogSentinel supports (${MIGRATIONS.length})`);
  }
  if (current === MIGRATIONS.length) return current;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (let v = current; v < MIGRATIONS.length; v++) {
      for (const stmt of MIGRATIONS[v]) await conn.run(stmt);
    }
    await conn.run('DELETE FROM schema_version');
    await conn.run(`INSERT INTO schema_version VALUES (${MIGRATIONS.length})`);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return MIGRATIONS.length;
}
