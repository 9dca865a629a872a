/**
 * `logsentinel token create|list|revoke` and `logsentinel user create|list|delete|passwd`: the
 * admin API from the command line. A new token or a generated password is printed once, alone on
 * stdout (so `T=$(logsentinel token create ...)` works); what was created goes to stderr. Passwords
 * are read from stdin (`--password-stdin`) or generated, never taken as an argument (argument lists
 * are visible to every user of the machine).
 */
import type { Command } from 'commander';
import { generateToken, randomSecret } from '../auth/token.js';
import type { TokenInfo, UserInfo } from '../auth/credential.js';
import { SCOPES } from '../auth/scopes.js';
import { adminRequest, CliError, type ClientOptions } from './admin-client.js';

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

interface Common {
  url: string;
  token?: string;
  dataDir?: string;
}

function client(o: Common): ClientOptions {
  return { url: o.url, token: o.token, dataDir: o.dataDir };
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'LogSentinel to manage', 'http://127.0.0.1:3100')
    .option('--token <token>', 'admin token (else env LOGSENTINEL_TOKEN, else <data-dir>/initial-admin-credentials)')
    .option('-d, --data-dir <dir>', 'data directory holding initial-admin-credentials (env LOGSENTINEL_DATA_DIR, default ./data)');
}

async function run(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof CliError) && !(err instanceof Error)) throw err;
    console.error(`logsentinel ${name}: ${(err as Error).message}`);
    process.exit(1);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function tenants(list: string[]): string[] | '*' {
  return list.length === 1 && list[0] === '*' ? '*' : list;
}

