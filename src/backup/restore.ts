/**
 * Restoring a backup into a new data directory: the manifest must be there (a complete backup),
 * the file's size and SHA-256 must match it, the data directory must be empty (a restore never
 * overwrites a store), and the restored store must open and hold the manifest's counts.
 */
import { copyFile, rename, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LogSentinelError } from '../errors.js';
import { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { BACKUP_FILE, readManifest } from './manifest.js';
import { ensureEmptyDir, sha256File, syncPath } from './files.js';

export interface RestoreResult {
  from: string;
  dataDir: string;
  entries: number;
  streams: number;
  bytes: number;
  startedAt: string;
}

export async function restoreBackup(fromDir: string, dataDirIn: string): Promise<RestoreResult> {
  const from = resolve(fromDir);
  const dataDir = resolve(dataDirIn);
  const s = await stat(from).catch(() => undefined);
  if (!s?.isDirectory()) throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${from}: no such directory`);
  const m = await readManifest(from);
  const file = join(from, m.file);
  const size = (await stat(file).catch(() => undefined))?.size;
  if (size !== m.bytes) throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${from}: ${m.file} is ${size === undefined ? 'missing' : `${size} bytes`}, the manifest says ${m.bytes}: the backup is damaged`);
  if ((await sha256File(file)) !== m.sha256) throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${from}: the SHA-256 of ${m.file} does not match the manifest: the backup is damaged`);
  if (!(await ensureEmptyDir(dataDir))) throw new LogSentinelError('BAD_REQUEST', `cannot restore into ${dataDir}: the directory is not empty (a restore never overwrites a store; give a new or empty data directory)`);

  const target = join(dataDir, BACKUP_FILE);
  await copyFile(file, target + '.restoring');
  await syncPath(target + '.restoring');
  await rename(target + '.restoring', target);
  await syncPath(dataDir);

  const store = new DuckDBStorage({ dataDir, checkpointIntervalMs: 0, dedupWindowEntries: 0, threads: 1 });
  await store.open();
  try {
    const [[entries, streams]] = await store.query('SELECT (SELECT count(*) FROM entries), (SELECT count(*) FROM streams)');
    if (Number(entries) !== m.entries || Number(streams) !== m.streams) {
      throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${from}: the restored store holds ${entries} entries and ${streams} streams, the manifest says ${m.entries} and ${m.streams}`);
    }
  } finally {
    await store.close();
  }
  return { from, dataDir, entries: m.entries, streams: m.streams, bytes: m.bytes, startedAt: m.startedAt };
}
