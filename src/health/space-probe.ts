/**
 * Whether a directory's filesystem takes writes: writes `bytes` to a probe file, syncs it (a full
 * disk may only say so then) and removes it. Used to notice that space was freed after a full
 * disk, when no push arrives to try (they are refused meanwhile).
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const PROBE_FILE = '.space-probe';

/** Rejects with `cannot write a probe file to <dir>: <cause>` (the cause keeps its code, e.g. ENOSPC). */
export async function probeSpace(dir: string, bytes = 4 * 1024 * 1024): Promise<void> {
  const path = join(dir, PROBE_FILE);
  try {
    const f = await open(path, 'w');
    try {
      await f.write(Buffer.alloc(bytes));
      await f.sync();
    } finally {
      await f.close();
    }
  } catch (err) {
    throw new Error(`cannot write a probe file to ${dir}: ${(err as Error).message}`, { cause: err });
  } finally {
    await rm(path, { force: true });
  }
}
