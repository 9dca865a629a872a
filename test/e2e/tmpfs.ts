/**
 * A small tmpfs for tests that fill a disk: mounted on a fresh directory, always unmounted after.
 * Needs root (mount); elsewhere the caller skips with the reason, and under CI=true fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why a tmpfs cannot be mounted here, or undefined (throws in CI instead of skipping). */
export function tmpfsUnavailable(): string | undefined {
  let why: string | undefined;
  if (process.platform !== 'linux') why = 'mounting a tmpfs needs Linux';
  else if (process.getuid?.() !== 0) why = 'mounting a tmpfs needs root';
  if (why && process.env.CI === 'true') throw new Error(`disk-full tests cannot run in CI: ${why}`);
  return why;
}

export async function withTmpfs<T>(sizeMiB: number, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ls-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  try {
    return await fn(dir);
  } finally {
    try {
      execFileSync('umount', [dir]);
    } catch {
      // a process that still has a file open there (a server being killed): detach it now
      execFileSync('umount', ['-l', dir]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export function freeBytes(dir: string): number {
  const fs = statfsSync(dir);
  return fs.bavail * fs.bsize;
}

/** Writes a ballast file until `leaveBytes` remain free (0: until the filesystem refuses more). */
export function writeBallast(path: string, leaveBytes = 0): void {
  const fd = openSync(path, 'a');
  try {
    const dir = join(path, '..');
    for (const chunk of [1024 * 1024, 64 * 1024, 4096, 512, 1]) {
      const buf = Buffer.alloc(chunk, 1);
      for (;;) {
        if (leaveBytes > 0 && freeBytes(dir) - chunk < leaveBytes) break;
        try {
          writeSync(fd, buf);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}
