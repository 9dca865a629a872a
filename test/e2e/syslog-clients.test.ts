/**
 * Real syslog senders deliver to LogSentinel's syslog listener: util-linux `logger` over TCP and
 * UDP in RFC 5424 and RFC 3164 (newline and octet-counted framing), a private rsyslogd that
 * forwards with octet-counted RFC 5424 (`RSYSLOG_SyslogProtocol23Format`), and Node's TLS client
 * against the RFC 5425 listener with a certificate made by `openssl` here. Each sends known
 * entries and reads them back through LogQL, comparing line, timestamp, level, labels and
 * structured metadata. A missing tool skips its test with the reason, and fails it in CI.
 */
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, removeDir, freePort, type ServerHandle } from './harness.js';

const run = promisify(execFile);
const LOGGER = '/usr/bin/logger';
const RSYSLOGD = '/usr/sbin/rsyslogd';
const OPENSSL = '/usr/bin/openssl';
const TENANT = 'syslog-e2e';
const HOST = hostname();

interface Entry {
  ts: bigint;
  line: string;
  labels: Record<string, string>;
  metadata: Record<string, string>;
}

/** Skips (or, in CI, fails) when a tool is not installed. Returns whether the test may go on. */
function need(t: TestContext, tool: string): boolean {
  if (existsSync(tool)) return true;
  if (process.env.CI === 'true') assert.fail(`${tool} is required in CI`);
  t.skip(`${tool} is not installed`);
  return false;
}

async function query(s: ServerHandle, q: string): Promise<Entry[]> {
  const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: q, since: '1h', limit: '1000', direction: 'forward' }), {
    headers: { 'X-Scope-OrgID': TENANT, 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
  });
  assert.equal(r.status, 200, await r.clone().text());
  const body = (await r.json()) as { data: { result: Array<{ stream: Record<string, string>; values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]> }> } };
  return body.data.result
    .flatMap((x) => x.values.map((v) => ({ ts: BigInt(v[0]), line: v[1], labels: x.stream, metadata: v[2]?.structuredMetadata ?? {} })))
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

