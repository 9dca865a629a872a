/**
 * Readiness checks of external dependencies (Redis, PostgreSQL), cached so that frequent probes
 * and many load balancers cost one round trip per dependency and `ttlMs`, and bounded in time so
 * a hung dependency answers "not ready" instead of hanging the probe.
 */
import pg from 'pg';

export interface DependencyCheck {
  /** Shown in the readiness answer: `redis`, `postgres`. */
  name: string;
  /** Resolves when the dependency answers; rejects (or times out) when it does not. */
  check: () => Promise<void>;
}

export interface DependencyCheckOptions {
  ttlMs?: number;
  timeoutMs?: number;
  now?: () => number;
  /** Told each dependency's outcome after every check run (the `dependency_up` gauge). */
  onResult?: (name: string, up: boolean) => void;
}

export function cachedDependencyChecks(checks: DependencyCheck[], opts: DependencyCheckOptions = {}): () => Promise<string | undefined> {
  const ttl = opts.ttlMs ?? 1000;
  const timeout = opts.timeoutMs ?? 1000;
  const now = opts.now ?? Date.now;
  let last: { at: number; result: Promise<string | undefined> } | undefined;
  const runOne = async (c: DependencyCheck): Promise<string | undefined> => {
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.check(),
        new Promise<never>((_, rej) => {
          t = setTimeout(() => rej(new Error(`no answer within ${timeout}ms`)), timeout);
        }),
      ]);
      opts.onResult?.(c.name, true);
      return undefined;
    } catch (err) {
      opts.onResult?.(c.name, false);
      return `${c.name} unavailable: ${(err as Error).message}`;
    } finally {
      clearTimeout(t);
    }
  };
  return () => {
    if (!last || now() - last.at >= ttl) {
      last = {
        at: now(),
        result: Promise.all(checks.map(runOne)).then((rs) => {
          const bad = rs.filter((r): r is string => r !== undefined);
          return bad.length > 0 ? bad.join('; ') : undefined;
        }),
      };
    }
    return last.result;
  };
}

/** SELECT 1 over one short-lived pooled connection: readiness of the roles that use PostgreSQL. */
export function postgresCheck(url: string): { check: DependencyCheck; close: () => Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 1000 });
  pool.on('error', () => {
    // An idle connection that broke is dropped by the pool; the next check reports the outage.
  });
  return {
    check: { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
    close: () => pool.end(),
  };
}
