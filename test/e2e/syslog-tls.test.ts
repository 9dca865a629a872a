/**
 * Syslog over TLS with client certificates against the real server: rsyslogd forwarding with its
 * GnuTLS driver (rsyslog-gnutls) and `openssl s_client` present certificates signed by the
 * configured client CA; each certificate's name maps to a tenant, and the entries land there. A
 * client without a certificate, with one of another CA, or with a name that maps to no tenant is
 * refused and counted. A missing tool skips its test with the reason, and fails it in CI.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, removeDir, startServer, type ServerHandle } from './harness.js';
import { opensslUnavailable, TestPki, type CertFiles } from '../../src/testing/certs.js';

const run = promisify(execFile);
const RSYSLOGD = '/usr/sbin/rsyslogd';
const LOGGER = '/usr/bin/logger';
const GTLS = ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so', '/usr/lib/rsyslog/lmnsd_gtls.so'];

function need(t: TestContext, ok: boolean, what: string): boolean {
  if (ok) return true;
  if (process.env.CI === 'true') assert.fail(`${what} is required in CI`);
  t.skip(`${what} is not installed`);
  return false;
}

async function lines(s: ServerHandle, tenant: string, query: string): Promise<string[]> {
  const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query, since: '1h', direction: 'forward' }), { headers: { 'X-Scope-OrgID': tenant } });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { data: { result: Array<{ values: Array<[string, string]> }> } };
  return body.data.result.flatMap((x) => x.values.map((v) => v[1]));
}

async function waitLines(s: ServerHandle, tenant: string, query: string, n: number): Promise<string[]> {
  for (let i = 0; i < 150; i++) {
    const got = await lines(s, tenant, query);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  return lines(s, tenant, query);
}

async function refused(s: ServerHandle, reason: string): Promise<number> {
  const text = await (await fetch(s.url + '/metrics')).text();
  const m = new RegExp(`^syslog_tls_connections_refused_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** `openssl s_client` sending `data` and closing at end of input; resolves with its exit code and output. */
function sClient(port: number, ca: string, data: string, client?: CertFiles): Promise<{ code: number | null; out: string }> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-servername', 'localhost', '-verify_return_error', '-quiet', '-no_ign_eof'];
  if (client) args.push('-cert', client.certFile, '-key', client.keyFile);
  return new Promise((resolve) => {
    const p = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    // Give the handshake (and TLS 1.3's post-handshake refusal) a moment before sending.
    setTimeout(() => p.stdin.end(data), 300);
  });
}

const skip = opensslUnavailable();

