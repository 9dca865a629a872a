/**
 * Walks a time range `[start, end)` window by window — newest first for `backward`, oldest first
 * for `forward` — sizing each window from the previous one's density, so a backend reading a
 * range in time order never holds the whole range (in JavaScript or in the database) at once.
 *
 *   const w = new TimeWindows(start, end, direction);
 *   for (let win = w.next(); win; win = w.next()) { ...read [win.from, win.to)...; w.done(rowsRead); }
 */
import type { Nanos } from '../../model/entry.js';

/** Rows a window aims to hold. */
const TARGET_ROWS = 20_000;
const SECOND = 1_000_000_000n;

export class TimeWindows {
  private lo: Nanos;
  private hi: Nanos;
  private width: Nanos;
  private current?: { from: Nanos; to: Nanos };

  constructor(
    start: Nanos,
    end: Nanos,
    private readonly direction: 'backward' | 'forward',
  ) {
    this.lo = start;
    this.hi = end;
    const span = end - start;
    // A 64th of the range, but not under a second unless the range itself is shorter.
    this.width = span / 64n > SECOND ? span / 64n : span < SECOND ? span : SECOND;
  }

  /** The next window, or undefined when the range is exhausted. */
  next(): { from: Nanos; to: Nanos } | undefined {
    if (this.lo >= this.hi) return undefined;
    const w = this.width > 0n ? this.width : 1n;
    this.current =
      this.direction === 'backward'
        ? { from: this.hi - w > this.lo ? this.hi - w : this.lo, to: this.hi }
        : { from: this.lo, to: this.lo + w < this.hi ? this.lo + w : this.hi };
    return this.current;
  }

  /** Reports how many rows the current window held; sizes the next one accordingly. */
  done(rows: number): void {
    const c = this.current;
    if (!c) throw new Error('BUG: TimeWindows.done called without a window');
    if (this.direction === 'backward') this.hi = c.from;
    else this.lo = c.to;
    this.current = undefined;
    const factor = rows === 0 ? 8 : Math.min(8, Math.max(0.25, TARGET_ROWS / rows));
    this.width = BigInt(Math.max(1, Math.round(Number(this.width) * factor)));
  }
}
