/**
 * The rule alerts' state in PostgreSQL (cluster mode): one row of `alert_state` (schema.ts,
 * version 2) per id, `state` the snapshot JSON of state-file.ts, `saved_at` when it was written.
 * Only the ruler holding the lease writes it (ruler-sync.ts); a ruler that acquires the lease
 * reads it before evaluating, so firing alerts keep firing with their `activeAt`.
 */
import type pg from 'pg';
import { storageError } from '../storage/postgres/errors.js';
import { parseAlertState, type AlertStateSnapshot } from './state-file.js';

/** The id of the ruler's snapshot: one global lease, so one snapshot per deployment. */
export const RULER_STATE_ID = 'ruler';

export class PostgresAlertState {
  /** `pool` as for PostgresRuleStore: schema on the search_path, owned by the caller. */
  constructor(
    private readonly pool: pg.Pool,
    readonly id = RULER_STATE_ID,
  ) {}

  /** When the snapshot was last written (ms since the epoch), or undefined when there is none. */
  async savedAt(): Promise<number | undefined> {
    try {
      const { rows } = await this.pool.query<{ ms: string }>('SELECT (extract(epoch FROM saved_at) * 1000)::bigint::text AS ms FROM alert_state WHERE id = $1', [this.id]);
      return rows.length > 0 ? Number(rows[0].ms) : undefined;
    } catch (err) {
      throw storageError('read the alert state marker', err);
    }
  }

  /** The snapshot, or undefined when none was saved. Throws when it cannot be read or parsed. */
  async load(): Promise<AlertStateSnapshot | undefined> {
    let rows: Array<{ state: string }>;
    try {
      rows = (await this.pool.query<{ state: string }>('SELECT state FROM alert_state WHERE id = $1', [this.id])).rows;
    } catch (err) {
      throw storageError('read the alert state', err);
    }
    return rows.length > 0 ? parseAlertState(rows[0].state, `postgres:alert_state/${this.id}`) : undefined;
  }

  async save(s: AlertStateSnapshot): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO alert_state (id, state, saved_at) VALUES ($1, $2, to_timestamp($3::double precision / 1000))
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, saved_at = EXCLUDED.saved_at`,
        [this.id, JSON.stringify(s), s.savedAt],
      );
    } catch (err) {
      throw storageError('write the alert state', err);
    }
  }
}
