/** Small batches for the processor's tests. */
import type { WriteBatch } from '../model/entry.js';
import type { Level } from '../model/level.js';

/** One batch of `tenant` with one stream `{app=<app>}` holding one entry per level given. */
export function batchOf(tenant: string, app: string, levels: Level[]): WriteBatch {
  const labels = { app };
  return {
    tenant,
    streams: [{ labels, key: `{app="${app}"}`, id: BigInt(app.length), entries: levels.map((level, i) => ({ ts: BigInt(i + 1), line: `${level} line ${i}`, level })) }],
  };
}
