import type { Labels } from './labels.js';
import type { Level } from './level.js';

/** Nanoseconds since the Unix epoch. Kept as bigint so no client digit is ever lost. */
export type Nanos = bigint;

/** Structured metadata: per-entry string pairs that are not stream labels (trace ids, user ids). */
export type Metadata = Record<string, string>;

/**
 * One log line as every protocol decodes it. Everything after ingest knows nothing of protocols.
 * `line` is kept byte for byte as the client sent it.
 */
export interface LogEntry {
  ts: Nanos;
  line: string;
  level: Level;
  metadata?: Metadata;
}

/** Entries of one stream. `labels` are sorted; `id` is `streamId(tenant, labels)`. */
export interface StreamEntries {
  labels: Labels;
  /** canonical `labelsToString(labels)` */
  key: string;
  id: bigint;
  entries: LogEntry[];
}

/**
 * The unit that moves from ingest through the queue to storage: one tenant's entries,
 * grouped by stream. Producers must not mutate a batch after handing it over.
 */
export interface WriteBatch {
  tenant: string;
  streams: StreamEntries[];
}

export function batchSize(batch: WriteBatch): number {
  let n = 0;
  for (const s of batch.streams) n += s.entries.length;
  return n;
}
