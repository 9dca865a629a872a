/**
 * Taking a backup of the embedded store into a directory (see index.ts for the layout). The
 * target is checked first, so the admin API can refuse a bad one before it answers 202.
 */
import { rm, stat, statfs } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { LogSentinelError } from '../errors.js';
import { formatBytes } from '../storage/common/format-bytes.js';
import { BACKUP_FILE, FORMAT, FORMAT_VERSION, IN_PROGRESS_FILE, MANIFEST_FILE, type BackupManifest } from './manifest.js';
import { ensureEmptyDir, sha256File, syncPath, writeFileDurably } from './files.js';

/** What backup needs of the store (DuckDBStorage). */
export interface BackupSource {
  backupTo(file: string, signal?: AbortSignal): Promise<{ entries: number; streams: number; schemaVersion: number }>;
  sizeBytes(): Promise<number>;
}

export interface BackupOptions {
  version: string;
  /** Free space the target's filesystem must keep beyond the copy (it may be the store's own). */
  reserveBytes: number;
  signal?: AbortSignal;
}

export interface BackupResult extends BackupManifest {
  dir: string;
  durationMs: number;
}

/** Throws a 4xx/507 naming what is wrong with `to` as a backup target; creates it if missing. */
export async function checkTarget(source: BackupSource, to: string, reserveBytes: number): Promise<void> {
  if (!isAbsolute(to)) throw new LogSentinelError('BAD_REQUEST', `cannot back up to ${JSON.stringify(to)}: the path must be absolute (a directory on the server's filesystem)`);
  let empty: boolean;
  try {
    empty = await ensureEmptyDir(to);
  } catch (err) {
    throw new LogSentinelError('BAD_REQUEST', `cannot back up to ${to}: ${(err as Error).message}`, { cause: err });
  }
  if (!empty) throw new LogSentinelError('BAD_REQUEST', `cannot back up to ${to}: the directory is not empty (a backup never writes over files; give a new or empty directory)`);
  const fs = await statfs(to);
  const free = fs.bavail * fs.bsize;
  const size = await source.sizeBytes();
  if (free < size + reserveBytes) {
    throw new LogSentinelError(
      'INSUFFICIENT_STORAGE',
      `cannot back up to ${to}: ${formatBytes(free)} free on its filesystem; the copy may take up to ${formatBytes(size)} (the store's size) and ${formatBytes(reserveBytes)} must stay free`,
    );
  }
}

/** Checks the target, copies the store into it and writes the manifest last. */
export async function takeBackup(source: BackupSource, to: string, opts: BackupOptions): Promise<BackupResult> {
  await checkTarget(source, to, opts.reserveBytes);
  const started = new Date();
  const t0 = performance.now();
  await writeFileDurably(join(to, IN_PROGRESS_FILE), `A LogSentinel backup started here at ${started.toISOString()} and has not finished: without ${MANIFEST_FILE} this directory cannot be restored.\n`, to);
  const file = join(to, BACKUP_FILE);
  const copy = await source.backupTo(file, opts.signal);
  await syncPath(file);
  const manifest: BackupManifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    store: 'duckdb',
    file: BACKUP_FILE,
    bytes: (await stat(file)).size,
    sha256: await sha256File(file),
    entries: copy.entries,
    streams: copy.streams,
    schemaVersion: copy.schemaVersion,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    logsentinelVersion: opts.version,
  };
  await writeFileDurably(join(to, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', to);
  await rm(join(to, IN_PROGRESS_FILE), { force: true });
  await syncPath(to);
  return { ...manifest, dir: to, durationMs: Math.round(performance.now() - t0) };
}
