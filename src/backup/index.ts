/**
 * Backups of the embedded store, online and consistent, and their restore.
 *
 * A backup directory holds `logsentinel.duckdb` — a complete DuckDB database copied from one
 * snapshot of the live store while ingest goes on (DuckDBStorage.backupTo: ATTACH + COPY FROM
 * DATABASE in one read transaction) — and `backup.json`, its manifest, written last. A directory
 * without the manifest is a backup that did not finish (interrupted, killed, failed): restore
 * refuses it. While a backup runs, `BACKUP-IN-PROGRESS` says so to anyone who looks.
 *
 * The server takes backups (DuckDB lets one process open the store), through the admin API
 * (`POST /api/v1/admin/backup`, scope `admin`); `logsentinel backup` asks it, or backs up a
 * stopped store directly with `--data-dir`. `logsentinel restore` copies a backup into an empty
 * data directory and checks it. The PostgreSQL store is backed up with pg_dump (docs/operations.md).
 */
export { BACKUP_FILE, MANIFEST_FILE, IN_PROGRESS_FILE, readManifest, type BackupManifest } from './manifest.js';
export { takeBackup, type BackupResult } from './take-backup.js';
export { restoreBackup, type RestoreResult } from './restore.js';
export { BackupJobs, type BackupStatus } from './backup-jobs.js';
