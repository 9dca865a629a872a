/**
 * The free-space watermark of the embedded store (`storage.minFreeBytes`): while the filesystem
 * of the data directory has less free space than this, pushes are refused with 503 and
 * Retry-After and readiness says why, so the disk never fills up under the store (a checkpoint or
 * a backup needs room too). Free space is read every `pollMs` (statfs is cheap); pushes read the
 * last figure, so the check costs nothing per request.
 */
import { statfs } from 'node:fs/promises';
import { LogSentinelError } from '../errors.js';
import { formatBytes } from '../storage/common/format-bytes.js';
import { DISK_FULL_RETRY_AFTER_S } from '../storage/disk-full.js';

export interface FilesystemSpace {
  freeBytes: number;
  sizeBytes: number;
}

export interface DiskSpaceOptions {
  dir: string;
  /** 0 turns the watermark off (free space is still read, for the probe and metrics). */
  minFreeBytes: number;
  pollMs?: number;
  /** Reads the filesystem; tests replace it. */
  read?: (dir: string) => Promise<FilesystemSpace>;
  /** Told when the free space falls below the watermark and when it is back above it. */
  onChange?: (below: boolean, space: FilesystemSpace) => void;
}

async function readSpace(dir: string): Promise<FilesystemSpace> {
  const fs = await statfs(dir);
  return { freeBytes: fs.bavail * fs.bsize, sizeBytes: fs.blocks * fs.bsize };
}

export class DiskSpace {
  private last?: FilesystemSpace;
  private below = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: DiskSpaceOptions) {}

  /** Reads the free space once, then every `pollMs`. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The last figures read, or undefined before the first read (or when it failed). */
  space(): FilesystemSpace | undefined {
    return this.last;
  }

  async poll(): Promise<void> {
    const read = this.opts.read ?? readSpace;
    const space = await read(this.opts.dir).catch(() => undefined);
    this.last = space;
    if (!space) return;
    const below = this.opts.minFreeBytes > 0 && space.freeBytes < this.opts.minFreeBytes;
    if (below !== this.below) {
      this.below = below;
      this.opts.onChange?.(below, space);
    }
  }

  /** Why the watermark refuses pushes now, or undefined. */
  condition(): string | undefined {
    if (!this.below || !this.last) return undefined;
    return `only ${formatBytes(this.last.freeBytes)} free on the filesystem of the data directory ${this.opts.dir}, below storage.minFreeBytes (${formatBytes(this.opts.minFreeBytes)}); pushes are refused until space is freed`;
  }

  /** Throws a 503 with Retry-After while below the watermark. */
  admit(what: string): void {
    const reason = this.condition();
    if (reason !== undefined) throw new LogSentinelError('STORAGE_FULL', `cannot accept ${what}: ${reason}`, { retryable: true, retryAfter: DISK_FULL_RETRY_AFTER_S });
  }
}
