/**
 * How a batch is written. First the streams' rows are upserted in a short transaction of their
 * own (widening first_ts, last_ts and level_mask, returning each stream's surrogate key), then the
 * entries are stored so that the unique index (skey, ts, line_hash, metadata hash) keeps each
 * entry once (Loki's identity: entries differing only in structured metadata are distinct) — what
 * makes writes idempotent across retries, restarts and concurrent writer processes:
 *
 * 1. Optimistically, one COPY straight into `entries`. Almost every batch is new, and this is the
 *    fastest path PostgreSQL has (see bench/postgres-copy).
 * 2. If that hits the unique index (SQLSTATE 23505: a retried or redelivered entry), nothing of it
 *    remains; the batch is COPYed into a session temp table and moved with
 *    `INSERT … SELECT … ON CONFLICT DO NOTHING`, which skips exactly the stored ones.
 *
 * Either way the database decides, not a cache: the guarantee holds across processes.
 *
 * The per-minute counts (counts.ts) are appended in the transaction of the entries they count:
 * on path 1 counted in JavaScript while the COPY text is built (a COPY that commits stored every
 * row), on path 2 from the rows the INSERT returns, so entries that were already stored are not
 * counted again.
 *
 * The TimescaleDB layout always takes path 2, with timescale.ts's INSERT, which computes the
 * identity hashes (plain columns there, see timescale.ts) and relies on ON CONFLICT DO NOTHING
 * being honoured on compressed chunks too (TimescaleDB ≥ 2.11). COPY cannot compute them.
 *
 * Why the streams' rows get their own transaction: holding a stream row's lock for the whole
 * entries transaction would make every writer of a busy stream wait for the others, i.e.
 * processors would not scale. Committed first (with synchronous_commit off: the entries' commit
 * flushes the WAL up to and past it), the bounds can only be wider than the entries — a crash in
 * between leaves a stream listed for a range where it has nothing, which queries tolerate.
 *
 * Deadlocks: stream rows are upserted sorted by (tenant, stream id), in one statement; entries
 * are written sorted by (stream, ts, line, metadata) on both paths, so two writers inserting the same keys
 * always meet them in the same order and one simply waits for the other.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient, QueryResult } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LogEntry, WriteBatch } from '../../model/entry.js';
import type { Labels } from '../../model/labels.js';
import { LEVEL_CODE } from '../../model/level.js';
import { canonicalMetadata } from '../../model/metadata.js';
import { CountAccumulator } from '../common/rollups.js';
import { copyField, toPgText } from './copy-text.js';
import { countingInsert, INSERT_COUNTS } from './counts.js';
import { toSigned } from './ids.js';
import { partitionIndex } from './partitions.js';
import type { Layout } from './schema.js';
import { INSERT_FROM_STAGE } from './timescale.js';
import type { StreamRow } from './stream-cache.js';

export interface PreparedStream {
  tenant: string;
  id: bigint;
  labels: Labels;
  min: bigint;
  max: bigint;
  mask: number;
  entries: LogEntry[];
}

/** Groups the batches' entries by (tenant, stream), sorted in lock order; streams without entries are left out. */
export function prepareStreams(batches: readonly WriteBatch[]): PreparedStream[] {
  const byKey = new Map<string, PreparedStream>();
  for (const b of batches) {
    for (const s of b.streams) {
      if (s.entries.length === 0) continue;
      const k = b.tenant + '\x00' + s.id;
      let p = byKey.get(k);
      if (!p) {
        p = { tenant: b.tenant, id: s.id, labels: s.labels, min: s.entries[0].ts, max: s.entries[0].ts, mask: 0, entries: [] };
        byKey.set(k, p);
      }
      for (const e of s.entries) {
        if (e.ts < p.min) p.min = e.ts;
        if (e.ts > p.max) p.max = e.ts;
        p.mask |= 1 << (LEVEL_CODE[e.level] ?? 0);
        p.entries.push(e);
      }
    }
  }
  const cmp = (a: PreparedStream, b: PreparedStream): number => {
    if (a.tenant !== b.tenant) return a.tenant < b.tenant ? -1 : 1;
    const x = toSigned(a.id);
    const y = toSigned(b.id);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const out = [...byKey.values()].sort(cmp);
  for (const s of out) if (!isSorted(s.entries)) s.entries.sort(byTsLine);
  return out;
}

function byTsLine(a: LogEntry, b: LogEntry): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.line !== b.line) return a.line < b.line ? -1 : 1;
  if (a.metadata === b.metadata) return 0;
  const x = canonicalMetadata(a.metadata) ?? '';
  const y = canonicalMetadata(b.metadata) ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function isSorted(entries: LogEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (byTsLine(entries[i - 1], entries[i]) > 0) return false;
  return true;
}

/** Indexes of the partitions the entries fall in. */
export function neededPartitions(streams: PreparedStream[], width: bigint): Set<bigint> {
  const out = new Set<bigint>();
  for (const s of streams) {
    const lo = partitionIndex(s.min, width);
    const hi = partitionIndex(s.max, width);
    if (lo === hi) out.add(lo);
    else for (const e of s.entries) out.add(partitionIndex(e.ts, width));
  }
  return out;
}

