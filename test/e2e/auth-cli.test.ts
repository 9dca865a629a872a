/**
 * Secure by default, still one command: a first start prints the first admin's credentials once
 * and saves them with mode 0600; the `logsentinel token` and `user` commands manage credentials
 * through the admin API with the token from that file, `--token` or LOGSENTINEL_TOKEN, print a new
 * token or password once, and never show a secret in --help.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, removeDir, startServer, type ServerHandle } from './harness.js';
import { BANNER_BEGIN, BANNER_END, CREDENTIALS_FILE, readCredentialsFile } from '../../src/auth/bootstrap.js';
import { randomSecret } from '../../src/auth/token.js';
import { registerSecret } from '../../src/testing/secrets.js';

function cli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, LOGSENTINEL_TOKEN: '', ...opts.env };
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000, input: opts.input ?? '' });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('first start and the credentials CLI', () => {
  let s: ServerHandle;
  let creds: { username?: string; password?: string; token?: string };
  let at: string[];
  before(async () => {
    s = await startServer({ auth: true });
    creds = readCredentialsFile(join(s.dataDir, CREDENTIALS_FILE));
    registerSecret(creds.password!, creds.token!);
    at = ['--url', s.url, '--data-dir', s.dataDir];
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  const login = async (username: string, password: string): Promise<number> =>
    (await fetch(s.url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) })).status;

  it('the first start prints the admin credentials once, between the banner lines, and saves them 0600', async () => {
    const out = s.output();
    assert.equal(out.split(BANNER_BEGIN).length, 2, 'printed once');
    const banner = out.slice(out.indexOf(BANNER_BEGIN), out.indexOf(BANNER_END));
    assert.ok(banner.includes(creds.password!) && banner.includes(creds.token!));
    assert.equal(creds.username, 'admin');
    assert.equal(statSync(join(s.dataDir, CREDENTIALS_FILE)).mode & 0o777, 0o600);
    assert.equal(await login('admin', creds.password!), 200);
    assert.equal((await fetch(s.url + '/loki/api/v1/labels')).status, 401, 'authentication is on by default');
  });

  it('token create prints the token alone on stdout; list shows it without its value; revoke refuses it', async () => {
    const c = cli(['token', 'create', ...at, '--name', 'ci-push', '--scope', 'logs:write', '--tenant', 'cli-t', '--ttl', '30d']);
    assert.equal(c.code, 0, c.stderr);
    const token = c.stdout.trim();
    registerSecret(token);
    assert.match(token, /^lst_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(c.stderr, /^created token [a-z2-7]{12} \(ci-push: logs:write on cli-t, expires \d{4}-/);
    const id = token.slice(4, 16);
    const push = async (): Promise<number> =>
      (await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { app: 'cli' }, values: [[String(Date.now() * 1e6), 'x']] }] }) })).status;
    assert.equal(await push(), 204);

    const list = cli(['token', 'list', '--url', s.url], { env: { LOGSENTINEL_TOKEN: creds.token! } });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+NAME\s+SCOPES\s+TENANTS\s+CREATED BY\s+LAST USED\s+EXPIRES\s+REVOKED$/m);
    assert.match(list.stdout, new RegExp(`^${id}\\s+ci-push\\s+logs:write\\s+cli-t\\s+initial admin token\\s`, 'm'));
    assert.ok(!list.stdout.includes(token));
    const json = cli(['token', 'list', ...at, '--json']);
    assert.ok((JSON.parse(json.stdout) as Array<{ id: string }>).some((t) => t.id === id));

    const rev = cli(['token', 'revoke', id, '--url', s.url, '--token', creds.token!]);
    assert.equal(rev.code, 0, rev.stderr);
    assert.equal(await push(), 401);
  });

  it('user create (stdin or generated), list, passwd and delete', async () => {
    const pw = randomSecret(12);
    registerSecret(pw);
    const a = cli(['user', 'create', ...at, '--name', 'ana', '--scope', 'logs:read,rules:read', '--tenant', 'cli-t', '--password-stdin'], { input: pw + '\n' });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, '', 'a password from stdin is not printed');
    assert.equal(await login('ana', pw), 200);

    const g = cli(['user', 'create', ...at, '--name', 'gen', '--scope', 'logs:read', '--tenant', '*']);
    assert.equal(g.code, 0, g.stderr);
    const generated = g.stdout.trim();
    registerSecret(generated);
    assert.equal(await login('gen', generated), 200);

    const list = cli(['user', 'list', ...at]);
    assert.match(list.stdout, /^ana\s+logs:read,rules:read\s+cli-t\s+cli-t\s+no\s/m);
    assert.match(list.stdout, /^gen\s+logs:read\s+\*\s+default\s+no\s/m);

    const p = cli(['user', 'passwd', 'ana', ...at]);
    assert.equal(p.code, 0, p.stderr);
    const fresh = p.stdout.trim();
    registerSecret(fresh);
    assert.equal(await login('ana', pw), 401);
    assert.equal(await login('ana', fresh), 200);

    assert.equal(cli(['user', 'delete', 'gen', ...at]).code, 0);
    assert.doesNotMatch(cli(['user', 'list', ...at]).stdout, /^gen\s/m);
    const again = cli(['user', 'delete', 'gen', ...at]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^logsentinel user delete: cannot delete user gen: no such user$/m);
  });

  it('explains a refused or missing admin token, and a bad request', () => {
    const bad = cli(['token', 'list', '--url', s.url, '--token', 'lst_aaaaaaaaaaaa_' + 'x'.repeat(43)]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot list tokens: invalid credentials \(the admin token from --token was refused\)/);
    const none = cli(['token', 'list', '--url', s.url, '--data-dir', '/nonexistent']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no admin token: pass --token, set LOGSENTINEL_TOKEN, or run where \/nonexistent\/initial-admin-credentials/);
    const scope = cli(['token', 'create', ...at, '--name', 'x', '--scope', 'logs:delete', '--tenant', 'a']);
    assert.equal(scope.code, 1);
    assert.match(scope.stderr, /cannot create token: unknown scope "logs:delete"/);
  });

  it('--help of every command holds no secret, even with secrets in the environment', () => {
    const env = { LOGSENTINEL_TOKEN: creds.token!, LOGSENTINEL_AUTH_ADMIN_PASSWORD: creds.password!, LOGSENTINEL_AUTH_ADMIN_TOKEN: creds.token! };
    for (const args of [['--help'], ['serve', '--help'], ['token', '--help'], ['token', 'create', '--help'], ['user', 'create', '--help'], ['user', 'passwd', '--help'], ['loadgen', '--help']]) {
      const h = cli(args, { env });
      assert.equal(h.code, 0, args.join(' '));
      const text = h.stdout + h.stderr;
      assert.ok(!text.includes(creds.token!) && !text.includes(creds.password!), args.join(' '));
    }
    assert.match(cli(['token', 'create', '--help']).stdout, /--scope <scope>[\s\S]*--tenant <tenant>[\s\S]*--ttl <duration>/);
  });
});

describe('configured admin credentials', () => {
  it('auth.adminPassword and auth.adminToken from the environment: nothing random, nothing printed', async () => {
    const password = randomSecret(12);
    const token = 'lst_confconfconf_' + randomSecret(32);
    registerSecret(password, token);
    const s = await startServer({ auth: true, env: { LOGSENTINEL_AUTH_ADMIN_PASSWORD: password, LOGSENTINEL_AUTH_ADMIN_TOKEN: token } });
    try {
      assert.ok(!s.output().includes(BANNER_BEGIN));
      assert.equal((await fetch(s.url + '/api/v1/auth/me', { headers: { Authorization: `Bearer ${token}` } })).status, 200);
      const r = await fetch(s.url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      assert.equal(r.status, 200);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });

  it('token generate prints a fresh token that a server accepts as auth.adminToken', async () => {
    const f = (): string => {
      const r = cli(['token', 'generate']);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const token = f();
    assert.notEqual(f(), token, 'each call makes a new one');
    registerSecret(token);
    const s = await startServer({ auth: true, env: { LOGSENTINEL_AUTH_ADMIN_TOKEN: token } });
    try {
      assert.equal((await fetch(s.url + '/api/v1/auth/me', { headers: { Authorization: `Bearer ${token}` } })).status, 200);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });

  it('a malformed auth.adminToken stops the start with a message that does not echo it', async () => {
    const value = 'not-a-token-' + randomSecret(8);
    registerSecret(value);
    await assert.rejects(startServer({ auth: true, env: { LOGSENTINEL_AUTH_ADMIN_TOKEN: value } }), (e: Error) => /cannot use auth.adminToken: it must look like lst_/.test(e.message) && !e.message.includes(value));
  });

  it('auth.enabled=false on a non-loopback listener warns at start', async () => {
    const s = await startServer({ args: ['--host', '0.0.0.0'] });
    try {
      assert.match(s.output(), /authentication is disabled \(auth.enabled=false\) and the server listens beyond loopback/);
    } finally {
      await s.stop();
      removeDir(s.dataDir);
    }
  });
});
