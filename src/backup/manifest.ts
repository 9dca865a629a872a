/**
 * The manifest of a backup directory, `backup.json`, written last: its presence is what makes the
 * directory a complete backup. Format version 1:
 *
 * ```json
 * { "format": "logsentinel-backup", "formatVersion": 1, "store": "duckdb",
 *   "file": "logsentinel.duckdb", "bytes": 123, "sha256": "…",
 *   "entries": 1000, "streams": 3, "schemaVersion": 1,
 *   "startedAt": "2025-01-01T00:00:00.000Z", "finishedAt": "…", "logsentinelVersion": "0.1.0" }
 * ```
 * `entries` and `streams` are the copy's own counts, which restore checks again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogSentinelError } from '../errors.js';

export const BACKUP_FILE = 'logsentinel.duckdb';
export const MANIFEST_FILE = 'backup.json';
/** Present from the start of a backup until its manifest is written. */
export const IN_PROGRESS_FILE = 'BACKUP-IN-PROGRESS';
export const FORMAT = 'logsentinel-backup';
export const FORMAT_VERSION = 1;

export interface BackupManifest {
  format: typeof FORMAT;
  formatVersion: number;
  store: 'duckdb';
  file: string;
  bytes: number;
  sha256: string;
  entries: number;
  streams: number;
  schemaVersion: number;
  startedAt: string;
  finishedAt: string;
  logsentinelVersion: string;
}

/** The manifest of `dir`, or a 400 saying plainly why `dir` is not a complete backup. */
export async function readManifest(dir: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      let inProgress = false;
      try {
        await readFile(join(dir, IN_PROGRESS_FILE));
        inProgress = true;
      } catch {
        // not there either
      }
      throw new LogSentinelError(
        'BAD_REQUEST',
        inProgress
          ? `cannot restore from ${dir}: the backup there is incomplete (${MANIFEST_FILE} is missing and ${IN_PROGRESS_FILE} is present): it was interrupted or is still running; take a new backup`
          : `cannot restore from ${dir}: it holds no complete backup (${MANIFEST_FILE} is missing)`,
      );
    }
    throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${dir}: cannot read ${MANIFEST_FILE}: ${(err as Error).message}`, { cause: err });
  }
  let m: Partial<BackupManifest>;
  try {
    m = JSON.parse(text) as Partial<BackupManifest>;
  } catch (err) {
    throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${dir}: ${MANIFEST_FILE} is not JSON: ${(err as Error).message}`);
  }
  if (m.format !== FORMAT) throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${dir}: ${MANIFEST_FILE} is not a LogSentinel backup manifest`);
  if (m.formatVersion !== FORMAT_VERSION) throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${dir}: backup format version ${m.formatVersion} is not supported by this LogSentinel (${FORMAT_VERSION})`);
  if (m.store !== 'duckdb' || typeof m.file !== 'string' || m.file.includes('/') || typeof m.sha256 !== 'string' || typeof m.bytes !== 'number' || typeof m.entries !== 'number') {
    throw new LogSentinelError('BAD_REQUEST', `cannot restore from ${dir}: ${MANIFEST_FILE} lacks fields or has wrong ones`);
  }
  return m as BackupManifest;
}
