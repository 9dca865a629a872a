/**
 * Test helpers for PostgreSQL: the shared server of the test run (env
 * `LOGSENTINEL_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
 */
import pg from 'pg';
import { compareVersions, CREATE_EXTENSION, DETECT_EXTENSION, MIN_TIMESCALEDB } from '../timescale.js';

export const TEST_POSTGRES_URL = process.env.LOGSENTINEL_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Why PostgreSQL tests cannot run here, or undefined when the server answers. In CI (`CI=true`)
 * an unreachable server is a failure, so this throws instead of returning a reason to skip.
 */
export async function postgresUnavailable(url = TEST_POSTGRES_URL): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (err) {
    const reason = `PostgreSQL at ${url} is unreachable (${(err as Error).message}); set LOGSENTINEL_TEST_POSTGRES_URL`;
    if (process.env.CI === 'true') throw new Error(`cannot run PostgreSQL tests in CI: ${reason}`, { cause: err });
    return reason;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * Why the TimescaleDB tests cannot run against `url`, or undefined when they can: the extension
 * must be installed in the database, or creatable (offered by the server and preloaded), in
 * version 2.13 or later. Unlike `postgresUnavailable` this never fails in CI: the extension is
 * optional (the development and CI machines here do not have it), so its tests skip with the reason.
 */
export async function timescaleUnavailable(url = TEST_POSTGRES_URL): Promise<string | undefined> {
  const shown = url.replace(/\/\/[^@/]*@/, '//');
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    const { rows } = await c.query<{ available: string | null; installed: string | null }>(DETECT_EXTENSION);
    let version = rows[0].installed;
    if (version === null) {
      if (rows[0].available === null) return `the PostgreSQL server at ${shown} does not offer the timescaledb extension (not in pg_available_extensions)`;
      // Creatable? Try and undo: the store creates it itself when a test opens one.
      await c.query('BEGIN');
      try {
        await c.query(CREATE_EXTENSION);
        version = (await c.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'`)).rows[0].v;
      } catch (err) {
        return `CREATE EXTENSION timescaledb fails on ${shown}: ${(err as Error).message}`;
      } finally {
        await c.query('ROLLBACK').catch(() => undefined);
      }
    }
    if (compareVersions(version, MIN_TIMESCALEDB) < 0) return `TimescaleDB ${version} on ${shown} is older than ${MIN_TIMESCALEDB}`;
    return undefined;
  } catch (err) {
    return `cannot check for TimescaleDB at ${shown}: ${(err as Error).message}`;
  } finally {
    await c.end().catch(() => {});
  }
}
