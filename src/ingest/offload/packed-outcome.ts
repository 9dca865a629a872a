/**
 * A decode outcome in a form that crosses from a worker thread cheaply. Cloning a WriteBatch as
 * objects costs the event loop more than decoding it did (a 40,000-entry batch: ~90 ms to
 * deserialize), so entries travel as columns: all lines joined into one string (one copy),
 * their offsets, timestamps and level codes in typed arrays, structured metadata as one JSON
 * array. Unpacking slices the joined string (no copy) and yields the event loop every
 * `UNPACK_SLICE` entries.
 */
import type { LogEntry, StreamEntries, WriteBatch } from '../../model/entry.js';
import type { Labels } from '../../model/labels.js';
import { LEVEL_CODE, levelFromCode } from '../../model/level.js';
import type { DecodeOutcome } from './decode-job.js';

export interface PackedOutcome {
  tenant: string;
  streams: Array<{ labels: Labels; key: string; id: bigint; count: number }>;
  ts: BigInt64Array;
  levels: Uint8Array;
  text: string;
  offsets: Uint32Array;
  /** JSON array of each entry's metadata (null for none); absent when no entry has any. */
  metadata?: string;
  rest: Omit<DecodeOutcome, 'batch'>;
}

const UNPACK_SLICE = 16_384;

export function packOutcome(o: DecodeOutcome): PackedOutcome {
  const { batch, ...rest } = o;
  let n = 0;
  for (const s of batch.streams) n += s.entries.length;
  const ts = new BigInt64Array(n);
  const levels = new Uint8Array(n);
  const offsets = new Uint32Array(n + 1);
  const lines: string[] = new Array(n);
  const metas: Array<LogEntry['metadata'] | null> = new Array(n);
  let anyMeta = false;
  let i = 0;
  let off = 0;
  for (const s of batch.streams) {
    for (const e of s.entries) {
      ts[i] = e.ts;
      levels[i] = LEVEL_CODE[e.level];
      lines[i] = e.line;
      offsets[i] = off;
      off += e.line.length;
      metas[i] = e.metadata ?? null;
      if (e.metadata) anyMeta = true;
      i++;
    }
  }
  offsets[n] = off;
  return {
    tenant: batch.tenant,
    streams: batch.streams.map((s) => ({ labels: s.labels, key: s.key, id: s.id, count: s.entries.length })),
    ts,
    levels,
    text: lines.join(''),
    offsets,
    ...(anyMeta ? { metadata: JSON.stringify(metas) } : {}),
    rest,
  };
}

export async function unpackOutcome(p: PackedOutcome): Promise<DecodeOutcome> {
  const metas = p.metadata !== undefined ? (JSON.parse(p.metadata) as Array<LogEntry['metadata'] | null>) : undefined;
  const streams: StreamEntries[] = [];
  let i = 0;
  let sinceYield = 0;
  for (const s of p.streams) {
    const entries: LogEntry[] = new Array(s.count);
    for (let k = 0; k < s.count; k++, i++) {
      const e: LogEntry = { ts: p.ts[i], line: p.text.slice(p.offsets[i], p.offsets[i + 1]), level: levelFromCode(p.levels[i]) };
      const m = metas?.[i];
      if (m) e.metadata = m;
      entries[k] = e;
      if (++sinceYield === UNPACK_SLICE) {
        sinceYield = 0;
        await new Promise((r) => setImmediate(r));
      }
    }
    streams.push({ labels: s.labels, key: s.key, id: s.id, entries });
  }
  const batch: WriteBatch = { tenant: p.tenant, streams };
  return { ...p.rest, batch };
}
