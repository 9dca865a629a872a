/**
 * The rows of one group commit, appended to `entries`: entries already stored (the dedup window)
 * or repeated within the commit are left out, and what the commit adds to the rest of the store —
 * stream bounds, per-minute counts, the block's line filter, the entries' hashes — is gathered on
 * the way, to be applied only once the commit succeeded (duckdb-storage.ts).
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import type { WriteBatch } from '../../model/entry.js';
import { LEVEL_CODE } from '../../model/level.js';
import { canonicalMetadata } from '../../model/metadata.js';
import { DedupWindow, HashSet53, entryHash } from '../common/dedup-window.js';
import { CountAccumulator } from '../common/rollups.js';
import type { BlockIndex } from './blocks.js';

/** Rows appended between yields to the event loop, so a large commit never blocks it for long. */
const APPEND_SLICE = 8192;

/** What a stream's rows of the commit span: applied to the stream index after the commit. */
export interface Observed {
  tenant: string;
  id: bigint;
  min: bigint;
  max: bigint;
  mask: number;
}

export interface Appended {
  /** Rows appended. */
  rows: number;
  /** Hashes of the appended entries, for the dedup window (empty when it is off). */
  hashes: number[];
  observed: Observed[];
  counts: CountAccumulator;
}

/**
 * Appends the entries of `batches` under the stream keys `keyOf` gives, in block `blocks.current`
 * (whose line filter takes every appended line).
 */
export async function appendEntries(
  app: DuckDBAppender,
  batches: readonly WriteBatch[],
  keyOf: (tenant: string, id: bigint) => number,
  dedupWindow: DedupWindow,
  blocks: BlockIndex,
): Promise<Appended> {
  let entries = 0;
  for (const b of batches) for (const s of b.streams) entries += s.entries.length;
  const inCommit = new HashSet53(entries);
  const out: Appended = { rows: 0, hashes: [], observed: [], counts: new CountAccumulator() };
  const { hashes, observed, counts } = out;
  const dedup = dedupWindow.enabled;
  const blk = blocks.current;
  let sinceYield = 0;
  for (const b of batches) {
    const tenant = b.tenant;
    for (const s of b.streams) {
      const key = keyOf(tenant, s.id);
      counts.startStream(tenant, key);
      let min = 0n;
      let max = 0n;
      let mask = 0;
      let any = false;
      for (const e of s.entries) {
        const meta = canonicalMetadata(e.metadata);
        if (dedup) {
          const h = entryHash(s.id, e.ts, e.line, meta);
          if (dedupWindow.has(h) || !inCommit.add(h)) continue;
          hashes.push(h);
        }
        const code = LEVEL_CODE[e.level] ?? 0;
        app.appendVarchar(tenant);
        app.appendBigInt(e.ts);
        app.appendUInteger(key);
        app.appendUTinyInt(code);
        app.appendVarchar(e.line);
        if (meta !== null) app.appendVarchar(meta);
        else app.appendNull();
        app.appendUInteger(blk);
        app.endRow();
        blocks.add(e.line);
        out.rows++;
        counts.add(e.ts, code, Buffer.byteLength(e.line), meta !== null);
        if (!any) {
          min = e.ts;
          max = e.ts;
          any = true;
        } else {
          if (e.ts < min) min = e.ts;
          if (e.ts > max) max = e.ts;
        }
        mask |= 1 << code;
        if (++sinceYield >= APPEND_SLICE) {
          sinceYield = 0;
          await new Promise<void>((r) => setImmediate(r));
        }
      }
      if (any) {
        observed.push({ tenant, id: s.id, min, max, mask });
        blocks.span(min, max);
      }
    }
  }
  return out;
}
