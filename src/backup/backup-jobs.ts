/**
 * The server's backups: one at a time, started by the admin API and watched by polling it. The
 * target is checked before `start` resolves (so a bad one is a 4xx, not a failed job); the copy
 * then runs in the background. Stopping the server interrupts a running backup (its directory
 * stays without a manifest: not restorable).
 */
import { LogSentinelError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { checkTarget, takeBackup, type BackupSource } from './take-backup.js';
import type { BackupManifest } from './manifest.js';

export type BackupStatus =
  | { state: 'idle' }
  | { state: 'running'; to: string; startedAt: string }
  | ({ state: 'done'; to: string; durationMs: number } & BackupManifest)
  | { state: 'failed'; to: string; startedAt: string; finishedAt: string; error: string };

export interface BackupJobsOptions {
  source: BackupSource;
  version: string;
  reserveBytes: number;
  logger: Pick<Logger, 'info' | 'error'>;
}

export class BackupJobs {
  private current: BackupStatus = { state: 'idle' };
  private running?: { done: Promise<void>; abort: AbortController };

  constructor(private readonly opts: BackupJobsOptions) {}

  status(): BackupStatus {
    return this.current;
  }

  /** Starts a backup into `to`; throws 409 while one runs, 4xx/507 for a bad target. */
  async start(to: string): Promise<BackupStatus> {
    if (this.running) {
      const c = this.current as { to?: string };
      throw new LogSentinelError('CONFLICT', `cannot start backup to ${to}: a backup to ${c.to ?? '?'} is running; wait for it (GET /api/v1/admin/backup)`);
    }
    const abort = new AbortController();
    // Reserved before the first await, so two requests cannot both start one.
    this.running = { done: Promise.resolve(), abort };
    try {
      await checkTarget(this.opts.source, to, this.opts.reserveBytes);
    } catch (err) {
      this.running = undefined;
      throw err;
    }
    const startedAt = new Date().toISOString();
    this.current = { state: 'running', to, startedAt };
    this.opts.logger.info({ to }, 'backup started');
    this.running.done = takeBackup(this.opts.source, to, { version: this.opts.version, reserveBytes: this.opts.reserveBytes, signal: abort.signal }).then(
      (r) => {
        const { dir: _dir, ...manifest } = r;
        this.current = { state: 'done', to, ...manifest };
        this.opts.logger.info({ to, entries: r.entries, bytes: r.bytes, durationMs: r.durationMs }, 'backup finished');
      },
      (err: unknown) => {
        this.current = { state: 'failed', to, startedAt, finishedAt: new Date().toISOString(), error: (err as Error).message };
        this.opts.logger.error({ err, to }, 'backup failed');
      },
    ).finally(() => {
      this.running = undefined;
    });
    return this.current;
  }

  /** Resolves when no backup runs. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  /** Interrupts a running backup and waits for it to end. */
  async stop(): Promise<void> {
    this.running?.abort.abort(new Error('the server is stopping'));
    await this.idle();
  }
}
