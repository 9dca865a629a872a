/**
 * The test suite's secrets check: every test that creates a password or token registers it here
 * (test-artifacts/secrets.txt); every server process the e2e harness starts writes its output to
 * test-artifacts/logs/; after the run, scripts/run-tests.mjs searches every log for every
 * registered secret and fails naming the file where one appears. The one exception is the
 * first-admin banner (src/auth/bootstrap.ts), printed once by design.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ARTIFACTS_DIR = resolve(import.meta.dirname, '../../test-artifacts');
export const SECRETS_FILE = join(ARTIFACTS_DIR, 'secrets.txt');
export const LOGS_DIR = join(ARTIFACTS_DIR, 'logs');

/** Registers secrets a test created or was given, so the log check looks for them. */
export function registerSecret(...secrets: string[]): void {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const lines = secrets.filter((s) => s.length > 0).map((s) => s.replace(/\n/g, ' ') + '\n');
  if (lines.length > 0) appendFileSync(SECRETS_FILE, lines.join(''));
}