describe('syslog over TLS with client certificates', { skip }, () => {
  let s: ServerHandle;
  let pki: TestPki;
  let rogue: TestPki;
  let tlsPort: number;
  let rsyslogClient: CertFiles;
  let opensslClient: CertFiles;

  before(async () => {
    pki = new TestPki();
    rogue = new TestPki('Rogue CA');
    const server = pki.issue('server', { cn: 'localhost', san: ['DNS:localhost', 'IP:127.0.0.1'] });
    rsyslogClient = pki.issue('rsyslog-client', { cn: 'edge-7', san: ['DNS:rsyslog-client.example'], usage: 'client' });
    opensslClient = pki.issue('openssl-client', { cn: 'openssl-client', usage: 'client' });
    tlsPort = await freePort();
    s = await startServer({
      env: {
        LOGSENTINEL_SYSLOG_TLS_PORT: String(tlsPort),
        LOGSENTINEL_SYSLOG_HOST: '127.0.0.1',
        LOGSENTINEL_SYSLOG_TLS_CERT_FILE: server.certFile,
        LOGSENTINEL_SYSLOG_TLS_KEY_FILE: server.keyFile,
        LOGSENTINEL_SYSLOG_TLS_CLIENT_CA_FILE: pki.ca.certFile,
        LOGSENTINEL_SYSLOG_TLS_REQUIRE_CLIENT_CERT: 'true',
        LOGSENTINEL_SYSLOG_TLS_CLIENT_TENANTS: 'rsyslog-client.example=edge,openssl-client=ops',
      },
    });
  });
  after(async () => {
    await s?.stop();
    if (s) removeDir(s.dataDir);
    pki?.remove();
    rogue?.remove();
  });

  it('openssl s_client with a mapped certificate writes to its tenant; without one, with another CA or an unmapped name it is refused', async (t) => {
    if (!need(t, existsSync('/usr/bin/openssl'), 'openssl')) return;
    const ok = await sClient(tlsPort, pki.ca.certFile, '<14>1 - host-o app-o - - - over s_client\n', opensslClient);
    assert.equal(ok.code, 0, ok.out);
    assert.deepEqual(await waitLines(s, 'ops', '{app="app-o"}', 1), ['over s_client']);

    const before = { none: await refused(s, 'no_certificate'), untrusted: await refused(s, 'untrusted_certificate'), unknown: await refused(s, 'unknown_client') };
    await sClient(tlsPort, pki.ca.certFile, '<14>1 - host-o app-refused - - - no certificate\n');
    await sClient(tlsPort, pki.ca.certFile, '<14>1 - host-o app-refused - - - rogue certificate\n', rogue.issue('rogue', { cn: 'openssl-client', usage: 'client' }));
    await sClient(tlsPort, pki.ca.certFile, '<14>1 - host-o app-refused - - - unmapped certificate\n', pki.issue('unmapped', { cn: 'somebody-else', usage: 'client' }));
    for (let i = 0; i < 50 && (await refused(s, 'unknown_client')) === before.unknown; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await refused(s, 'no_certificate'), before.none + 1);
    assert.equal(await refused(s, 'untrusted_certificate'), before.untrusted + 1);
    assert.equal(await refused(s, 'unknown_client'), before.unknown + 1);
    for (const tenant of ['ops', 'default', 'edge']) assert.deepEqual(await lines(s, tenant, '{app="app-refused"}'), [], tenant);
  });

  it('rsyslogd forwarding through its GnuTLS driver with a client certificate writes to the mapped tenant', async (t) => {
    const gtls = GTLS.some((p) => existsSync(p));
    if (!need(t, existsSync(RSYSLOGD), RSYSLOGD) || !need(t, existsSync(LOGGER), LOGGER) || !need(t, gtls, 'rsyslog-gnutls (apt-get install rsyslog-gnutls)')) return;
    const work = mkdtempSync(join(pki.dir, 'rsyslog-'));
    const inPort = await freePort();
    const conf = join(work, 'rsyslog.conf');
    writeFileSync(
      conf,
      [
        `global(workDirectory="${work}" DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="${pki.ca.certFile}" DefaultNetstreamDriverCertFile="${rsyslogClient.certFile}" DefaultNetstreamDriverKeyFile="${rsyslogClient.keyFile}")`,
        'module(load="imtcp")',
        `input(type="imtcp" address="127.0.0.1" port="${inPort}")`,
        `action(type="omfwd" target="127.0.0.1" port="${tlsPort}" protocol="tcp" StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
        '',
      ].join('\n'),
    );
    let out = '';
    const proc: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(work, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    try {
      for (let i = 0; ; i++) {
        const up = await new Promise<boolean>((r) => {
          const c = netConnect(inPort, '127.0.0.1', () => (c.end(), r(true)));
          c.on('error', () => r(false));
        });
        if (up) break;
        if (i > 100 || proc.exitCode !== null) assert.fail(`rsyslogd did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const base = ['--tcp', '--rfc5424', '--octet-count', '--server', '127.0.0.1', '--port', String(inPort), '-t', 'via-rsyslog-tls'];
      await run(LOGGER, [...base, '-p', 'auth.warning', 'forwarded over mutual TLS']);
      await run(LOGGER, [...base, '-p', 'local0.err', 'second line']);
      const got = await waitLines(s, 'edge', '{app="via-rsyslog-tls"}', 2);
      assert.deepEqual(got, ['forwarded over mutual TLS', 'second line'], `rsyslogd: ${out}`);
      assert.deepEqual(await lines(s, 'default', '{app="via-rsyslog-tls"}'), []);
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
  });
});
