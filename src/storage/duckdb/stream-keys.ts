/**
 * The streams of the embedded store as the process holds them: their labels, time bounds and
 * levels (StreamIndex), and the small surrogate key each has in `streams.key`, which `entries.stream`
 * stores instead of the 64-bit stream id.
 *
 * A catalog is loaded whole at open (and after a reopen) and replaced as a whole, never half
 * loaded. Keys of new streams are handed out before their commit and remembered only after it
 * succeeds (`assign`, then `added`), so a failed commit leaves nothing behind.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { WriteBatch } from '../../model/entry.js';
import type { Labels } from '../../model/labels.js';
import { StreamIndex } from '../common/stream-index.js';

/** A stream first seen in a commit, with the key it is appended under. */
export interface NewStream {
  tenant: string;
  id: bigint;
  key: number;
  labels: Labels;
}

const slot = (tenant: string, id: bigint): string => tenant + '\x00' + id;

export class StreamKeys {
  readonly index = new StreamIndex();
  private readonly keyOf = new Map<string, number>();
  private readonly idOfKey = new Map<number, bigint>();
  private nextKey = 1;

  /** Reads the streams and each one's time bounds and levels from the store. */
  static async load(conn: DuckDBConnection): Promise<StreamKeys> {
    const keys = new StreamKeys();
    const streams = (await conn.runAndReadAll('SELECT tenant, stream_id, key, labels FROM streams')).getRows();
    for (const [tenant, id, key, labels] of streams) {
      keys.index.add(tenant as string, id as bigint, JSON.parse(labels as string) as Labels);
      keys.remember(tenant as string, id as bigint, Number(key));
    }
    const bounds = (await conn.runAndReadAll('SELECT tenant, stream, min(ts), max(ts), bit_or((1::UINTEGER) << level) FROM entries GROUP BY tenant, stream')).getRows();
    for (const [tenant, key, min, max, mask] of bounds) {
      const id = keys.idOfKey.get(Number(key));
      if (id !== undefined) keys.index.observe(tenant as string, id, min as bigint, max as bigint, Number(mask));
    }
    return keys;
  }

  keyFor(tenant: string, id: bigint): number | undefined {
    return this.keyOf.get(slot(tenant, id));
  }

  /** The stream id stored under `key`; 0n for a key no longer known (its stream was retired). */
  idOf(key: number): bigint {
    return this.idOfKey.get(key) ?? 0n;
  }

  /** Whether `key` belongs to a known stream. */
  knows(key: number): boolean {
    return this.idOfKey.has(key);
  }

  /**
   * Keys for the streams of `batches` not known yet, and the key of every stream of them: the
   * new ones count only once `added` is called after the commit.
   */
  assign(batches: readonly WriteBatch[]): { created: NewStream[]; keyOf: (tenant: string, id: bigint) => number } {
    const created: NewStream[] = [];
    const pending = new Map<string, number>();
    for (const b of batches) {
      for (const s of b.streams) {
        const k = slot(b.tenant, s.id);
        if (this.keyOf.has(k) || pending.has(k)) continue;
        const key = this.nextKey + pending.size;
        pending.set(k, key);
        created.push({ tenant: b.tenant, id: s.id, key, labels: s.labels });
      }
    }
    return { created, keyOf: (tenant, id) => this.keyFor(tenant, id) ?? pending.get(slot(tenant, id))! };
  }

  /** After the commit that wrote them: the new streams are known from now on. */
  added(created: readonly NewStream[]): void {
    for (const s of created) {
      this.index.add(s.tenant, s.id, s.labels);
      this.remember(s.tenant, s.id, s.key);
    }
  }

  /** Forgets a stream retention removed. */
  remove(tenant: string, id: bigint): void {
    this.index.remove(tenant, id);
    const key = this.keyFor(tenant, id);
    this.keyOf.delete(slot(tenant, id));
    if (key !== undefined) this.idOfKey.delete(key);
  }

  /** `stream IN (...)` for the given streams, or undefined when they are all of the tenant's. */
  filterSql(tenant: string, streamIds: readonly bigint[]): string | undefined {
    if (streamIds.length >= this.index.count(tenant)) return undefined;
    const keys: number[] = [];
    for (const id of streamIds) {
      const k = this.keyFor(tenant, id);
      if (k !== undefined) keys.push(k);
    }
    return keys.length ? `stream IN (${keys.join(',')})` : 'FALSE';
  }

  private remember(tenant: string, id: bigint, key: number): void {
    this.keyOf.set(slot(tenant, id), key);
    this.idOfKey.set(key, id);
    if (key >= this.nextKey) this.nextKey = key + 1;
  }
}
