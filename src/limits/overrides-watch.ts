/**
 * Keeps the per-tenant overrides current: reads the file at start (a broken file is an error
 * then), and again whenever it changes and every `periodMs` (Loki's runtime_config.period). A
 * change that does not parse is logged, once per distinct content, and the previous overrides
 * stay in force.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '../telemetry/logger.js';
import { watchFiles } from '../config/file-watch.js';
import { parseOverrides, type TenantOverrides } from './overrides.js';

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read overrides file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Applies the file's overrides now (throws when it is broken) and on every change; returns the stop function. */
export function watchOverridesFile(file: string, periodMs: number, logger: Logger, apply: (m: Map<string, TenantOverrides>) => void): () => void {
  const text = read(file);
  const first = parseOverrides(text, file);
  apply(first);
  logger.info({ file, tenants: first.size }, 'per-tenant limit overrides loaded');
  let current = digest(text);
  let failed = '';
  return watchFiles([file], { intervalMs: periodMs }, () => {
    const refuse = (key: string, err: unknown): void => {
      if (failed !== key) logger.error({ file, err: (err as Error).message }, 'cannot reload per-tenant limit overrides: keeping the previous ones');
      failed = key;
    };
    let t: string;
    try {
      t = read(file);
    } catch (err) {
      refuse('read: ' + (err as Error).message, err);
      return;
    }
    const d = digest(t);
    if (d === current || d === failed) return;
    let m: Map<string, TenantOverrides>;
    try {
      m = parseOverrides(t, file);
    } catch (err) {
      refuse(d, err);
      return;
    }
    apply(m);
    current = d;
    failed = '';
    logger.info({ file, tenants: m.size }, 'per-tenant limit overrides reloaded');
  });
}
