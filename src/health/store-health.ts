/**
 * Store errors, in one place: what the processor's writes report, what readiness says about the
 * store, and whether ingest should take pushes now.
 *
 * - A write refused for lack of disk space (`isDiskFull`: ENOSPC, PostgreSQL's 53100) marks the
 *   store full: readiness says so and pushes are refused with 503 and Retry-After instead of
 *   hammering a full disk. It clears at the next successful write, or — since no write comes
 *   while pushes are refused — when `probe` shows the disk takes writes again (embedded: a small
 *   file written, synced and removed in the data directory, every `probeEveryMs`).
 * - A store that says it cannot serve (`Storage.unavailableReason`: DuckDB reopening after a
 *   fatal error) is not ready, and pushes are refused meanwhile.
 * - Other write errors are answered per request (503, the client retries) and change nothing here:
 *   they are transient or not the disk's.
 */
import { LogSentinelError } from '../errors.js';
import { DISK_FULL_RETRY_AFTER_S, isDiskFull } from '../storage/disk-full.js';

export interface StoreHealthOptions {
  /** The store's own state; `unavailableReason` answers why it cannot serve, if it cannot. */
  storage?: { unavailableReason?(): string | undefined };
  /** Resolves when the disk takes writes again; absent: only a successful write clears "full". */
  probe?: () => Promise<void>;
  probeEveryMs?: number;
  /** Told when the store becomes full (with the error's message) and when it takes writes again. */
  onChange?: (full: string | undefined) => void;
}

export class StoreHealth {
  private full?: string;
  private probing?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly opts: StoreHealthOptions = {}) {}

  /** The outcome of a store write: undefined when it succeeded. */
  observe(err: unknown): void {
    if (err === undefined) {
      this.setFull(undefined);
      return;
    }
    if (isDiskFull(err) || (err instanceof LogSentinelError && err.code === 'STORAGE_FULL')) this.setFull(err instanceof Error ? err.message : String(err));
  }

  private setFull(reason: string | undefined): void {
    const was = this.full;
    this.full = reason;
    if ((was === undefined) !== (reason === undefined)) this.opts.onChange?.(reason);
    if (reason !== undefined && !this.probing && this.opts.probe && !this.stopped) {
      this.probing = setInterval(() => void this.probeOnce(), this.opts.probeEveryMs ?? 2000);
      this.probing.unref();
    }
    if (reason === undefined && this.probing) {
      clearInterval(this.probing);
      this.probing = undefined;
    }
  }

  /**
   * Probes once now (at start: a disk that filled up while LogSentinel was down is noticed before
   * the first push fails). A probe that finds the disk full marks the store full.
   */
  async check(): Promise<void> {
    if (!this.opts.probe) return;
    try {
      await this.opts.probe();
    } catch (err) {
      this.observe(err);
    }
  }

  private async probeOnce(): Promise<void> {
    try {
      await this.opts.probe!();
      this.setFull(undefined);
    } catch {
      // still full: the next probe tries again
    }
  }

  /** Why the store is not ready, or undefined. */
  condition(): string | undefined {
    return this.opts.storage?.unavailableReason?.() ?? this.full;
  }

  /** Throws a 503 with Retry-After while the store cannot take writes. */
  admit(what: string): void {
    const unavailable = this.opts.storage?.unavailableReason?.();
    if (unavailable !== undefined) throw new LogSentinelError('STORAGE_UNAVAILABLE', `cannot accept ${what}: the store is ${unavailable}`, { retryable: true, retryAfter: 1 });
    if (this.full !== undefined) throw new LogSentinelError('STORAGE_FULL', `cannot accept ${what}: the last write to the store failed: ${this.full}`, { retryable: true, retryAfter: DISK_FULL_RETRY_AFTER_S });
  }

  stop(): void {
    this.stopped = true;
    if (this.probing) clearInterval(this.probing);
    this.probing = undefined;
  }
}
