/**
 * What the Live tail keeps: entries from the tail WebSocket, newest first, at most `cap` of them
 * (the oldest are dropped). Entries are numbered as they arrive, so ids stay unique however many
 * repeat a timestamp.
 *
 * Resuming after a reconnect asks the server for entries from the newest timestamp seen
 * (`start` is inclusive), so the entries at exactly that timestamp come again: the buffer
 * remembers them and skips their repeats. Anything older than that timestamp is never asked for
 * again, and anything newer cannot have been seen yet.
 *
 * Pure (no DOM): the page's hook owns the socket and feeds messages in.
 */
import { detectLevel, explicitLevelOf } from '../../../../src/ingest/common/level.js';

import type { Labels, LogEntry } from '../../types.js';

export type { LogEntry };

/** Loki's tail message (pkg/loghttp TailResponse). */
export interface TailMessage {
  streams?: Array<{ stream: Labels; values: Array<[string, string] | [string, string, Labels]> }> | null;
  dropped_entries?: Array<{ labels: Labels | string; timestamp: string }> | null;
}

export interface AddResult {
  /** New entries kept (repeats skipped). */
  added: number;
  /** Repeats of entries already seen, skipped. */
  repeated: number;
  /** Entries the server said it dropped. */
  dropped: number;
}

export const CAP_CHOICES = [1000, 5000, 10_000] as const;

function streamKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

export class TailBuffer {
  private entries: LogEntry[] = [];
  private seq = 0;
  private newestNs: bigint | undefined;
  /** Stream key + line of the entries at exactly `newestNs`. */
  private atNewest = new Set<string>();
  /** Entries removed because the cap was reached. */
  evicted = 0;
  /** Entries the server reported as dropped (it fell behind). */
  droppedByServer = 0;

  constructor(private capacity: number) {
    if (!(capacity > 0)) throw new Error(`BUG: tail buffer capacity must be positive, got ${capacity}`);
  }

  get cap(): number {
    return this.capacity;
  }

  /** Changes the cap; a smaller one drops the oldest entries at once. */
  setCap(cap: number): void {
    if (!(cap > 0)) throw new Error(`BUG: tail buffer capacity must be positive, got ${cap}`);
    this.capacity = cap;
    this.trim();
  }

  /** Newest first. The array is replaced, never mutated, on every change (React compares it). */
  view(): LogEntry[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The newest timestamp seen (ns, decimal), where a resumed tail starts. */
  resumeFromNs(): string | undefined {
    return this.newestNs?.toString();
  }

  add(msg: TailMessage): AddResult {
    const fresh: Array<{ ts: bigint; e: LogEntry }> = [];
    let repeated = 0;
    for (const s of msg.streams ?? []) {
      const labels = s.stream ?? {};
      const key = streamKey(labels);
      const explicit = explicitLevelOf(labels);
      for (const v of s.values ?? []) {
        const [tsStr, line] = v;
        const ts = BigInt(tsStr);
        if (this.newestNs !== undefined && ts === this.newestNs && this.atNewest.has(`${key}\x00${line}`)) {
          repeated++;
          continue;
        }
        const metadata = v[2] ?? {};
        fresh.push({
          ts,
          e: { id: `tail-${++this.seq}`, ts: tsStr, line, labels, metadata, level: detectLevel(line, explicit ?? explicitLevelOf(metadata)) },
        });
        if (this.newestNs === undefined || ts > this.newestNs) {
          this.newestNs = ts;
          this.atNewest = new Set([`${key}\x00${line}`]);
        } else if (ts === this.newestNs) {
          this.atNewest.add(`${key}\x00${line}`);
        }
      }
    }
    const dropped = msg.dropped_entries?.length ?? 0;
    this.droppedByServer += dropped;
    if (fresh.length > 0) {
      // Within one message, oldest first by timestamp; stable for equal timestamps.
      fresh.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      const newestFirst = fresh.map((f) => f.e).reverse();
      this.entries = newestFirst.concat(this.entries);
      this.trim();
    }
    return { added: fresh.length, repeated, dropped };
  }

  /** Empties the view; the resume point is kept, so a reconnect still does not repeat. */
  clear(): void {
    this.entries = [];
  }

  private trim(): void {
    if (this.entries.length > this.capacity) {
      this.evicted += this.entries.length - this.capacity;
      this.entries = this.entries.slice(0, this.capacity);
    }
  }
}