const STAGE_DDL = 'CREATE TEMP TABLE IF NOT EXISTS ls_stage (ts bigint, skey integer, level smallint, line text, metadata text) ON COMMIT DELETE ROWS';
const COLUMNS = '(ts, skey, level, line, metadata)';
/** Sessions (pool clients) that already have their temp table. */
const staged = new WeakSet<PoolClient>();

/** Rows of COPY text per chunk handed to the socket. */
const COPY_CHUNK_ROWS = 2000;

/** COPY text of the entries; with `counts`, also adds each entry to them (as stored: NUL replaced). */
function* copyRows(streams: PreparedStream[], keys: Map<string, number>, counts?: CountAccumulator): Generator<string> {
  let buf = '';
  let n = 0;
  for (const s of streams) {
    const skey = keys.get(s.tenant + '\x00' + s.id);
    if (skey === undefined) throw new Error(`BUG: no surrogate key for stream ${s.id} of tenant ${s.tenant}`);
    const k = '\t' + skey + '\t';
    counts?.startStream(s.tenant, skey);
    for (const e of s.entries) {
      const meta = canonicalMetadata(e.metadata);
      const level = LEVEL_CODE[e.level] ?? 0;
      counts?.add(e.ts, level, Buffer.byteLength(toPgText(e.line)), meta !== null);
      buf += e.ts + k + level + '\t' + copyField(e.line) + '\t' + copyField(meta) + '\n';
      if (++n >= COPY_CHUNK_ROWS) {
        yield buf;
        buf = '';
        n = 0;
      }
    }
  }
  if (buf) yield buf;
}

export interface WriteResult {
  streams: StreamRow[];
  inserted: number;
  /** Whether the batch met stored entries and took the ON CONFLICT path. */
  conflicted: boolean;
}

/**
 * Runs the write transaction on `client` (which must not be in a transaction). With
 * `alwaysOnConflict` the optimistic COPY is skipped (for benchmarks; always for TimescaleDB).
 */
export async function writeTransaction(client: PoolClient, streams: PreparedStream[], alwaysOnConflict = false, layout: Layout = 'partitioned'): Promise<WriteResult> {
  const timescale = layout === 'timescaledb';
  if (!staged.has(client)) {
    await client.query(STAGE_DDL);
    staged.add(client);
  }
  let up: QueryResult<StreamRow>;
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL synchronous_commit TO off');
    up = await client.query<StreamRow>(
      `INSERT INTO streams AS s (tenant, stream_id, labels, first_ts, last_ts, level_mask)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::int[])
       ON CONFLICT (tenant, stream_id) DO UPDATE SET
         first_ts = least(s.first_ts, excluded.first_ts),
         last_ts = greatest(s.last_ts, excluded.last_ts),
         level_mask = s.level_mask | excluded.level_mask
       RETURNING skey, tenant, stream_id, labels, first_ts, last_ts, level_mask`,
      [
        streams.map((s) => s.tenant),
        streams.map((s) => toSigned(s.id)),
        streams.map((s) => toPgText(JSON.stringify(s.labels))),
        streams.map((s) => s.min),
        streams.map((s) => s.max),
        streams.map((s) => s.mask),
      ],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  const keys = new Map<string, number>();
  for (const r of up.rows) keys.set(r.tenant + '\x00' + BigInt.asUintN(64, r.stream_id), r.skey);
  if (!alwaysOnConflict && !timescale) {
    // A COPY that succeeds stored every entry of the batch: they are counted as sent.
    const counts = new CountAccumulator();
    await client.query('BEGIN');
    try {
      const direct = client.query(copyFrom(`COPY entries ${COLUMNS} FROM STDIN`));
      await pipeline(Readable.from(copyRows(streams, keys, counts)), direct);
      await insertCounts(client, counts);
      await client.query('COMMIT');
      return { streams: up.rows, inserted: direct.rowCount, conflicted: false };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
  await client.query('BEGIN');
  try {
    const stage = client.query(copyFrom(`COPY ls_stage ${COLUMNS} FROM STDIN`));
    await pipeline(Readable.from(copyRows(streams, keys)), stage);
    // Counted from what the INSERT returns: the entries it stored, not those already there.
    const ins = await client.query<{ n: number }>(timescale ? INSERT_FROM_STAGE : INSERT_FROM_STAGE_PLAIN);
    await client.query('COMMIT');
    const inserted = ins.rows[0].n;
    return { streams: up.rows, inserted, conflicted: !timescale || inserted < countEntries(streams) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

const INSERT_FROM_STAGE_PLAIN = countingInsert(
  `INSERT INTO entries ${COLUMNS} SELECT * FROM ls_stage ORDER BY skey, ts, line COLLATE "C", metadata COLLATE "C" ON CONFLICT DO NOTHING`,
);

async function insertCounts(client: PoolClient, counts: CountAccumulator): Promise<void> {
  const rows = counts.rows;
  if (rows.length === 0) return;
  await client.query(INSERT_COUNTS, [
    rows.map((r) => r.cell),
    rows.map((r) => r.n),
    rows.map((r) => r.bytes),
    rows.map((r) => r.stream),
    rows.map((r) => r.level),
    rows.map((r) => r.meta),
  ]);
}

function countEntries(streams: PreparedStream[]): number {
  let n = 0;
  for (const s of streams) n += s.entries.length;
  return n;
}
