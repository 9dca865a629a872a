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
  private current: HashSet53;
  private previous: HashSet53;
  private readonly half: number;

  constructor(capacity: number) {
    this.half = Math.max(0, Math.floor(capacity / 2));
    this.current = new HashSet53(this.half);
    this.previous = new HashSet53(this.half);
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
      const emptied = this.previous;
      emptied.clear();
      this.previous = this.current;
      this.current = emptied;
    }
    this.current.add(h);
  }
}

/**
 * A set of 53-bit hashes (non-negative safe integers) in one Float64Array with open addressing
 * and linear probing, kept at most half full. Unlike a `Set<number>`, whose keys above 2^31 are
 * each a heap object, it allocates nothing per entry, so a window of a million hashes costs the
 * garbage collector nothing to trace and a lookup touches one or two cache lines.
 */
export class HashSet53 {
  private slots: Float64Array;
  private mask: number;
  size = 0;

  /** Room for `expected` hashes without growing. */
  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Float64Array(cap);
    this.mask = cap - 1;
  }

  has(h: number): boolean {
    // Slots hold h + 1, so 0 marks an empty slot; 2^53 is still exact in a double.
    const v = h + 1;
    const slots = this.slots;
    for (let i = (h >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const s = slots[i];
      if (s === v) return true;
      if (s === 0) return false;
    }
  }

  /** Adds `h`; answers false when it was already there. */
  add(h: number): boolean {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const v = h + 1;
    const slots = this.slots;
    for (let i = (h >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const s = slots[i];
      if (s === v) return false;
      if (s === 0) {
        slots[i] = v;
        this.size++;
        return true;
      }
    }
  }

  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.mask = this.slots.length - 1;
    this.size = 0;
    for (const v of old) if (v !== 0) this.add(v - 1);
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
  // Two UTF-16 units per step: one at a time, hashing lines was 5% of the busy event loop under
  // push load. The hash lives only in memory (the window is rebuilt from the store at start), so
  // it may change.
  const n = line.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const w = line.charCodeAt(i) | (line.charCodeAt(i + 1) << 16);
    h1 = Math.imul(h1 ^ w, 2654435761);
    h2 = Math.imul(h2 ^ w, 1597334677);
  }
  // The odd last unit, and the length, so "ab" + "\0" and "ab" stay apart.
  const tail = (i < n ? line.charCodeAt(i) : 0) ^ (n << 16);
  h1 = Math.imul(h1 ^ tail, 2654435761);
  h2 = Math.imul(h2 ^ tail, 1597334677);
  if (metadata !== null) {
    // A separator no line ends with in practice keeps (line + meta) apart from a longer line.
    h1 = Math.imul(h1 ^ 0x1f0000, 2654435761);
    h2 = Math.imul(h2 ^ 0x1f0000, 1597334677);
    for (let j = 0; j < metadata.length; j++) {
      const ch = metadata.charCodeAt(j);
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
