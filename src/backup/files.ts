/** File helpers of backup and restore: durable writes, checksums, empty-directory checks. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename } from 'node:fs/promises';

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** fsync a file or a directory (so a rename or a new file in it survives a crash). */
export async function syncPath(path: string): Promise<void> {
  const f = await open(path, 'r');
  try {
    await f.sync();
  } finally {
    await f.close();
  }
}

/** Writes `path` durably: to a temporary name, synced, renamed, the directory synced. */
export async function writeFileDurably(path: string, data: string, dir: string): Promise<void> {
  const tmp = path + '.tmp';
  const f = await open(tmp, 'w');
  try {
    await f.writeFile(data);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
  await syncPath(dir);
}

/**
 * Creates `dir` if needed; resolves to false when it exists and holds anything (a backup or a
 * restore never writes over files).
 */
export async function ensureEmptyDir(dir: string): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  return (await readdir(dir)).length === 0;
}
