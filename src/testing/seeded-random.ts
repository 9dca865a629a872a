/**
 * mulberry32: a small seeded pseudo-random generator for fuzz tests, so a failing case can be
 * reproduced from its seed. Returns numbers in [0, 1).
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Fuzzer {
  rand: () => number;
  /** An integer in [0, n). */
  int: (n: number) => number;
  pick: <T>(xs: readonly T[]) => T;
  /** `n` random bytes. */
  bytes: (n: number) => Buffer;
}

/** The helpers fuzz tests draw their cases with, all from one seeded generator. */
export function fuzzer(seed: number): Fuzzer {
  const rand = rng(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  return {
    rand,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)],
    bytes: (n: number): Buffer => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}
