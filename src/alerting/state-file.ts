/**
 * Alert state that survives a restart: `<dataDir>/alerts-state.json`, rewritten atomically.
 * Format (version 1): `{"version":1,"savedAt":<ms>,"rules":{"<rule key>":[ActiveAlert...]},
 * "critical":[CriticalAlert...]}`; times are milliseconds since the epoch. A rule key is
 * `tenant/namespace/group/alert name` plus the expression, so editing a rule's expression starts
 * it afresh. An unreadable file is reported and ignored (alerts restart from inactive).
 * In cluster mode the rule alerts' snapshot lives in PostgreSQL instead (postgres-alert-state.ts,
 * same format); the file then keeps this process's critical-log alerts only.
 */
import { readFileSync } from 'node:fs';
import type { ActiveAlert } from './alert.js';
import type { CriticalAlert } from './critical-alerter.js';
import { writeFileAtomic } from './atomic-write.js';

export interface AlertStateSnapshot {
  version: 1;
  savedAt: number;
  rules: Record<string, ActiveAlert[]>;
  critical: CriticalAlert[];
}

export function readAlertState(path: string): AlertStateSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read alert state ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseAlertState(text, path);
}

/** Parses a snapshot's JSON (from the file or from PostgreSQL); `where` names the source in errors. */
export function parseAlertState(text: string, where: string): AlertStateSnapshot {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`cannot parse alert state ${where}: ${(err as Error).message}`, { cause: err });
  }
  const s = v as Partial<AlertStateSnapshot>;
  if (s === null || s.version !== 1 || typeof s.rules !== 'object' || !Array.isArray(s.critical)) throw new Error(`cannot parse alert state ${where}: unknown format`);
  return s as AlertStateSnapshot;
}

export async function writeAlertState(path: string, s: AlertStateSnapshot): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(s));
}
