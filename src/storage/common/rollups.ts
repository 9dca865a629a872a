/**
 * Per-minute counts kept beside the entries, so counting queries (`count_over_time`,
 * `bytes_over_time`, `rate`, the volume endpoints, the UI's histogram, the overview) read a few
 * rows per stream and minute instead of every line.
 *
 * A store's `entry_counts` table (the embedded store's: duckdb/schema.ts) holds, per tenant, stream,
 * level, minute cell and "has structured metadata", the number of entries and the UTF-8 bytes of
 * their lines. Rows are appended in the
 * same transaction as the entries they count (so a commit, a crash or a retried batch moves both
 * or neither), several rows per key accumulate between compactions, and readers sum them.
 *
 * Cell `c` covers `(c·60 s, (c+1)·60 s]`: left-open like a LogQL range `(t − 1m, t]`, so a query
 * whose buckets fall on whole minutes (Grafana's dashboards at minute steps, the overview) takes
 * every whole cell inside its range from here. What the cells cannot answer — the partial minutes
 * at the range's edges, cells a bucket boundary cuts through, and entries with structured metadata
 * when the query tells metadata apart — is counted from the entries themselves, in the same query.
 */
import type { Nanos } from '../../model/entry.js';

export const CELL_NS = 60_000_000_000n;

/** A query reads the entries of at most this many separate time spans before it gives up on cells. */
const MAX_RAW_SPANS = 256;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** The cell holding `ts`. */
export function cellOf(ts: Nanos): bigint {
  return floorDiv(ts - 1n, CELL_NS);
}

export interface CountRow {
  tenant: string;
  stream: number;
  level: number;
  cell: bigint;
  meta: boolean;
  n: number;
  bytes: number;
}

/**
 * Adds up one commit's entries per (stream, level, cell, metadata or not). Feed it stream by
 * stream; entries of a stream mostly share a cell, which is checked without dividing.
 */
export class CountAccumulator {
  readonly rows: CountRow[] = [];
  private readonly current = new Map<number, CountRow>();
  private tenant = '';
  private stream = 0;
  private lo = 0n;
  private hi = -1n;
  private cell = 0n;
  private cellNo = 0;

  startStream(tenant: string, stream: number): void {
    this.current.clear();
    this.tenant = tenant;
    this.stream = stream;
  }

  add(ts: Nanos, level: number, bytes: number, meta: boolean): void {
    if (!(ts > this.lo && ts <= this.hi)) {
      this.cell = cellOf(ts);
      this.cellNo = Number(this.cell);
      this.lo = this.cell * CELL_NS;
      this.hi = this.lo + CELL_NS;
    }
    const k = this.cellNo * 64 + level * 2 + (meta ? 1 : 0);
    let r = this.current.get(k);
    if (r === undefined) {
      r = { tenant: this.tenant, stream: this.stream, level, cell: this.cell, meta, n: 0, bytes: 0 };
      this.current.set(k, r);
      this.rows.push(r);
    }
    r.n++;
    r.bytes += bytes;
  }
}

/** How a counting query over `[start, end)` with buckets `(origin + k·width, origin + (k+1)·width]` splits. */
export interface RollupPlan {
  /** Cells `first..last` are read from `entry_counts`, except `skip`. */
  first: bigint;
  last: bigint;
  /** Cells a bucket boundary cuts through, counted from the entries. */
  skip: bigint[];
  /** Spans `[from, to)` counted from the entries: the range's edges and the skipped cells. */
  raw: Array<[Nanos, Nanos]>;
  /** Spans `[from, to)` whose entries with metadata are counted from the entries, when metadata tells entries apart. */
  cells: Array<[Nanos, Nanos]>;
}

/** The split of a counting query, or undefined when the cells cannot help (buckets under a minute, too many cut cells). */
export function planRollup(start: Nanos, end: Nanos, origin: Nanos, width: Nanos): RollupPlan | undefined {
  if (width < CELL_NS || start >= end) return undefined;
  const first = -floorDiv(-(start - 1n), CELL_NS); // the first cell starting at or after start
  const last = floorDiv(end - 1n, CELL_NS) - 1n; // the last cell ending before end
  if (first > last) return undefined;
  const lo = first * CELL_NS + 1n; // first nanosecond of the first cell
  const hi = (last + 1n) * CELL_NS + 1n; // one past the last nanosecond of the last cell
  // A bucket boundary at p (between p and p + 1) cuts a cell unless p is a cell's last nanosecond.
  const skip: bigint[] = [];
  if (!(floorDiv(origin, CELL_NS) * CELL_NS === origin && width % CELL_NS === 0n)) {
    const k0 = -floorDiv(-(lo - origin), width);
    for (let p = origin + k0 * width; p < hi - 1n; p += width) {
      if (floorDiv(p, CELL_NS) * CELL_NS === p) continue;
      const c = floorDiv(p - 1n, CELL_NS);
      if (skip[skip.length - 1] !== c) skip.push(c);
      if (skip.length > MAX_RAW_SPANS) return undefined;
    }
  }
  const raw: Array<[Nanos, Nanos]> = [];
  const push = (list: Array<[Nanos, Nanos]>, from: Nanos, to: Nanos): void => {
    if (from >= to) return;
    const prev = list[list.length - 1];
    if (prev && prev[1] === from) prev[1] = to;
    else list.push([from, to]);
  };
  push(raw, start, lo);
  for (const c of skip) push(raw, c * CELL_NS + 1n, (c + 1n) * CELL_NS + 1n);
  push(raw, hi, end);
  const cells: Array<[Nanos, Nanos]> = [];
  let from = lo;
  for (const c of skip) {
    push(cells, from, c * CELL_NS + 1n);
    from = (c + 1n) * CELL_NS + 1n;
  }
  push(cells, from, hi);
  if (raw.length + cells.length > MAX_RAW_SPANS) return undefined;
  return { first, last, skip, raw, cells };
}
