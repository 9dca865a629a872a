/**
 * Remembers hashes of recently committed entries so a retried or redelivered push does not store
 * an entry twice (idempotent writes). Two generations of a bounded size: when the current one is
 * full it becomes the previous one and the oldest is forgotten, so memory stays bounded and the
 * window covers between `capacity/2` and `capacity` of the latest entries.
 *
 * The hash is 53 bits over an entry's identity as Loki has it: (stream id, timestamp, line,
 * structured metadata), the metadata in its canonical text (model/metadata.ts) so that key order
 * does not matter. Entries differing only in metadata are distinct. A collision would drop a
 * distinct entry with the same stream and timestamp, which at 2^-53 per pair is accepted.
 */
export class DedupWindow {
  private current = new Set<number>();
  private previous = new Set<number>();
  private readonly half: number;

  constructor(capacity: number) {
    this.half = Math.max(0, Math.floor(capacity / 2));
  }

  get enabled(): boolean {
    return this.half > 0;
  }

  has(h: number): boolean {
    return this.current.has(h) || this.previous.has(h);
  }

  add(h: number): void {
    if (this.half === 0) return;
    if (this.current.size >= this.half) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(h);
  }
}

/** cyrb53-style 53-bit hash of an entry's identity. */
export function entryHash(streamId: bigint, ts: bigint, line: string, metadata: string | null): number {
  let h1 = 0xdeadbeef ^ Number(streamId & 0xffffffffn);
  let h2 = 0x41c6ce57 ^ Number((streamId >> 32n) & 0xffffffffn);
  const tsLow = Number(ts & 0xffffffffn);
  const tsHigh = Number((ts >> 32n) & 0xffffffffn);
  h1 = Math.imul(h1 ^ tsLow, 2654435761);
  h2 = Math.imul(h2 ^ tsHigh, 1597334677);
  for (let i = 0; i < line.length; i++) {
    const ch = line.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  if (metadata !== null) {
    // A separator no line ends with in practice keeps (line + meta) apart from a longer line.
    h1 = Math.imul(h1 ^ 0x1f0000, 2654435761);
    h2 = Math.imul(h2 ^ 0x1f0000, 1597334677);
    for (let i = 0; i < metadata.length; i++) {
      const ch = metadata.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
