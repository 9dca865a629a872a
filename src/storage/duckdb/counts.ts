/**
 * The embedded store's per-minute counts (`entry_counts`; the cells and how a counting query
 * splits over them: ../common/rollups.ts). Every statement that touches the table is built here;
 * duckdb-storage.ts runs them in its transactions.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import type { Nanos } from '../../model/entry.js';
import { LEVEL_CODE } from '../../model/level.js';
import type { CountPlan } from '../storage.js';
import { CELL_NS, planRollup, type CountRow } from '../common/rollups.js';
import { quote } from './sql.js';

/** Appends one commit's counts (CountAccumulator.rows) to an appender on `entry_counts`. */
export function appendCounts(app: DuckDBAppender, rows: readonly CountRow[]): void {
  for (const r of rows) {
    app.appendVarchar(r.tenant);
    app.appendUInteger(r.stream);
    app.appendUTinyInt(r.level);
    app.appendBigInt(r.cell);
    app.appendBoolean(r.meta);
    app.appendBigInt(BigInt(r.n));
    app.appendBigInt(BigInt(r.bytes));
    app.endRow();
  }
}

/** Cells that still hold more than one row per key (found again after a restart). */
export const UNMERGED_CELLS = 'SELECT DISTINCT cell FROM (SELECT cell FROM entry_counts GROUP BY tenant, stream, level, meta, cell HAVING count(*) > 1)';

/** The statements, in one transaction, that leave one row per key in `cells`; the 2nd and 3rd report rows deleted and inserted. */
export function mergeStatements(cells: readonly bigint[]): string[] {
  const inList = `cell IN (${cells.join(',')})`;
  return [
    `CREATE TEMP TABLE ls_merged AS SELECT tenant, stream, level, cell, meta, sum(n)::BIGINT AS n, sum(bytes)::BIGINT AS bytes FROM entry_counts WHERE ${inList} GROUP BY ALL`,
    `DELETE FROM entry_counts WHERE ${inList}`,
    'INSERT INTO entry_counts SELECT * FROM ls_merged',
    'DROP TABLE ls_merged',
  ];
}

/** After entries below a cutoff in cell `cut` were deleted: drop the counts up to it and count `cut` again. */
export function recountStatements(cut: bigint): string[] {
  return [
    `DELETE FROM entry_counts WHERE cell <= ${cut}`,
    `INSERT INTO entry_counts SELECT tenant, stream, level, ${cut}, metadata IS NOT NULL, count(*), sum(strlen(line)) FROM entries ` +
      `WHERE ts > ${cut * CELL_NS} AND ts <= ${(cut + 1n) * CELL_NS} GROUP BY ALL`,
  ];
}

/** What the counting query needs from the store: its WHERE for entries, its stream filter and keys. */
export interface CountContext {
  /** The WHERE clause of `entries` for the plan's tenant, streams, levels and line predicate over [from, to). */
  entriesWhere(from: Nanos, to: Nanos): string;
  /** `stream IN (...)`, or undefined for all of the tenant's streams. */
  streamFilter: string | undefined;
  keyFor(id: bigint): number | undefined;
  /** false: count every entry (for comparison). */
  rollups: boolean;
}

/**
 * The counting query: from the per-minute counts where the plan allows (no line predicate,
 * buckets of whole minutes), the rest from the entries, summed together. Columns: stream key,
 * level, bucket, count, bytes (as DOUBLE: plain numbers in JavaScript), then one per metadata column.
 */
export function countSql(plan: CountPlan, ctx: CountContext): string {
  const keys = plan.metadataKeys;
  // All metadata as stored, or one column per wanted key.
  const metaCols = keys === undefined ? ['metadata'] : keys.map((k) => `json_extract_string(metadata, ${quote('$."' + k.replace(/["\\]/g, '') + '"')})`);
  const metaSel = metaCols.map((c, i) => `, ${c} AS m${i}`).join('');
  const metaGroup = metaCols.map((_, i) => `, m${i}`).join('');
  // Streams counted as one (CountPlan.countAs) are grouped under the standing stream's key.
  const cases: string[] = [];
  for (const [id, as] of plan.countAs ?? []) {
    const k = ctx.keyFor(id);
    const ka = ctx.keyFor(as);
    if (k !== undefined && ka !== undefined && k !== ka) cases.push(`WHEN ${k} THEN ${ka}`);
  }
  const streamCol = cases.length ? `CASE stream ${cases.join(' ')} ELSE stream END AS stream` : 'stream';
  const fromEntries = (from: Nanos, to: Nanos, extra = ''): string =>
    `SELECT ${streamCol}, level, (ts - ${plan.origin + 1n}) // ${plan.width} AS b, 1 AS n, strlen(line) AS bytes${metaSel} FROM entries ` +
    `WHERE ${ctx.entriesWhere(from, to)}${extra}`;
  const split = !ctx.rollups || plan.line ? undefined : planRollup(plan.start, plan.end, plan.origin, plan.width);
  if (!split) {
    return `SELECT stream, level, b::DOUBLE, count(*)::DOUBLE, sum(bytes)::DOUBLE${metaGroup} FROM (${fromEntries(plan.start, plan.end)}) GROUP BY stream, level, b${metaGroup}`;
  }
  // Entries with metadata are counted apart when metadata tells them apart: from the entries.
  const metaApart = keys === undefined || keys.length > 0;
  const cellWhere = [`tenant = ${quote(plan.tenant)}`, `cell BETWEEN ${split.first} AND ${split.last}`];
  if (split.skip.length) cellWhere.push(`cell NOT IN (${split.skip.join(',')})`);
  if (ctx.streamFilter) cellWhere.push(ctx.streamFilter);
  if (plan.levels) cellWhere.push(`level IN (${plan.levels.map((l) => LEVEL_CODE[l]).join(',') || 'NULL'})`);
  if (metaApart) cellWhere.push('NOT meta');
  const parts = [
    `SELECT ${streamCol}, level, (cell * ${CELL_NS} - ${plan.origin}) // ${plan.width} AS b, n, bytes${metaCols.map((_, i) => `, NULL::VARCHAR AS m${i}`).join('')} ` +
      `FROM entry_counts WHERE ${cellWhere.join(' AND ')}`,
    ...split.raw.map(([from, to]) => fromEntries(from, to)),
    ...(metaApart ? split.cells.map(([from, to]) => fromEntries(from, to, ' AND metadata IS NOT NULL')) : []),
  ];
  return `SELECT stream, level, b::DOUBLE, sum(n)::DOUBLE, sum(bytes)::DOUBLE${metaGroup} FROM (${parts.join(' UNION ALL ')}) GROUP BY stream, level, b${metaGroup}`;
}

/** The `metadata` of a countBuckets row: the stored JSON, or the wanted keys' values (see CountPlan.metadataKeys). */
export function metadataOf(keys: readonly string[] | undefined, cols: Array<string | null>): { metadata?: Record<string, string> } {
  if (keys === undefined) return cols[0] === null || cols[0] === undefined ? {} : { metadata: JSON.parse(cols[0]) as Record<string, string> };
  let md: Record<string, string> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const v = cols[i];
    if (v === null || v === undefined) continue;
    (md ??= {})[keys[i]] = v;
  }
  return md ? { metadata: md } : {};
}
