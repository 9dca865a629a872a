/**
 * The first admin (docs/specs/auth.md, "Secure by default, still one command").
 *
 * - `auth.adminPassword` set: the user `admin` (scope admin, every tenant) gets that password —
 *   created, or its password replaced when it differs. `auth.adminToken` set: a token with
 *   exactly that value and scope admin exists (created, or its hash replaced); a revoked one stays
 *   revoked, with a warning. Nothing random is generated when either is set.
 * - Neither set and the store holds no user and no token (a first start): `admin` is created
 *   with a random password, plus an admin token; both are printed once to stderr (not through the
 *   logger, so no log pipeline keeps them) between the two banner lines below, and written to
 *   `<dataDir>/initial-admin-credentials` with mode 0600, which the CLI reads.
 *
 * It all runs under the store's bootstrap lock: in a cluster exactly one pod creates, prints and
 * writes the first admin; the others find the store no longer empty.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../telemetry/logger.js';
import type { AuthStore } from './auth-store.js';
import type { AuditTrail } from './audit.js';
import type { TokenRecord, UserRecord } from './credential.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';
import { generateToken, randomSecret, safeEqual, sha256Hex, tokenId } from './token.js';

export const ADMIN_USER = 'admin';
export const CREDENTIALS_FILE = 'initial-admin-credentials';
export const BANNER_BEGIN = '======== LogSentinel: initial admin credentials (shown once) ========';
export const BANNER_END = '======== end of initial admin credentials ========';

export interface BootstrapOptions {
  adminPassword: string;
  adminToken: string;
  dataDir: string;
  /** Where to announce the address in the printed example. */
  url: string;
  logger: Logger;
  audit: AuditTrail;
  /** Writes the banner (stderr). */
  print: (text: string) => void;
  now?: () => number;
}

export type BootstrapOutcome = 'generated' | 'configured' | 'existing';

/** Throws a message naming what is wrong with configured admin credentials (never their values). */
export function checkAdminOptions(adminPassword: string, adminToken: string): void {
  if (adminPassword !== '') {
    const p = passwordProblem(adminPassword);
    if (p) throw new Error(`cannot use auth.adminPassword: ${p}`);
  }
  if (adminToken !== '' && tokenId(adminToken) === undefined) {
    throw new Error(
      'cannot use auth.adminToken: it must look like lst_<12 characters of a-z and 2-7>_<32 or more characters of A-Z a-z 0-9 _ -> ' +
        '(one way to make one: docs/security.md, "Setting the admin credentials")',
    );
  }
}

function adminUser(passwordHash: string, now: number): UserRecord {
  return { name: ADMIN_USER, passwordHash, scopes: ['admin'], tenants: '*', defaultTenant: 'default', disabled: false, createdAt: now };
}

function adminToken(token: string, name: string, now: number): TokenRecord {
  return { id: tokenId(token)!, hash: sha256Hex(token), name, scopes: ['admin'], tenants: '*', defaultTenant: 'default', createdBy: 'logsentinel', createdAt: now };
}

export async function bootstrapAdmin(store: AuthStore, o: BootstrapOptions): Promise<BootstrapOutcome> {
  checkAdminOptions(o.adminPassword, o.adminToken);
  const now = (o.now ?? Date.now)();
  return store.withBootstrapLock(async () => {
    if (o.adminPassword !== '' || o.adminToken !== '') {
      const changed: string[] = [];
      if (o.adminPassword !== '') {
        const cur = await store.getUser(ADMIN_USER);
        if (!cur) {
          await store.createUser(adminUser(await hashPassword(o.adminPassword), now));
          changed.push('user created');
        } else if (!(await verifyPassword(o.adminPassword, cur.passwordHash))) {
          await store.updateUser(ADMIN_USER, { passwordHash: await hashPassword(o.adminPassword) });
          await store.deleteUserSessions(ADMIN_USER);
          changed.push('password set');
        }
      }
      if (o.adminToken !== '') {
        const want = adminToken(o.adminToken, 'admin (auth.adminToken)', now);
        const cur = await store.getToken(want.id);
        if (cur?.revokedAt !== undefined) {
          o.logger.warn({ tokenId: want.id }, 'the token in auth.adminToken was revoked and stays revoked; remove it from the configuration');
        } else if (!cur || !safeEqual(cur.hash, want.hash)) {
          await store.putToken(want);
          changed.push('token set');
        }
      }
      if (changed.length > 0) await o.audit.record({ action: 'bootstrap', actor: 'logsentinel', target: ADMIN_USER, outcome: 'success', details: { from: 'configuration', changed } });
      return 'configured';
    }
    if (!(await store.isEmpty())) return 'existing';
    const password = randomSecret(18);
    const { token } = generateToken();
    await store.createUser(adminUser(await hashPassword(password), now));
    await store.createToken(adminToken(token, 'initial admin token', now));
    const file = join(o.dataDir, CREDENTIALS_FILE);
    let wrote = true;
    try {
      mkdirSync(o.dataDir, { recursive: true });
      writeFileSync(file, credentialsFileText(password, token, new Date(now)), { mode: 0o600 });
      chmodSync(file, 0o600);
    } catch (err) {
      wrote = false;
      o.logger.error({ err: (err as Error).message, file }, 'cannot write the initial admin credentials file; they are printed on stderr only');
    }
    o.print(banner(password, token, wrote ? file : undefined, o.url));
    await o.audit.record({ action: 'bootstrap', actor: 'logsentinel', target: ADMIN_USER, outcome: 'success', details: { from: 'generated', changed: ['user created', 'token created'] } });
    return 'generated';
  });
}

function credentialsFileText(password: string, token: string, at: Date): string {
  return (
    `# LogSentinel initial admin credentials, created ${at.toISOString()}.\n` +
    '# Keep them somewhere safe, then delete this file. `logsentinel token|user ...` reads the token from here.\n' +
    `username=${ADMIN_USER}\npassword=${password}\ntoken=${token}\n`
  );
}

function banner(password: string, token: string, file: string | undefined, url: string): string {
  return [
    BANNER_BEGIN,
    `  user:     ${ADMIN_USER}`,
    `  password: ${password}`,
    `  token:    ${token}   (scope admin, every tenant)`,
    file ? `  saved in: ${file} (mode 0600)` : '  not saved: the credentials file could not be written (see the log)',
    `  try:      curl -H "Authorization: Bearer ${token}" ${url}/loki/api/v1/labels`,
    BANNER_END,
    '',
  ].join('\n');
}

/** The fields of an initial credentials file (missing ones undefined). */
export function readCredentialsFile(path: string): { username?: string; password?: string; token?: string } {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(username|password|token)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}
