/**
 * Per-minute counts of the PostgreSQL store (the cells and how queries split over them:
 * ../common/rollups.ts). Every statement that touches `entry_counts` is built here.
 *
 * entry_counts: per stream (`skey`, which also scopes the tenant), level, minute `cell` and
 *   `meta` (the entries have structured metadata), the number of entries `n` and the UTF-8
 *   bytes of their lines as stored (`octet_length(line)`). A plain table on both layouts.
 *   - Writers append rows in the transaction that inserts the entries, counting only the rows
 *     really inserted (the COPY path: every row of the batch; the ON CONFLICT path: what the
 *     INSERT returned), so a redelivered batch is never counted twice. Appends only: no unique
 *     key, so concurrent writers never wait on each other here.
 *   - `merged` is false on appended rows. The merge (one process at a time) replaces the rows of
 *     each (skey, cell) holding unmerged rows by one merged row per key; the partial index on
 *     unmerged rows is how any process finds them, also those a crashed process left.
 *   - Whatever changes rows of past cells (merge, retention) does so in one statement that
 *     deletes and re-inserts from one snapshot: a writer's commit is either wholly in that
 *     snapshot (entries recounted, its count rows deleted) or wholly after it (its rows stay).
 *     Merge and retention take the same advisory lock, so they never delete the same rows.
 */
import { CELL_NS } from '../common/rollups.js';

/** The minute cell of `col` (floor((ts − 1) / 60 s), also below the epoch; `/` truncates). */
export function cellSql(col: string): string {
  return `((${col} - 1) / ${CELL_NS} - ((${col} - 1) % ${CELL_NS} < 0)::int)`;
}

/** Migration 4 (both layouts): the table, its backfill from the entries stored so far, its indexes. */
export const COUNTS_MIGRATION: readonly string[] = [
  // A schema whose recorded version was set back by hand gets its counts rebuilt, not added twice.
  `DROP TABLE IF EXISTS entry_counts`,
  `CREATE TABLE entry_counts (
         cell bigint NOT NULL,
         n bigint NOT NULL,
         bytes bigint NOT NULL,
         skey integer NOT NULL,
         level smallint NOT NULL,
         meta boolean NOT NULL,
         merged boolean NOT NULL DEFAULT false)`,
  `INSERT INTO entry_counts (cell, n, bytes, skey, level, meta, merged) ` +
    `SELECT ${cellSql('ts')}, count(*), sum(octet_length(line)), skey, level, metadata IS NOT NULL, true FROM entries GROUP BY 1, 4, 5, 6`,
  // Counting queries: a range of cells per stream. Retention: cells up to the cutoff per stream.
  `CREATE INDEX entry_counts_key ON entry_counts (skey, cell)`,
  // Only rows appended since their cell was last merged: small, and what the merge looks for.
  `CREATE INDEX entry_counts_unmerged ON entry_counts (cell, skey) WHERE NOT merged`,
];

/** The COPY path's counts (computed while the COPY text was built), as parallel arrays. */
export const INSERT_COUNTS =
  'INSERT INTO entry_counts (cell, n, bytes, skey, level, meta) ' +
  'SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::integer[], $5::smallint[], $6::boolean[])';

/**
 * `insert` (an `INSERT INTO entries … ON CONFLICT DO NOTHING` without RETURNING) wrapped so that
 * the rows it really inserted are counted into entry_counts in the same statement; the result
 * is one row, `n` = entries inserted.
 */
export function countingInsert(insert: string): string {
  return (
    `WITH ins AS (${insert} RETURNING ts, skey, level, octet_length(line) AS bytes, metadata IS NOT NULL AS meta), ` +
    `counted AS (INSERT INTO entry_counts (cell, n, bytes, skey, level, meta) SELECT ${cellSql('ts')}, count(*), sum(bytes), skey, level, meta FROM ins GROUP BY 1, 4, 5, 6) ` +
    `SELECT count(*)::integer AS n FROM ins`
  );
}

/** Serialises merge and retention on entry_counts, per schema. */
export function countsLockKey(schema: string): string {
  return `logsentinel:entry_counts:${schema}`;
}

/**
 * One merge round: up to `$2` (skey, cell) pairs with unmerged rows in cells before `$1` get one
 * row per key. Returns how many pairs were taken and how many rows were deleted and inserted.
 * `k` is materialised: the DELETE and the count must see the same pairs (LIMIT without ORDER BY).
 */
export const MERGE_ROUND =
  `WITH k AS MATERIALIZED (SELECT DISTINCT skey, cell FROM entry_counts WHERE NOT merged AND cell < $1::bigint LIMIT $2::integer), ` +
  `d AS (DELETE FROM entry_counts e USING k WHERE e.skey = k.skey AND e.cell = k.cell RETURNING e.cell, e.n, e.bytes, e.skey, e.level, e.meta), ` +
  `i AS (INSERT INTO entry_counts (cell, n, bytes, skey, level, meta, merged) SELECT cell, sum(n), sum(bytes), skey, level, meta, true FROM d GROUP BY cell, skey, level, meta RETURNING 1) ` +
  `SELECT (SELECT count(*) FROM k)::integer AS keys, (SELECT count(*) FROM d)::integer AS deleted, (SELECT count(*) FROM i)::integer AS inserted`;

/**
 * Retention's part in one statement: drops the counts of every cell up to `$2`, the one holding
 * the cutoff `$1`, and counts that cell again from its entries at or after the cutoff (both found
 * stream by stream through indexes that lead with skey). With `trim`, the entries below the
 * cutoff are deleted in the same statement (one snapshot: an entry written meanwhile below the
 * cutoff keeps both its row and its count); the result is one row, `n` = entries deleted.
 * Without it (TimescaleDB, whose DELETE stays a plain statement), the caller has deleted them
 * before in the same transaction, and an entry below the cutoff committed in between loses its
 * count until the next retention pass deletes the entry too.
 */
export function retentionStatement(trim: boolean): string {
  const counts =
    `gone AS (DELETE FROM entry_counts WHERE skey = ANY(ARRAY(SELECT skey FROM streams)) AND cell <= $2::bigint), ` +
    `recount AS (INSERT INTO entry_counts (cell, n, bytes, skey, level, meta, merged) ` +
    `SELECT $2::bigint, count(*), sum(octet_length(line)), skey, level, metadata IS NOT NULL, true FROM entries ` +
    `WHERE skey = ANY(ARRAY(SELECT skey FROM streams)) AND ts >= $1::bigint AND ts <= ($2::bigint + 1) * ${CELL_NS} GROUP BY skey, level, metadata IS NOT NULL) `;
  if (!trim) return `WITH ${counts}SELECT 0 AS n`;
  return `WITH trimmed AS (DELETE FROM entries WHERE ts < $1::bigint RETURNING 1), ${counts}SELECT count(*)::bigint AS n FROM trimmed`;
}
