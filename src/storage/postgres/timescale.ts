/**
 * The TimescaleDB layout of the PostgreSQL store: every statement it runs, built here and nowhere
 * else (the unit tests assert this module's output; schema.ts and postgres-storage.ts execute it).
 *
 * Supported: TimescaleDB 2.13 through 2.28 (2.28 is the newest release for PostgreSQL 15).
 * 2.13 is the floor because it introduced the generalized `create_hypertable(rel, by_range(...))`
 * form (timescale/timescaledb#5761); DML on compressed chunks with unique indexes, and
 * `INSERT … ON CONFLICT DO NOTHING` into them, came in 2.11 (release notes of 2.11.0,
 * timescale/timescaledb#5695; https://docs.timescale.com/use-timescale/latest/compression/modify-compressed-data/).
 * The compression API used (`timescaledb.compress*` options, `add_compression_policy`,
 * `hypertable_compression_stats`) was renamed "columnstore" in 2.18 and is still accepted through
 * 2.28 ("compression APIs are still supported", https://docs.timescale.com/api/latest/compression/).
 *
 * Layout (docs/cluster.md, "Storage layouts"):
 * - `entries` is a hypertable on `ts` (BIGINT nanoseconds) in chunks of `chunkNs` (integer time,
 *   so the interval is an integer and policies need `set_integer_now_func`: `ls_now_ns()`).
 * - Identity: the unique index (skey, ts, line_hash, metadata_hash) on plain columns. The plain
 *   layout's `line_hash` is a STORED generated column and its index hashes metadata in an
 *   expression; here both hashes are ordinary columns the writer fills with the same functions
 *   (`hashtextextended(line, 0)`, `hashtextextended(coalesce(metadata, ''), 0)`) in its INSERT,
 *   because generated columns were left NULL on inserts into compressed chunks in 2.x releases up
 *   to 2.25 (timescale/timescaledb#8926, #9314, fixed by #9155): an identity hash that can be NULL
 *   would let a redelivered entry in twice.
 * - Compression: segmented by `skey` (every query filters on a set of streams: the filter applies
 *   to the compressed rows without decompressing others), ordered by `ts DESC` and then the two
 *   hashes: TimescaleDB keeps min/max per batch of the ORDER BY columns, so time ranges prune
 *   batches, and having every column of the unique index in segmentby/orderby is what
 *   TimescaleDB asks of unique indexes on compressed hypertables (else: "column … should be used
 *   for segmenting or ordering"), narrowing the batches an insert must decompress to check it.
 */
import { checkSchemaName } from './schema-name.js';
import { countingInsert } from './counts.js';

export type TimescaleMode = 'auto' | 'on' | 'off';

export const TIMESCALE_MODES: readonly TimescaleMode[] = ['auto', 'on', 'off'];

/** The oldest TimescaleDB release this layout's statements are written for. */
export const MIN_TIMESCALEDB = '2.13.0';

export interface HypertableSettings {
  schema: string;
  /** Chunk width in nanoseconds. */
  chunkNs: bigint;
}

export interface PolicySettings {
  schema: string;
  /** Compress chunks whose newest possible entry is older than this (ns); 0: no compression policy. */
  compressAfterNs: bigint;
  /** Drop chunks whose newest possible entry is older than this (ns); 0: keep forever. */
  retentionNs: bigint;
}

const rel = (schema: string): string => {
  checkSchemaName(schema);
  return `${schema}.entries`;
};

const int = (n: bigint, what: string): string => {
  if (n <= 0n) throw new Error(`BUG: ${what} must be > 0, got ${n}`);
  return n.toString();
};

/** The entries table of this layout (created in the schema by migration 1, search_path set to it). */
export const ENTRIES_TABLE = `CREATE TABLE entries (
         ts bigint NOT NULL,
         line_hash bigint NOT NULL,
         metadata_hash bigint NOT NULL,
         skey integer NOT NULL,
         level smallint NOT NULL,
         line text NOT NULL,
         metadata text)`;

/**
 * The statements that make `<schema>.entries` a compressed hypertable, in order. Run in the
 * migration transaction right after ENTRIES_TABLE.
 */
export function hypertableStatements(s: HypertableSettings): string[] {
  const t = rel(s.schema);
  return [
    // Now in nanoseconds, for the policies' age on integer time. STABLE: evaluated per run.
    `CREATE FUNCTION ${s.schema}.ls_now_ns() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT (extract(epoch FROM now()) * 1000000000)::bigint $$`,
    // No default index on ts: entries_identity (skey, ts, …) serves every read.
    `SELECT create_hypertable('${t}', by_range('ts', ${int(s.chunkNs, 'chunk interval')}::bigint), create_default_indexes => false)`,
    `SELECT set_integer_now_func('${t}', '${s.schema}.ls_now_ns')`,
    `CREATE UNIQUE INDEX entries_identity ON ${t} (skey, ts, line_hash, metadata_hash)`,
    `ALTER TABLE ${t} SET (timescaledb.compress, timescaledb.compress_segmentby = 'skey', timescaledb.compress_orderby = 'ts DESC, line_hash, metadata_hash')`,
  ];
}

