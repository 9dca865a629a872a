/**
 * The test suite's secrets check: every test that creates a password or token registers it here
 * (test-artifacts/secrets.txt); every server process the e2e harness starts writes its output to
 * test-artifacts/logs/; after the run, scripts/check-secrets.ts (run by scripts/run-tests.mjs)
 * searches every log for every registered secret and fails naming the file where one appears.
 * The one exception is the first-admin banner (src/auth/bootstrap.ts), printed once by design.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BANNER_BEGIN, BANNER_END } from '../auth/bootstrap.js';

export const ARTIFACTS_DIR = resolve(import.meta.dirname, '../../test-artifacts');
export const SECRETS_FILE = join(ARTIFACTS_DIR, 'secrets.txt');
export const LOGS_DIR = join(ARTIFACTS_DIR, 'logs');

/** Registers secrets a test created or was given, so the log check looks for them. */
export function registerSecret(...secrets: string[]): void {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const lines = secrets.filter((s) => s.length > 0).map((s) => s.replace(/\n/g, ' ') + '\n');
  if (lines.length > 0) appendFileSync(SECRETS_FILE, lines.join(''));
}

/** A log without its first-admin banner blocks. */
export function withoutBanners(text: string): string {
  const out: string[] = [];
  let inside = false;
  for (const line of text.split('\n')) {
    if (line.includes(BANNER_BEGIN)) inside = true;
    if (!inside) out.push(line);
    if (line.includes(BANNER_END)) inside = false;
  }
  return out.join('\n');
}

export interface SecretsReport {
  secrets: number;
  logs: number;
  /** `<log file>: <n> registered secret(s)`, one per log holding any. */
  leaks: string[];
}

/** Searches every log in `logsDir` for every secret in `secretsFile` (8 characters or more). */
export function findLeaks(secretsFile = SECRETS_FILE, logsDir = LOGS_DIR): SecretsReport {
  const secrets = existsSync(secretsFile) ? [...new Set(readFileSync(secretsFile, 'utf8').split('\n').filter((s) => s.length >= 8))] : [];
  const logs = existsSync(logsDir) ? readdirSync(logsDir).map((f) => join(logsDir, f)) : [];
  const leaks: string[] = [];
  for (const f of logs) {
    const text = withoutBanners(readFileSync(f, 'utf8'));
    const found = secrets.filter((s) => text.includes(s)).length;
    if (found > 0) leaks.push(`${f}: ${found} registered secret(s)`);
  }
  return { secrets: secrets.length, logs: logs.length, leaks };
}
