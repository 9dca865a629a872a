/**
 * Test helpers for PostgreSQL: the shared server of the test run (env
 * `LOGSENTINEL_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
 */
import pg from 'pg';

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
