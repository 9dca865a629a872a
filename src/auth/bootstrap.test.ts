/**
 * The first admin: generated once on an empty store (printed between the banner lines, written
 * to a 0600 file), never again; configured password and token instead of generated ones.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../telemetry/logger.js';
import { registerSecret } from '../testing/secrets.js';
import { BANNER_BEGIN, BANNER_END, bootstrapAdmin, checkAdminOptions, CREDENTIALS_FILE, readCredentialsFile } from './bootstrap.js';
import { authFixture, type AuthFixture } from './testing/fixture.js';
import { generateToken, tokenId } from './token.js';
import { verifyPassword } from './password.js';

describe('bootstrapAdmin', () => {
  let f: AuthFixture;
  before(async () => {
    f = await authFixture();
  });
  after(() => f.close());

  const opts = (printed: string[], over: { adminPassword?: string; adminToken?: string } = {}): Parameters<typeof bootstrapAdmin>[1] => ({
    adminPassword: over.adminPassword ?? '',
    adminToken: over.adminToken ?? '',
    dataDir: f.dir,
    url: 'http://127.0.0.1:3100',
    logger: createLogger('silent'),
    audit: f.svc.audit,
    print: (t) => printed.push(t),
    now: () => f.clock.now,
  });

  it('on an empty store: an admin user and token, printed once and saved with mode 0600', async () => {
    const printed: string[] = [];
    assert.equal(await bootstrapAdmin(f.store, opts(printed)), 'generated');
    const file = join(f.dir, CREDENTIALS_FILE);
    const creds = readCredentialsFile(file);
    registerSecret(creds.password!, creds.token!);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(creds.username, 'admin');
    assert.equal(printed.length, 1);
    const lines = printed[0].trimEnd().split('\n');
    assert.equal(lines[0], BANNER_BEGIN);
    assert.equal(lines.at(-1), BANNER_END);
    assert.ok(printed[0].includes(creds.password!) && printed[0].includes(creds.token!));
    const user = await f.store.getUser('admin');
    assert.deepEqual([user?.scopes, user?.tenants], [['admin'], '*']);
    assert.ok(await verifyPassword(creds.password!, user!.passwordHash));
    assert.deepEqual((await f.svc.tokenPrincipal(creds.token!))?.scopes, ['admin']);
    assert.equal(f.audit.at(-1)?.action, 'bootstrap');
    assert.ok(!readFileSync(file, 'utf8').includes('scrypt'));

    const again: string[] = [];
    assert.equal(await bootstrapAdmin(f.store, opts(again)), 'existing');
    assert.deepEqual(again, [], 'never printed twice');
  });

  it('configured password and token: set, nothing random, nothing printed', async () => {
    const password = 'configured-' + Math.random().toString(36).slice(2);
    const { token } = generateToken();
    registerSecret(password, token);
    const printed: string[] = [];
    assert.equal(await bootstrapAdmin(f.store, opts(printed, { adminPassword: password, adminToken: token })), 'configured');
    assert.deepEqual(printed, []);
    assert.ok(await verifyPassword(password, (await f.store.getUser('admin'))!.passwordHash));
    assert.equal((await f.svc.tokenPrincipal(token))?.name, 'admin (auth.adminToken)');
    // A revoked configured token stays revoked.
    await f.store.revokeToken(tokenId(token)!, f.clock.now);
    await bootstrapAdmin(f.store, opts(printed, { adminToken: token }));
    assert.ok((await f.store.getToken(tokenId(token)!))?.revokedAt !== undefined);
  });

  it('checkAdminOptions refuses bad values without echoing them', () => {
    assert.throws(() => checkAdminOptions('short', ''), (e: Error) => /auth.adminPassword: password must be at least 8/.test(e.message) && !e.message.includes('short'));
    assert.throws(() => checkAdminOptions('', 'my-secret-token'), (e: Error) => /auth.adminToken: it must look like lst_/.test(e.message) && !e.message.includes('my-secret-token'));
    checkAdminOptions('', '');
  });
});
