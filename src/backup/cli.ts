/**
 * `logsentinel backup` and `logsentinel restore`. DuckDB lets one process open the store, so a
 * backup of a running server is taken by that server: `backup` asks it through the admin API
 * (`--url`, an admin token from `--token` or LOGSENTINEL_TOKEN) and waits for the result. With
 * `--data-dir` it backs up a stopped store directly (refused, saying so, while a server holds it).
 */
import { resolve } from 'node:path';
import { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { formatBytes } from '../storage/common/format-bytes.js';
import { takeBackup } from './take-backup.js';
import { restoreBackup } from './restore.js';
import type { BackupStatus } from './backup-jobs.js';

export interface BackupCliOptions {
  to: string;
  url: string;
  token?: string;
  dataDir?: string;
  version: string;
  out: (line: string) => void;
  pollMs?: number;
}

/** A failure the command prints as is (`logsentinel backup: <message>`) and exits 1 on. */
export class CliError extends Error {}

function summary(to: string, r: { entries: number; streams: number; bytes: number; durationMs: number }): string {
  return `backed up ${r.entries} entries in ${r.streams} streams to ${to} (${formatBytes(r.bytes)}, ${(r.durationMs / 1000).toFixed(1)} s); restore with: logsentinel restore --from ${to} --data-dir <new data directory>`;
}

export async function backupCli(o: BackupCliOptions): Promise<void> {
  const to = resolve(o.to);
  if (o.dataDir !== undefined) return backupStopped(o, to, resolve(o.dataDir));
  const base = o.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const call = async (method: 'GET' | 'POST', body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    let r: Response;
    try {
      r = await fetch(base + '/api/v1/admin/backup', { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot back up: no LogSentinel server answers at ${base} (${cause?.code ?? cause?.message ?? (err as Error).message}). ` +
          'The running server takes the backup (DuckDB lets one process open the store): start it, or point --url at it; ' +
          'to back up a stopped store, add --data-dir <its data directory>.',
      );
    }
    const text = await r.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { error: text.trim() };
    }
    return { status: r.status, json };
  };
  const refused = (status: number, json: Record<string, unknown>): CliError => {
    const msg = typeof json.error === 'string' ? json.error : typeof json.message === 'string' ? json.message : JSON.stringify(json);
    if (status === 401 || status === 403) return new CliError(`cannot back up: the server refused the credential (${status}: ${msg}); pass an admin token with --token or LOGSENTINEL_TOKEN`);
    return new CliError(msg.startsWith('cannot ') ? msg : `cannot back up: the server answered ${status}: ${msg}`);
  };
  const started = await call('POST', { to });
  if (started.status !== 202) throw refused(started.status, started.json);
  o.out(`backing up to ${to} (the server at ${base} writes it) ...`);
  for (;;) {
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    const s = await call('GET');
    if (s.status !== 200) throw refused(s.status, s.json);
    const st = s.json as unknown as BackupStatus;
    if (st.state === 'running') continue;
    if (st.state === 'done' && st.to === to) return o.out(summary(to, st));
    if (st.state === 'failed' && st.to === to) throw new CliError(st.error);
    throw new CliError(`cannot back up: the server lost track of the backup to ${to} (it answers ${JSON.stringify(st)}); was it restarted?`);
  }
}

async function backupStopped(o: BackupCliOptions, to: string, dataDir: string): Promise<void> {
  const store = new DuckDBStorage({ dataDir, checkpointIntervalMs: 0, dedupWindowEntries: 0, threads: 1 });
  try {
    await store.open();
  } catch (err) {
    const msg = (err as Error).message;
    if (/lock/i.test(msg)) {
      throw new CliError(`cannot back up ${dataDir}: a running LogSentinel holds the store (${msg.split('\n')[0]}); back it up through that server: logsentinel backup --to ${to} --url <its URL>`);
    }
    throw new CliError(msg);
  }
  try {
    const r = await takeBackup(store, to, { version: o.version, reserveBytes: 16 * 1024 * 1024 });
    o.out(summary(to, r));
  } finally {
    await store.close();
  }
}

export async function restoreCli(o: { from: string; dataDir: string; out: (line: string) => void }): Promise<void> {
  const r = await restoreBackup(o.from, o.dataDir);
  o.out(`restored ${r.entries} entries in ${r.streams} streams (backup of ${r.startedAt}) from ${r.from} into ${r.dataDir}; start it with: logsentinel serve --data-dir ${r.dataDir}`);
}