async function waitFor(s: ServerHandle, q: string, n: number): Promise<Entry[]> {
  for (let i = 0; i < 100; i++) {
    const res = await query(s, q);
    if (res.length >= n) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
  return query(s, q);
}

// Date.now() has whole milliseconds; the senders stamp microseconds, so bounds are widened by 1 ms.
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

/**
 * The level LogSentinel detected is offered as structured metadata `level`, and as Loki 3's
 * `detected_level` (which takes a `severity` field as sent, else that level); split both off.
 */
function level(e: Entry): { level: string; metadata: Record<string, string> } {
  const { level: l, detected_level: detected, ...metadata } = e.metadata;
  const lv = l ?? e.labels.level ?? 'unknown';
  assert.equal(detected, metadata.severity ?? lv, `detected_level of ${JSON.stringify(e.line)}`);
  return { level: lv, metadata };
}

describe('real syslog senders', () => {
  let s: ServerHandle;
  let syslogPort: number;
  let tlsPort = 0;
  let dir: string;
  let cert = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ls-syslog-e2e-'));
    syslogPort = await freePort();
    const env: Record<string, string> = { LOGSENTINEL_SYSLOG_PORT: String(syslogPort), LOGSENTINEL_SYSLOG_HOST: '127.0.0.1', LOGSENTINEL_SYSLOG_TENANT: TENANT };
    if (existsSync(OPENSSL)) {
      const key = join(dir, 'key.pem');
      const crt = join(dir, 'cert.pem');
      await run(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
      cert = readFileSync(crt, 'utf8');
      tlsPort = await freePort();
      Object.assign(env, { LOGSENTINEL_SYSLOG_TLS_PORT: String(tlsPort), LOGSENTINEL_SYSLOG_TLS_CERT_FILE: crt, LOGSENTINEL_SYSLOG_TLS_KEY_FILE: key });
    }
    s = await startServer({ env });
  });

  after(async () => {
    await s?.stop();
    if (s) removeDir(s.dataDir);
    removeDir(dir);
  });

  const cases = [
    { transport: 'tcp', format: 'rfc5424', args: [] },
    { transport: 'tcp', format: 'rfc5424', args: ['--octet-count'] },
    { transport: 'udp', format: 'rfc5424', args: [] },
    { transport: 'tcp', format: 'rfc3164', args: [] },
    { transport: 'udp', format: 'rfc3164', args: [] },
  ];
  for (const c of cases) {
    it(`util-linux logger over ${c.transport.toUpperCase()}, ${c.format.toUpperCase()}${c.args.length ? ' ' + c.args.join(' ') : ''}`, async (t) => {
      if (!need(t, LOGGER)) return;
      const app = `logger-${c.transport}-${c.format}${c.args.length ? '-oc' : ''}`;
      const base = [`--${c.transport}`, `--${c.format}`, ...c.args, '--server', '127.0.0.1', '--port', String(syslogPort), '-t', app, '--id=4242'];
      const is5424 = c.format === 'rfc5424';
      const sd = is5424 ? ['--msgid', 'ID47', '--sd-id', 'order@32473', '--sd-param', 'id="17"', '--sd-param', 'note="a \\"quoted\\" \\]"'] : [];
      const from = nowNs() - 1_000_000_000n; // RFC 3164 has whole seconds
      await run(LOGGER, [...base, '-p', 'local3.warning', ...sd, 'disk almost full']);
      await run(LOGGER, [...base, '-p', 'auth.err', 'login failed for root']);
      await run(LOGGER, [...base, '-p', 'daemon.emerg', 'kernel on fire']);
      await run(LOGGER, [...base, '-p', 'user.debug', 'cache warmed ünïcödé']);
      const to = nowNs() + 1_000_000n;
      const got = await waitFor(s, `{app="${app}"}`, 4);
      assert.equal(got.length, 4, show(got));
      const want = [
        { line: 'disk almost full', level: 'warn', facility: 'local3', severity: 'warning', extra: is5424 ? { msgid: 'ID47', sd_order_32473_id: '17', sd_order_32473_note: 'a "quoted" ]' } : {} },
        { line: 'login failed for root', level: 'error', facility: 'auth', severity: 'err', extra: {} },
        { line: 'kernel on fire', level: 'critical', facility: 'daemon', severity: 'emerg', extra: {} },
        { line: 'cache warmed ünïcödé', level: 'debug', facility: 'user', severity: 'debug', extra: {} },
      ];
      for (let i = 0; i < 4; i++) {
        const e = got[i];
        const { level: lv, metadata } = level(e);
        assert.equal(e.line, want[i].line);
        assert.equal(lv, want[i].level, e.line);
        // logger sends the hostname up to its first dot in RFC 3164, the whole one in RFC 5424
        assert.deepEqual(e.labels, { app, host: is5424 ? HOST : HOST.split('.')[0] });
        // logger stamps its own time: microseconds in RFC 5424, whole seconds in RFC 3164. Entries
        // of one stream with the same timestamp are moved 1 ns apart, so at most i ns are added.
        assert.ok(e.ts >= from && e.ts <= to, `${e.ts} not within [${from}, ${to}]`);
        assert.ok(e.ts % (is5424 ? 1000n : 1_000_000_000n) <= BigInt(i), `timestamp precision of ${e.ts}`);
        // logger adds [timeQuality ...] to RFC 5424 messages; its isSynced depends on this machine's clock
        const { sd_timeQuality_tzKnown: tz, sd_timeQuality_isSynced: synced, sd_timeQuality_syncAccuracy: _acc, ...rest } = metadata;
        if (is5424) {
          assert.equal(tz, '1');
          assert.match(synced ?? '', /^[01]$/);
        }
        assert.deepEqual(rest, { facility: want[i].facility, severity: want[i].severity, procid: '4242', ...want[i].extra }, e.line);
      }
      // the level is a filterable column
      const errors = await query(s, `{app="${app}", level="error"}`);
      assert.deepEqual(errors.map((e) => e.line), ['login failed for root']);
      const bySd = await query(s, `{app="${app}"} | facility="auth"`);
      assert.deepEqual(bySd.map((e) => e.line), ['login failed for root']);
    });
  }

  it('rsyslogd forwarding over TCP, octet-counted RFC 5424 (RSYSLOG_SyslogProtocol23Format)', async (t) => {
    if (!need(t, RSYSLOGD) || !need(t, LOGGER)) return;
    const work = mkdtempSync(join(dir, 'rsyslog-'));
    const inPort = await freePort();
    const conf = join(work, 'rsyslog.conf');
    writeFileSync(
      conf,
      [
        `global(workDirectory="${work}")`,
        'module(load="imtcp")',
        `input(type="imtcp" address="127.0.0.1" port="${inPort}")`,
        `action(type="omfwd" target="127.0.0.1" port="${syslogPort}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
        '',
      ].join('\n'),
    );
    let out = '';
    const proc: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(work, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    try {
      // wait until rsyslogd accepts connections
      for (let i = 0; ; i++) {
        const ok = await new Promise<boolean>((r) => {
          const c = netConnect(inPort, '127.0.0.1', () => (c.end(), r(true)));
          c.on('error', () => r(false));
        });
        if (ok) break;
        if (i > 100 || proc.exitCode !== null) assert.fail(`rsyslogd did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const app = 'via-rsyslog';
      const base = ['--tcp', '--rfc5424', '--octet-count', '--server', '127.0.0.1', '--port', String(inPort), '-t', app, '--id=777'];
      const from = nowNs();
      await run(LOGGER, [...base, '-p', 'mail.notice', '--msgid', 'M1', '--sd-id', 'relay@32473', '--sd-param', 'hop="1"', 'queued message 1']);
      await run(LOGGER, [...base, '-p', 'local7.crit', 'relay down']);
      const to = nowNs() + 1_000_000n;
      const got = await waitFor(s, `{app="${app}"}`, 2);
      assert.equal(got.length, 2, `${show(got)}\nrsyslogd: ${out}`);
      const want = [
        { line: 'queued message 1', level: 'info', md: { facility: 'mail', severity: 'notice', procid: '777', msgid: 'M1', sd_relay_32473_hop: '1' } },
        { line: 'relay down', level: 'critical', md: { facility: 'local7', severity: 'crit', procid: '777' } },
      ];
      for (let i = 0; i < 2; i++) {
        const e = got[i];
        const { level: lv, metadata } = level(e);
        assert.equal(e.line, want[i].line);
        assert.equal(lv, want[i].level);
        assert.deepEqual(e.labels, { app, host: HOST });
        assert.ok(e.ts >= from - 1_000_000n && e.ts <= to, `${e.ts} not within [${from}, ${to}]`);
        const { sd_timeQuality_tzKnown: _tz, sd_timeQuality_isSynced: _s, sd_timeQuality_syncAccuracy: _a, ...rest } = metadata;
        assert.deepEqual(rest, want[i].md);
      }
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
  });

  it('TLS (RFC 5425, octet counting) with a self-signed certificate', async (t) => {
    if (!need(t, OPENSSL)) return;
    // Timestamps a minute ago: RFC 5424 in UTC with microseconds, BSD in the server's local time.
    const base = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const baseNs = BigInt(base.getTime()) * 1_000_000n;
    const iso = (d: Date, frac: string): string => d.toISOString().slice(0, 19) + frac + 'Z';
    const bsd = new Date(base.getTime() + 2000);
    const two = (n: number): string => String(n).padStart(2, '0');
    const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][bsd.getMonth()];
    const bsdText = `${month} ${String(bsd.getDate()).padStart(2, ' ')} ${two(bsd.getHours())}:${two(bsd.getMinutes())}:${two(bsd.getSeconds())}`;
    const msgs = [
      `<38>1 ${iso(base, '.123456')} tls-host tls-app 99 LOGIN [meta@1 user="alice"] \uFEFFaccepted password for alice`,
      `<11>1 ${iso(new Date(base.getTime() + 1000), '')} tls-host tls-app - - - disk error on sda`,
      `<13>${bsdText} tls-host tls-app[5]: bsd over tls`,
    ];
    await new Promise<void>((resolve, reject) => {
      const c = tlsConnect({ host: '127.0.0.1', port: tlsPort, ca: cert, servername: 'localhost' }, () => {
        for (const m of msgs) c.write(`${Buffer.byteLength(m)} ${m}`);
        c.end();
      });
      c.on('error', reject);
      c.on('close', () => resolve());
    });
    const got = await waitFor(s, '{app="tls-app"}', 3);
    const rows = got.map((e) => ({ ts: e.ts, line: e.line, labels: e.labels, ...level(e) }));
    assert.deepEqual(rows.sort((a, b) => a.line.localeCompare(b.line)), [
      { ts: baseNs + 123_456_000n, line: 'accepted password for alice', labels: { app: 'tls-app', host: 'tls-host' }, level: 'info', metadata: { facility: 'auth', severity: 'info', procid: '99', msgid: 'LOGIN', sd_meta_1_user: 'alice' } },
      { ts: baseNs + 2_000_000_000n, line: 'bsd over tls', labels: { app: 'tls-app', host: 'tls-host' }, level: 'info', metadata: { facility: 'user', severity: 'notice', procid: '5' } },
      { ts: baseNs + 1_000_000_000n, line: 'disk error on sda', labels: { app: 'tls-app', host: 'tls-host' }, level: 'error', metadata: { facility: 'user', severity: 'err' } },
    ]);
  });

  it('malformed and oversized messages are kept as raw lines and counted', async () => {
    const head = `<14>1 ${new Date(Date.now() - 30_000).toISOString()} big big-app - - - `;
    const long = head + 'z'.repeat(70 * 1024);
    await new Promise<void>((resolve, reject) => {
      const c = netConnect(syslogPort, '127.0.0.1', () => c.end('this is not syslog: FATAL oops\n<34>1 2026-99-99T00:00:00Z h a - - - bad time\n' + long + '\n'));
      c.on('error', reject);
      c.on('close', () => resolve());
    });
    const unknown = await waitFor(s, '{app="unknown"}', 2);
    const rows = unknown.map((e) => ({ line: e.line, labels: e.labels, ...level(e) })).sort((a, b) => a.line.localeCompare(b.line));
    assert.deepEqual(rows, [
      { line: '<34>1 2026-99-99T00:00:00Z h a - - - bad time', labels: { app: 'unknown', host: '127.0.0.1' }, level: 'critical', metadata: { facility: 'auth', severity: 'crit', syslog_error: 'invalid RFC 5424 TIMESTAMP: cannot parse timestamp "2026-99-99T00:00:00Z": month out of range' } },
      { line: 'this is not syslog: FATAL oops', labels: { app: 'unknown', host: '127.0.0.1' }, level: 'critical', metadata: { syslog_error: 'missing or invalid PRI' } },
    ]);
    const big = await waitFor(s, '{app="big-app"}', 1);
    assert.equal(big.length, 1);
    assert.equal(Buffer.byteLength(big[0].line) + head.length, 64 * 1024);
    assert.equal(level(big[0]).metadata.syslog_error, 'message cut to the size limit');
    const metrics = await (await fetch(s.url + '/metrics')).text();
    assert.match(metrics, /syslog_malformed_messages_total\{transport="tcp",reason="unparsable"\} 2/);
    assert.match(metrics, /syslog_malformed_messages_total\{transport="tcp",reason="too_long"\} 1/);
    assert.match(metrics, new RegExp(`logs_received_total\\{tenant="${TENANT}",protocol="syslog"\\} \\d+`));
  });
});
