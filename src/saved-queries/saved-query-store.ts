/**
 * Where saved queries are kept: in the database of the credentials (src/auth/auth-store.ts), the
 * embedded store's DuckDB file or PostgreSQL in cluster mode, so every query pod sees what another
 * one saved. One SQL implementation serves both (sql-saved-query-store.ts); both pass one
 * conformance suite (testing/saved-query-store-conformance.ts).
 *
 * Contract
 * - Every method acts on one tenant; nothing one tenant does is visible to, or changes, another.
 * - `open()` creates the table if missing, idempotently, and is safe when several processes open
 *   the same database at once. Every other method needs `open()` to have resolved.
 * - Names are unique per tenant by `nameKey` (case-insensitively): a create or update that would
 *   repeat one rejects with a `LogSentinelError` `CONFLICT` naming it; a create past
 *   `maxPerTenant` rejects with `LIMIT_REACHED`. Two processes creating at the same moment may
 *   each pass the count check, so the bound may be passed by the number of concurrent creates.
 * - Missing ids resolve undefined (or false), never throw.
 * - Reads after a resolved write, on any process, see it (no caching).
 * - Database errors are `LogSentinelError`s: `STORAGE_UNAVAILABLE` (retryable) or `INTERNAL`.
 * - Returned records are copies the caller may keep. Lists are by name, case-insensitively.
 */
import type { SavedQuery, SavedQueryPatch } from './saved-query.js';

export interface SavedQueryStore {
  readonly name: string;
  open(): Promise<void>;
  /** Releases what the store opened itself (its PostgreSQL pool; not a DuckDB file it was handed). */
  close(): Promise<void>;

  list(tenant: string): Promise<SavedQuery[]>;
  get(tenant: string, id: string): Promise<SavedQuery | undefined>;
  create(q: SavedQuery, maxPerTenant: number): Promise<void>;
  /** The updated record (`updatedAt`/`updatedBy` set to `at`/`by`), or undefined when there is no such id in the tenant. */
  update(tenant: string, id: string, patch: SavedQueryPatch, at: number, by: string | undefined): Promise<SavedQuery | undefined>;
  /** False when there was no such id in the tenant. */
  delete(tenant: string, id: string): Promise<boolean>;
}
