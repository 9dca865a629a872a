/**
 * An AuthService over a real DuckDB credentials store in a temporary directory, with a clock the
 * test moves and the audit entries it wrote, for the unit tests of the auth module.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStorage } from '../../storage/duckdb/duckdb-storage.js';
import { createLogger } from '../../telemetry/logger.js';
import type { WriteBatch } from '../../model/entry.js';
import { AuditTrail } from '../audit.js';
import { AuthService } from '../auth-service.js';
import { duckdbAuthStore } from '../duckdb-auth-store.js';
import type { AuthStore } from '../auth-store.js';
import { LoginThrottle } from '../login-throttle.js';

export interface AuthFixture {
  svc: AuthService;
  store: AuthStore;
  storage: DuckDBStorage;
  dir: string;
  clock: { now: number };
  /** Parsed audit lines, in order. */
  audit: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function authFixture(opts: { throttle?: LoginThrottle } = {}): Promise<AuthFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'ls-auth-'));
  const storage = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
  await storage.open();
  const store = duckdbAuthStore(storage);
  await store.open();
  const clock = { now: Date.UTC(2026, 0, 1) };
  const audit: Array<Record<string, unknown>> = [];
  const sink = async (b: WriteBatch): Promise<void> => {
    for (const s of b.streams) for (const e of s.entries) audit.push(JSON.parse(e.line) as Record<string, unknown>);
  };
  const logger = createLogger('silent');
  const svc = new AuthService({ logger, audit: new AuditTrail(() => sink, logger, () => clock.now), now: () => clock.now, throttle: opts.throttle });
  svc.attach(store);
  return {
    svc,
    store,
    storage,
    dir,
    clock,
    audit,
    async close() {
      await svc.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
