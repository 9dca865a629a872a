/**
 * Redis key names of the Redis Streams queue (the wire layout is documented in docs/cluster.md).
 *
 * Every key of one partition carries the same hash tag, `{p<N>}`, so Redis Cluster stores them in
 * one slot and the Lua scripts that touch a partition's stream and counter together stay
 * single-slot; different partitions hash to different slots, so a cluster spreads them.
 *
 * | key | type | holds |
 * |---|---|---|
 * | `<prefix>:{p<N>}:entries` | stream | one entry per appended batch part (codec.ts) |
 * | `<prefix>:{p<N>}:lines` | string (integer) | log lines appended to partition N and not yet acknowledged |
 * | `<prefix>:{p<N>}:dead` | stream | entries that could not be decoded, kept for inspection instead of being retried forever |
 * | `<prefix>:processors` | sorted set | consumer name → last heartbeat (ms since epoch) |
 */
export const GROUP = 'processors';

export interface PartitionKeys {
  entries: string;
  lines: string;
  dead: string;
}

export function partitionKeys(prefix: string, partition: number): PartitionKeys {
  const tag = `${prefix}:{p${partition}}`;
  return { entries: `${tag}:entries`, lines: `${tag}:lines`, dead: `${tag}:dead` };
}

export function processorsKey(prefix: string): string {
  return `${prefix}:processors`;
}

/** The partition of a stream: its 64-bit id modulo the partition count (stable across processes). */
export function partitionOf(streamId: bigint, partitions: number): number {
  return Number(streamId % BigInt(partitions));
}
