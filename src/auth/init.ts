/**
 * The auth module as the roles start it (src/modules.ts): the service is created before the HTTP
 * server listens — so no request is ever served unauthenticated while the credentials store opens
 * (they get 503 with Retry-After) — and opened once the role's store is: the embedded store's
 * DuckDB file, or PostgreSQL in cluster mode (every role, ingest included, then needs
 * `storage.postgres.url`). Audit entries go through the role's queue when it has one, else
 * straight to its store.
 */
import type { Config } from '../config/load.js';
import type { Logger } from '../telemetry/logger.js';
import type { Queue } from '../queue/queue.js';
import type { Storage } from '../storage/storage.js';
import { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { AuditTrail, type AuditSink } from './audit.js';
import { AuthService } from './auth-service.js';
import { bootstrapAdmin, checkAdminOptions } from './bootstrap.js';
import { duckdbAuthStore } from './duckdb-auth-store.js';
import { postgresAuthStore } from './postgres-auth-store.js';

export interface AuthBackends {
  /** Where the role keeps entries; `cluster` keeps credentials in PostgreSQL. */
  backends: 'embedded' | 'cluster';
  queue: () => Queue | undefined;
  storage: () => Storage | undefined;
}

/** The service of an enabled auth module, not yet open; undefined when `auth.enabled` is false. */
export function createAuth(cfg: Config, role: string, b: AuthBackends, logger: Logger): AuthService | undefined {
  if (!cfg.auth.enabled) {
    if (!isLoopback(cfg.server.host)) {
      logger.warn({ host: cfg.server.host }, 'authentication is disabled (auth.enabled=false) and the server listens beyond loopback: anyone who reaches the port can push, read every tenant and change rules');
    }
    return undefined;
  }
  if (b.backends === 'cluster' && cfg.storage.postgres.url === '') {
    throw new Error(`cannot start role ${role}: authentication keeps users and tokens in PostgreSQL; set storage.postgres.url (env LOGSENTINEL_STORAGE_POSTGRES_URL), or auth.enabled=false for a trusted network`);
  }
  checkAdminOptions(cfg.auth.adminPassword, cfg.auth.adminToken);
  const sink = (): AuditSink | undefined => {
    const q = b.queue();
    if (q) return (batch) => q.append(batch);
    const s = b.storage();
    return s ? (batch) => s.write([batch]) : undefined;
  };
  return new AuthService({ logger, audit: new AuditTrail(sink, logger) });
}

/** Opens the credentials store, creates the first admin if needed, and starts authenticating. Resolves the stop function. */
export async function openAuth(svc: AuthService, cfg: Config, b: AuthBackends, o: { url: string; logger: Logger }): Promise<() => Promise<void>> {
  const storage = b.storage();
  const store =
    b.backends === 'embedded' && storage instanceof DuckDBStorage
      ? duckdbAuthStore(storage)
      : postgresAuthStore({ url: cfg.storage.postgres.url, schema: cfg.storage.postgres.schema });
  await store.open();
  try {
    await bootstrapAdmin(store, {
      adminPassword: cfg.auth.adminPassword,
      adminToken: cfg.auth.adminToken,
      dataDir: cfg.dataDir,
      url: o.url,
      logger: o.logger,
      audit: svc.audit,
      print: (text) => process.stderr.write(text),
    });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  svc.attach(store);
  return () => svc.close();
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