/**
 * Moves the staged batch (writer's temp table `ls_stage`) into `entries`, computing the identity
 * hashes, skipping entries already stored — also in compressed chunks (TimescaleDB ≥ 2.11) — and
 * counting the rows it stored into `entry_counts` (counts.ts; a plain table, not a hypertable).
 * Rows go in the writers' common lock order (write-path.ts: no deadlocks between writers).
 */
export const INSERT_FROM_STAGE = countingInsert(
  `INSERT INTO entries (ts, line_hash, metadata_hash, skey, level, line, metadata) ` +
    `SELECT ts, hashtextextended(line, 0), hashtextextended(coalesce(metadata, ''), 0), skey, level, line, metadata FROM ls_stage ` +
    `ORDER BY skey, ts, line COLLATE "C", metadata COLLATE "C" ON CONFLICT DO NOTHING`,
);

/** Whether the server offers the extension, and whether (in which version) it is installed in this database. */
export const DETECT_EXTENSION =
  `SELECT (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS available, ` +
  `(SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS installed`;

export const CREATE_EXTENSION = 'CREATE EXTENSION IF NOT EXISTS timescaledb';

/** The policy jobs on `<schema>.entries`. */
export function policyJobsQuery(schema: string): { sql: string; values: string[] } {
  checkSchemaName(schema);
  return {
    sql:
      `SELECT job_id, proc_name, coalesce(config ->> 'compress_after', config ->> 'drop_after') AS age FROM timescaledb_information.jobs ` +
      `WHERE hypertable_schema = $1 AND hypertable_name = 'entries' AND proc_name IN ('policy_compression', 'policy_retention') ORDER BY job_id`,
    values: [schema],
  };
}

export interface PolicyJob {
  job_id: number;
  proc_name: string;
  /** The age in the job's config (`compress_after` / `drop_after`), as text: nanoseconds exceed JSON's exact integers. */
  age: string | null;
}

/**
 * The statements that bring the policies on `<schema>.entries` to `want`, given the jobs that
 * exist: nothing when they match; a changed age is a remove then an add (one policy of each kind
 * per hypertable); an age of 0 removes the policy.
 */
export function policyStatements(want: PolicySettings, jobs: readonly PolicyJob[]): string[] {
  const t = rel(want.schema);
  const out: string[] = [];
  const kinds = [
    { proc: 'policy_compression', key: 'compress_after', age: want.compressAfterNs, remove: 'remove_compression_policy', add: 'add_compression_policy' },
    { proc: 'policy_retention', key: 'drop_after', age: want.retentionNs, remove: 'remove_retention_policy', add: 'add_retention_policy' },
  ];
  for (const k of kinds) {
    if (k.age < 0n) throw new Error(`BUG: ${k.key} must be >= 0, got ${k.age}`);
    const have = jobs.filter((j) => j.proc_name === k.proc);
    const current = have.length === 1 ? ageOf(have[0].age) : undefined;
    if (have.length === 1 && current === k.age) continue;
    if (have.length === 0 && k.age === 0n) continue;
    if (have.length > 0) out.push(`SELECT ${k.remove}('${t}', if_exists => true)`);
    if (k.age > 0n) out.push(`SELECT ${k.add}('${t}', ${k.key} => ${k.age}::bigint)`);
  }
  return out;
}

function ageOf(v: string | null): bigint | undefined {
  return v !== null && /^-?\d+$/.test(v) ? BigInt(v) : undefined;
}

/**
 * Runs a policy now, in this session (tests and operators; the scheduler runs them on their own).
 * Some PostgreSQL 15 minor releases make the background worker record a policy run as failed
 * although its work committed, so tests call this rather than wait for the scheduler.
 */
export function runJobStatement(jobId: number): string {
  if (!Number.isSafeInteger(jobId) || jobId <= 0) throw new Error(`BUG: job id must be a positive integer, got ${jobId}`);
  return `CALL run_job(${jobId})`;
}

/**
 * Compressed chunks' bytes after and before compression (TimescaleDB's own figures, set when a
 * chunk is compressed; NULL before any is), plus the hypertable's bytes in total.
 */
export function compressionStatsQuery(schema: string): string {
  const t = rel(schema);
  return (
    `SELECT coalesce(sum(after_compression_total_bytes), 0)::bigint AS compressed, ` +
    `coalesce(sum(before_compression_total_bytes), 0)::bigint AS uncompressed, ` +
    `coalesce(sum(number_compressed_chunks), 0)::bigint AS compressed_chunks, ` +
    `(SELECT coalesce(hypertable_size('${t}'), 0))::bigint AS total ` +
    `FROM hypertable_compression_stats('${t}')`
  );
}

/** Whole chunks entirely older than `cutoff` (a parameter, BIGINT ns): what the retention policy drops. */
export function dropChunksStatement(schema: string): string {
  return `SELECT drop_chunks('${rel(schema)}', older_than => $1::bigint)`;
}

/**
 * Compresses every chunk of `<schema>.entries` not compressed yet, one row per chunk compressed
 * (drills and operators; the policy does this for chunks past the compression age).
 */
export function compressChunksStatement(schema: string): string {
  return `SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('${rel(schema)}') c`;
}

/** Compares dotted versions (`2.13.0`, `2.28.1-dev`): negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const p = (v: string): number[] => v.split(/[.-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
  const x = p(a);
  const y = p(b);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