function show(v: readonly string[] | '*'): string {
  return v === '*' ? '*' : v.join(',');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

const day = (iso: string | null): string => (iso === null ? '-' : iso.replace(/\.\d+Z$/, 'Z'));

export function registerAuthCommands(program: Command): void {
  const token = program.command('token').description('create, list and revoke API tokens through the admin API (scope admin)');
  withCommon(token.command('create'))
    .description('create a token and print it once on stdout')
    .requiredOption('--name <name>', 'what the token is for (1-64 of a-z A-Z 0-9 . _ @ -)')
    .option('--scope <scope>', `scope, repeatable or comma-separated: ${SCOPES.join(', ')}`, collect, [])
    .option('--tenant <tenant>', 'tenant it may use, repeatable or comma-separated; * for every tenant', collect, [])
    .option('--default-tenant <tenant>', 'tenant of requests without X-Scope-OrgID (default: the first --tenant)')
    .option('--ttl <duration>', 'expires after this long (30d, 12h, 2w)')
    .option('--expires-at <time>', 'expires at this RFC 3339 time')
    .action((o: Common & { name: string; scope: string[]; tenant: string[]; defaultTenant?: string; ttl?: string; expiresAt?: string }) =>
      run('token create', async () => {
        const t = await adminRequest<TokenInfo & { token: string }>(client(o), 'POST', '/api/v1/auth/tokens', {
          name: o.name,
          scopes: o.scope,
          tenants: tenants(o.tenant),
          ...(o.defaultTenant ? { defaultTenant: o.defaultTenant } : {}),
          ...(o.ttl ? { ttl: o.ttl } : {}),
          ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
        });
        console.error(`created token ${t.id} (${t.name}: ${t.scopes.join(',')} on ${show(t.tenants)}, expires ${day(t.expiresAt)}); it is shown this once:`);
        process.stdout.write(t.token + '\n');
      }),
    );
  withCommon(token.command('list'))
    .description('list tokens with their last use (never their values)')
    .option('--json', 'print JSON')
    .action((o: Common & { json?: boolean }) =>
      run('token list', async () => {
        const { tokens } = await adminRequest<{ tokens: TokenInfo[] }>(client(o), 'GET', '/api/v1/auth/tokens');
        if (o.json) return void console.log(JSON.stringify(tokens, null, 2));
        const rows = [['ID', 'NAME', 'SCOPES', 'TENANTS', 'CREATED BY', 'LAST USED', 'EXPIRES', 'REVOKED']];
        for (const t of tokens) rows.push([t.id, t.name, t.scopes.join(','), show(t.tenants), t.createdBy, day(t.lastUsedAt), day(t.expiresAt), day(t.revokedAt)]);
        console.log(table(rows));
      }),
    );
  withCommon(token.command('revoke'))
    .description('revoke a token by its id (refused within 5 s on every pod)')
    .argument('<id>', 'the token id (12 characters, as `token list` shows)')
    .action((id: string, o: Common) =>
      run('token revoke', async () => {
        await adminRequest(client(o), 'DELETE', `/api/v1/auth/tokens/${encodeURIComponent(id)}`);
        console.error(`revoked token ${id}`);
      }),
    );

  token
    .command('generate')
    .description('print a new random token value without contacting a server, for auth.adminToken (LOGSENTINEL_AUTH_ADMIN_TOKEN) in a Compose .env or a Kubernetes Secret; the server makes it exist at start')
    .action(() => {
      console.log(generateToken().token);
    });

  const user = program.command('user').description('create, list, delete users and set their passwords through the admin API (scope admin)');
  withCommon(user.command('create'))
    .description('create a user; without --password-stdin a random password is generated and printed once')
    .requiredOption('--name <name>', 'user name (1-64 of a-z A-Z 0-9 . _ @ -)')
    .option('--scope <scope>', `scope, repeatable or comma-separated: ${SCOPES.join(', ')}`, collect, [])
    .option('--tenant <tenant>', 'tenant the user may use, repeatable or comma-separated; * for every tenant', collect, [])
    .option('--default-tenant <tenant>', 'tenant of requests without X-Scope-OrgID (default: the first --tenant)')
    .option('--ttl <duration>', 'the account expires after this long')
    .option('--password-stdin', 'read the password from stdin')
    .action((o: Common & { name: string; scope: string[]; tenant: string[]; defaultTenant?: string; ttl?: string; passwordStdin?: boolean }) =>
      run('user create', async () => {
        const password = o.passwordStdin ? await readStdin() : randomSecret(18);
        const { user: u } = await adminRequest<{ user: UserInfo }>(client(o), 'POST', '/api/v1/auth/users', {
          name: o.name,
          password,
          scopes: o.scope,
          tenants: tenants(o.tenant),
          ...(o.defaultTenant ? { defaultTenant: o.defaultTenant } : {}),
          ...(o.ttl ? { ttl: o.ttl } : {}),
        });
        console.error(`created user ${u.name} (${u.scopes.join(',')} on ${show(u.tenants)})${o.passwordStdin ? '' : '; its password is shown this once:'}`);
        if (!o.passwordStdin) process.stdout.write(password + '\n');
      }),
    );
  withCommon(user.command('list'))
    .description('list users with their last use')
    .option('--json', 'print JSON')
    .action((o: Common & { json?: boolean }) =>
      run('user list', async () => {
        const { users } = await adminRequest<{ users: UserInfo[] }>(client(o), 'GET', '/api/v1/auth/users');
        if (o.json) return void console.log(JSON.stringify(users, null, 2));
        const rows = [['NAME', 'SCOPES', 'TENANTS', 'DEFAULT', 'DISABLED', 'LAST USED', 'EXPIRES']];
        for (const u of users) rows.push([u.name, u.scopes.join(','), show(u.tenants), u.defaultTenant, u.disabled ? 'yes' : 'no', day(u.lastUsedAt), day(u.expiresAt)]);
        console.log(table(rows));
      }),
    );
  withCommon(user.command('delete'))
    .description('delete a user and end its sessions')
    .argument('<name>', 'user name')
    .action((name: string, o: Common) =>
      run('user delete', async () => {
        await adminRequest(client(o), 'DELETE', `/api/v1/auth/users/${encodeURIComponent(name)}`);
        console.error(`deleted user ${name}`);
      }),
    );
  withCommon(user.command('passwd'))
    .description("set a user's password (ends its sessions); without --password-stdin a random one is generated and printed once")
    .argument('<name>', 'user name')
    .option('--password-stdin', 'read the password from stdin')
    .action((name: string, o: Common & { passwordStdin?: boolean }) =>
      run('user passwd', async () => {
        const password = o.passwordStdin ? await readStdin() : randomSecret(18);
        await adminRequest(client(o), 'PATCH', `/api/v1/auth/users/${encodeURIComponent(name)}`, { password });
        console.error(`set the password of ${name}${o.passwordStdin ? '' : '; it is shown this once:'}`);
        if (!o.passwordStdin) process.stdout.write(password + '\n');
      }),
    );
}
