/**
 * Time partitions of `entries` (declarative range partitioning on the BIGINT `ts`).
 *
 * Creating: a partition is created as a plain table with a CHECK constraint matching its range,
 * then ATTACHed. ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on `entries`, which does not
 * conflict with readers or writers (CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE and
 * queue every query behind a long-running read). Creators serialise on a transaction-scoped
 * advisory lock and re-check the catalogue under it, so concurrent writers in several processes
 * create each partition once. Partitions are created before the write transaction that needs
 * them, never inside it, and ahead of time for the next days (see PostgresStorage).
 *
 * Dropping (retention): a partition entirely older than the cutoff is detached CONCURRENTLY (no
 * lock that blocks queries) and dropped; the partition holding the cutoff has its older rows
 * deleted. No DELETE ever runs over more than that one partition.
 */
import type { Pool, PoolClient } from 'pg';

export interface PartitionRange {
  name: string;
  from: bigint;
  to: bigint;
}

/** floor(ts / width), also for negative timestamps. */
export function partitionIndex(ts: bigint, width: bigint): bigint {
  const q = ts / width;
  return ts < 0n && q * width !== ts ? q - 1n : q;
}

export function partitionRange(index: bigint, width: bigint): PartitionRange {
  const from = index * width;
  const to = from + width;
  const n = (v: bigint): string => (v < 0n ? 'm' + -v : String(v));
  return { name: `entries_${n(from)}_${n(to)}`, from, to };
}

const BOUND = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/;

/** The attached partitions of `<schema>.entries`, oldest first. */
export async function listPartitions(db: Pool | PoolClient, schema: string): Promise<PartitionRange[]> {
  const { rows } = await db.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = $1 AND p.relname = 'entries' AND NOT i.inhdetachpending`,
    [schema],
  );
  const out: PartitionRange[] = [];
  for (const r of rows) {
    const m = BOUND.exec(r.bound);
    if (m) out.push({ name: r.name, from: BigInt(m[1]), to: BigInt(m[2]) });
  }
  return out.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

/** Creates the missing partitions among `ranges` (idempotent, safe under concurrency). Returns those created. */
export async function createPartitions(pool: Pool, schema: string, ranges: PartitionRange[], lockTimeoutMs: number): Promise<PartitionRange[]> {
  const client = await pool.connect();
  const created: PartitionRange[] = [];
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`logsentinel:partitions:${schema}`]);
    const existing = new Set((await listPartitions(client, schema)).map((p) => p.from));
    for (const r of ranges) {
      if (existing.has(r.from)) continue;
      const t = `${schema}.${r.name}`;
      await client.query(`CREATE TABLE ${t} (LIKE ${schema}.entries INCLUDING DEFAULTS INCLUDING GENERATED)`);
      await client.query(`ALTER TABLE ${t} ADD CONSTRAINT ${r.name}_range CHECK (ts >= ${r.from} AND ts < ${r.to})`);
      await client.query(`ALTER TABLE ${schema}.entries ATTACH PARTITION ${t} FOR VALUES FROM (${r.from}) TO (${r.to})`);
      created.push(r);
    }
    await client.query('COMMIT');
    return created;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Finishes detaches that an interrupted retention left pending, so their partitions can be dropped. */
export async function finalizePendingDetaches(pool: Pool, schema: string): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND p.relname = 'entries' AND i.inhdetachpending`,
    [schema],
  );
  for (const r of rows) {
    await pool.query(`ALTER TABLE ${schema}.entries DETACH PARTITION ${schema}.${r.name} FINALIZE`);
    await pool.query(`DROP TABLE IF EXISTS ${schema}.${r.name}`);
  }
}

/** Detaches (without blocking queries) and drops one partition; returns the rows it held. */
export async function dropPartition(pool: Pool, schema: string, p: PartitionRange): Promise<number> {
  const t = `${schema}.${p.name}`;
  const { rows } = await pool.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${t}`);
  // CONCURRENTLY cannot run inside a transaction block: pool.query runs it on its own.
  await pool.query(`ALTER TABLE ${schema}.entries DETACH PARTITION ${t} CONCURRENTLY`);
  await pool.query(`DROP TABLE ${t}`);
  return Number(rows[0].n);
}
