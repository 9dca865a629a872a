/**
 * A private PostgreSQL for drills that crash it or fill its disk: initdb into a temporary
 * directory (or a given one), run as the postgres user on a free port, removed at `stop`;
 * with `timescaledb`, TimescaleDB preloaded (when its library is installed: `ownTimescaleSkip`).
 */
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Why a private PostgreSQL cannot run here, or undefined. */
export const ownPostgresSkip: string | undefined =
  existsSync(join(PG_BIN, 'initdb')) && spawnSync('id', ['-u', 'postgres']).status === 0 ? undefined : `no ${PG_BIN}/initdb or no postgres user to run a private PostgreSQL`;

/** Why a private PostgreSQL cannot load TimescaleDB here (its library is not installed), or undefined. */
export const ownTimescaleSkip: string | undefined = existsSync('/usr/lib/postgresql/15/lib/timescaledb.so')
  ? undefined
  : 'skipped, TimescaleDB not available: no /usr/lib/postgresql/15/lib/timescaledb.so to preload in a private PostgreSQL 15';

export interface OwnPostgres {
  url: string;
  /** Immediate shutdown (like a crash: no checkpoint), and start again on the same port and data. */
  crash(): void;
  start(): void;
  stop(): void;
}

function postgresIds(): { uid: number; gid: number } {
  return { uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()) };
}

/**
 * `dataParent`: where the data directory goes (e.g. a small tmpfs; default a temp dir);
 * `walElsewhere`: keep pg_wal outside it (initdb --waldir), so a full data disk refuses table
 * writes (SQLSTATE 53100) without PostgreSQL failing to write its own WAL and restarting.
 */
export async function startOwnPostgres(port: number, opts: { dataParent?: string; walElsewhere?: boolean; timescaledb?: boolean } = {}): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'ls-pg-'));
  const data = join(opts.dataParent ?? dir, 'data');
  const ids = postgresIds();
  const asPostgres = (args: string[]): void => {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`cannot run ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  };
  chownSync(dir, ids.uid, ids.gid);
  if (opts.dataParent) {
    mkdirSync(data, { recursive: true });
    chownSync(data, ids.uid, ids.gid);
  }
  const initdb = [join(PG_BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'];
  if (opts.walElsewhere) initdb.push(`--waldir=${join(dir, 'wal')}`);
  asPostgres(initdb);
  // TimescaleDB must be preloaded; its telemetry stays off (no calls out of a test machine).
  const tsdb = opts.timescaledb ? ' -c shared_preload_libraries=timescaledb -c timescaledb.telemetry_level=off' : '';
  const start = (): void => asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off${tsdb}`, 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: () => asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']),
    start,
    stop() {
      try {
        asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
      if (opts.dataParent) rmSync(data, { recursive: true, force: true });
    },
  };
}
