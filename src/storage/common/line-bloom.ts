/**
 * The skip index of line filters: one Bloom filter per block of stored lines, over the 4-grams
 * of the words in those lines, so that `|= "needle"` reads only the blocks that may hold it.
 *
 * A word is a maximal run of `[A-Za-z0-9_]`; every other character (spaces, punctuation,
 * anything outside ASCII) ends one. The filter holds every 4-gram inside a word (never across a
 * word's end), packed into 32 bits: four ASCII characters are exactly four bytes, so packing is
 * exact and needs no hashing of strings.
 *
 * Why grams and not words: LogQL's `|=` is a substring match, so "abc123" must find
 * "xabc123y". A word index would miss it; grams cannot: every run of word characters in the
 * needle lies inside one word of any line that contains the needle, so all of that run's grams
 * are in the line's filter. A block whose filter lacks one of them cannot match and is skipped;
 * a false positive only costs reading a block. Needles without a run of four word characters
 * (and regexes, and negations) skip nothing.
 *
 * Sizes: 2^18 bits (32 KiB, about 1 byte per line at 32,768 lines per block) and two bit
 * positions per gram. Blocks of the benchmark corpus hold 56,500 distinct grams at 16,384 lines
 * and 66,800 at 65,536; about 61,000 sets about 37% of the bits, so a gram absent from a block
 * still passes its filter about one time in seven, and a needle has several (`zq7rare9token`
 * has ten).
 */
import type { LinePredicate } from '../../logql/plan.js';

const LOG2_BITS = 18;
export const BLOOM_BITS = 1 << LOG2_BITS;
const MASK = BLOOM_BITS - 1;

/** 1 for the word characters `[A-Za-z0-9_]`, by ASCII code. */
const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORD[c] = /\w/.test(String.fromCharCode(c)) ? 1 : 0;

function isWordChar(c: number): boolean {
  return c < 128 && WORD[c] === 1;
}

/** First bit position of a packed gram (murmur3's 32-bit finaliser). */
function pos1(g: number): number {
  let h = Math.imul(g ^ (g >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & MASK;
}

/** Second bit position (a multiplicative hash, top bits). */
function pos2(g: number): number {
  return Math.imul(g, 0x9e3779b1) >>> (32 - LOG2_BITS);
}

/** Calls `f` with each packed 4-gram inside a word of `s`, in order (repeats included). */
function forEachGram(s: string, f: (g: number) => void): void {
  let g = 0;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isWordChar(c)) {
      g = ((g << 8) | c) >>> 0;
      if (++run >= 4) f(g);
    } else run = 0;
  }
}

/** A block's filter being built: lines are added as they are written. */
export class LineBloom {
  readonly bits = new Uint8Array(BLOOM_BITS / 8);
  /**
   * The last gram seen in each of 2^16 slots: most grams of a block repeat (65,536 lines of the
   * benchmark corpus: 66,800 distinct in 3.2 million), and one seen again needs no hashing. A gram
   * is never 0.
   */
  private readonly recent = new Uint32Array(1 << 16);

  add(line: string): void {
    const bits = this.bits;
    const recent = this.recent;
    let g = 0;
    let run = 0;
    // forEachGram inlined: this runs for every stored line.
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c < 128 && WORD[c] === 1) {
        g = ((g << 8) | c) >>> 0;
        if (++run >= 4) {
          const slot = (g ^ (g >>> 15)) & 0xffff;
          if (recent[slot] === g) continue;
          recent[slot] = g;
          const a = pos1(g);
          const b = pos2(g);
          bits[a >>> 3] |= 1 << (a & 7);
          bits[b >>> 3] |= 1 << (b & 7);
        }
      } else run = 0;
    }
  }

  clear(): void {
    this.bits.fill(0);
    this.recent.fill(0);
  }
}

/** The distinct grams a line must hold to contain `needle`. */
export function needleGrams(needle: string): number[] {
  const out = new Set<number>();
  forEachGram(needle, (g) => out.add(g));
  return [...out];
}

/** Bits a block's filter must have set for the block to possibly satisfy a line predicate. */
type Condition = { all: number[] } | { and: Condition[] } | { or: Condition[] };

/**
 * The predicate as bits to test: undefined when it can never rule a block out (no needle with
 * four word characters in a position where it must be present).
 */
function conditionOf(p: LinePredicate): Condition | undefined {
  switch (p.type) {
    case 'contains': {
      const grams = needleGrams(p.value);
      if (grams.length === 0) return undefined;
      return { all: [...new Set(grams.flatMap((g) => [pos1(g), pos2(g)]))] };
    }
    case 'regex':
    case 'not':
      return undefined;
    case 'and': {
      const parts = p.exprs.map(conditionOf).filter((c) => c !== undefined);
      return parts.length === 0 ? undefined : { and: parts };
    }
    case 'or': {
      // A block may match when any alternative may; one alternative that rules nothing out
      // rules nothing out for the whole.
      const parts = p.exprs.map(conditionOf);
      if (parts.length === 0 || parts.some((c) => c === undefined)) return undefined;
      return { or: parts as Condition[] };
    }
  }
}

/**
 * A line predicate compiled for block filters, as a SQL condition on `col` (a filter's bits as
 * DuckDB's BIT, which numbers the bits of each byte from the most significant, hence `^ 7`), so
 * the filters need not leave the database: false only when no line of the block can satisfy the
 * predicate. Undefined when the predicate can never rule a block out.
 */
export function bloomSql(p: LinePredicate, col: string): string | undefined {
  const sql = (c: Condition): string =>
    '(' + ('all' in c ? c.all.map((b) => `get_bit(${col}, ${b ^ 7}) = 1`).join(' AND ') : 'and' in c ? c.and.map(sql).join(' AND ') : c.or.map(sql).join(' OR ')) + ')';
  const c = conditionOf(p);
  return c && sql(c);
}

/**
 * The same test as `bloomSql`, on a filter's bytes in memory (bit `i` is bit `i & 7` of byte
 * `i >> 3`, as `LineBloom` sets it): undefined exactly when `bloomSql` is.
 */
export function bloomTest(p: LinePredicate): ((bits: Uint8Array) => boolean) | undefined {
  const test = (c: Condition, bits: Uint8Array): boolean =>
    'all' in c ? c.all.every((i) => (bits[i >>> 3] & (1 << (i & 7))) !== 0) : 'and' in c ? c.and.every((x) => test(x, bits)) : c.or.some((x) => test(x, bits));
  const c = conditionOf(p);
  return c && ((bits) => test(c, bits));
}
