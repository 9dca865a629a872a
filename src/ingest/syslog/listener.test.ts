import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Queue, BatchHandler } from '../../queue/queue.js';
import type { WriteBatch } from '../../model/entry.js';
import { LogSentinelError } from '../../errors.js';
import { createMetrics, type Metrics } from '../../telemetry/metrics.js';
import { DEFAULT_INGEST_LIMITS } from '../common/limits.js';
import { freePort } from '../../testing/free-port.js';
import { opensslUnavailable, TestPki, type CertFiles } from '../../testing/certs.js';
import { connect as tlsConnect } from 'node:tls';
import { TenantLimiter } from '../../limits/index.js';
import { startSyslogListener, type SyslogListener, type SyslogListenerOptions } from './listener.js';

/** A queue that records batches; `refuse` rejects the next appends, `gate` holds them. */
class FakeQueue implements Queue {
  readonly name = 'fake';
  batches: WriteBatch[] = [];
  refuse = 0;
  gate: Promise<void> | undefined;
  appends = 0;
  private n = 0;
  async append(batch: WriteBatch): Promise<void> {
    this.appends++;
    if (this.gate) await this.gate;
    if (this.refuse > 0) {
      this.refuse--;
      throw new LogSentinelError('QUEUE_FULL', 'cannot accept push: full', { retryAfter: 1 });
    }
    this.batches.push(batch);
    for (const st of batch.streams) this.n += st.entries.length;
  }
  consume(_h: BatchHandler): void {}
  depth(): number {
    return 0;
  }
  async close(): Promise<void> {}
  entries(): Array<{ labels: Record<string, string>; ts: bigint; line: string; level: string; metadata?: Record<string, string> }> {
    return this.batches.flatMap((b) => b.streams.flatMap((s) => s.entries.map((e) => ({ labels: s.labels, ts: e.ts, line: e.line, level: e.level, metadata: e.metadata }))));
  }
  count(): number {
    return this.n;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');
/** A BSD timestamp (server local time) `secondsAgo` before now, and its value in ns. */
function bsdAgo(secondsAgo: number): { text: string; ns: bigint } {
  const d = new Date(Math.floor(Date.now() / 1000) * 1000 - secondsAgo * 1000);
  const text = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return { text, ns: BigInt(d.getTime()) * 1_000_000n };
}

interface Env {
  q: FakeQueue;
  m: Metrics;
  l: SyslogListener;
}

async function start(opts: Partial<SyslogListenerOptions> = {}): Promise<Env> {
  const q = new FakeQueue();
  const m = createMetrics();
  const port = opts.port ?? (await freePort());
  const l = await startSyslogListener({
    port,
    host: '127.0.0.1',
    tlsPort: 0,
    tlsCertFile: '',
    tlsKeyFile: '',
    tenant: 'sys',
    maxMessageBytes: 1024,
    queue: q,
    limits: DEFAULT_INGEST_LIMITS,
    metrics: m,
    logger: pino({ level: 'silent' }),
    batch: { delayMs: 2 },
    ...opts,
  });
  return { q, m, l };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function counter(m: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = m.registry.getSingleMetric(name);
  if (!metric) return 0;
  const v = (await metric.get()).values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

function tcpSend(port: number, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(data));
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

function udpSend(port: number, msgs: Array<string | Buffer>): Promise<void> {
  const u = createSocket('udp4');
  return new Promise((resolve, reject) => {
    let left = msgs.length;
    for (const m of msgs) {
      u.send(m, port, '127.0.0.1', (err) => {
        if (err) reject(err);
        if (--left === 0) u.close(() => resolve());
      });
    }
  });
}

test('TCP: messages of both formats and framings become entries; malformed and oversized ones are kept and counted', async () => {
  const { q, m, l } = await start({ maxMessageBytes: 200 });
  try {
    const big = '<13>1 2020-01-01T00:00:00Z h big - - - ' + 'x'.repeat(300);
    const stamp = bsdAgo(60);
    const bsd = `<35>${stamp.text} vm myapp[8759]: ERROR-free text`;
    await tcpSend(l.tcpPort,
      '<34>1 2003-10-11T22:14:15.003Z mymachine su 77 ID47 [ex@1 k="v"] \uFEFFfailed\n' +
      `${Buffer.byteLength(bsd)} ${bsd}` +
      'not syslog at all: ERROR here\r\n' +
      big + '\n');
    await until(() => q.count() === 4, '4 entries');
    const got = q.entries();
    assert.deepEqual(got[0], {
      labels: { app: 'su', host: 'mymachine' }, ts: 1065910455003000000n, line: 'failed', level: 'critical',
      metadata: { facility: 'auth', severity: 'crit', procid: '77', msgid: 'ID47', sd_ex_1_k: 'v' },
    });
    assert.equal(got[1].line, 'ERROR-free text');
    assert.equal(got[1].ts, stamp.ns);
    assert.equal(got[1].level, 'error');
    assert.deepEqual(got[1].labels, { app: 'myapp', host: 'vm' });
    assert.deepEqual(got[1].metadata, { facility: 'auth', severity: 'err', procid: '8759' });
    // no PRI: raw line, sender's address as host, level detected from the line
    assert.deepEqual(got[2].labels, { app: 'unknown', host: '127.0.0.1' });
    assert.equal(got[2].line, 'not syslog at all: ERROR here');
    assert.equal(got[2].level, 'error');
    assert.deepEqual(got[2].metadata, { syslog_error: 'missing or invalid PRI' });
    // cut to 200 bytes, still parsed
    assert.equal(got[3].line, 'x'.repeat(200 - '<13>1 2020-01-01T00:00:00Z h big - - - '.length));
    assert.deepEqual(got[3].metadata, { facility: 'user', severity: 'notice', syslog_error: 'message cut to the size limit' });
    assert.equal(await counter(m, 'syslog_malformed_messages_total', { transport: 'tcp', reason: 'unparsable' }), 1);
    assert.equal(await counter(m, 'syslog_malformed_messages_total', { transport: 'tcp', reason: 'too_long' }), 1);
    assert.equal(await counter(m, 'logs_received_total', { tenant: 'sys', protocol: 'syslog' }), 4);
    assert.ok((await counter(m, 'logs_received_bytes_total', { protocol: 'syslog' })) > 300);
    assert.ok(q.batches.every((b) => b.tenant === 'sys'));
  } finally {
    await l.stop();
  }
});

test('UDP: one message per datagram, trailing newline dropped, oversized cut', async () => {
  const { q, m, l } = await start({ maxMessageBytes: 64 });
  try {
    assert.equal(l.udpPort, l.tcpPort);
    await udpSend(l.udpPort, [`<13>${bsdAgo(5).text} host app: one\n`, '<13>1 - - - - - - two', '<13>long ' + 'y'.repeat(100), 'garbage']);
    await until(() => q.count() === 4, '4 entries');
    const byLine = new Map(q.entries().map((e) => [e.line.slice(0, 12), e]));
    assert.deepEqual(byLine.get('one')?.labels, { app: 'app', host: 'host' });
    assert.deepEqual(byLine.get('two')?.labels, { host: '127.0.0.1' });
    assert.equal(byLine.get('long ' + 'y'.repeat(7))?.line.length, 60);
    assert.equal(byLine.get('garbage')?.labels.app, 'unknown');
    assert.equal(await counter(m, 'syslog_malformed_messages_total', { transport: 'udp', reason: 'too_long' }), 1);
    assert.equal(await counter(m, 'syslog_malformed_messages_total', { transport: 'udp', reason: 'unparsable' }), 1);
  } finally {
    await l.stop();
  }
});

test('TCP: while the queue holds appends, reading stops (the sender buffers); nothing is lost', async () => {
  const { q, l } = await start({ batch: { delayMs: 1, maxEntries: 500 } });
  let open!: () => void;
  q.gate = new Promise((r) => (open = r));
  const s: Socket = connect(l.tcpPort, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  const n = 200_000;
  const line = (i: number): string => `<14>1 - h a - - - message number ${i} ${'p'.repeat(60)}\n`;
  let i = 0;
  // write until the kernel buffers are full and the socket itself starts buffering
  while (i < n && s.writableLength < 4 * 1024 * 1024) s.write(line(i++));
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(s.writableLength > 0, 'the server should have stopped reading');
  assert.ok(q.appends <= 2, `appends while held: ${q.appends}`);
  open();
  q.gate = undefined;
  while (i < n) s.write(line(i++));
  s.end();
  await until(() => q.count() === n, `${n} entries`, 30_000);
  const lines = q.entries().map((e) => e.line);
  assert.equal(lines[0], `message number 0 ${'p'.repeat(60)}`);
  assert.equal(lines[n - 1], `message number ${n - 1} ${'p'.repeat(60)}`);
  await l.stop();
});

test('TCP: many connections at once against a slow queue: every message arrives, in order per connection', async () => {
  const { q, l } = await start({ batch: { delayMs: 1, maxEntries: 200 } });
  const slow = q.append.bind(q);
  q.append = async (b) => {
    await new Promise((r) => setTimeout(r, 3));
    return slow(b);
  };
  try {
    const conns = 40;
    const per = 2500;
    await Promise.all(
      Array.from({ length: conns }, (_, c) => {
        let data = '';
        for (let i = 0; i < per; i++) data += i % 2 === 0 ? `<13>1 - h c${c} - - - ${i}\n` : `${`<13>1 - h c${c} - - - ${i}`.length} <13>1 - h c${c} - - - ${i}`;
        return tcpSend(l.tcpPort, data);
      }),
    );
    await until(() => q.count() === conns * per, `${conns * per} entries`, 30_000);
    const byApp = new Map<string, number[]>();
    for (const e of q.entries()) {
      const list = byApp.get(e.labels.app) ?? [];
      list.push(Number(e.line));
      byApp.set(e.labels.app, list);
    }
    assert.equal(byApp.size, conns);
    for (const [app, list] of byApp) assert.deepEqual(list, Array.from({ length: per }, (_, i) => i), app);
  } finally {
    await l.stop();
  }
});

test('QUEUE_FULL: TCP retries until accepted, UDP drops and counts', async () => {
  const { q, m, l } = await start();
  try {
    q.refuse = 3;
    await tcpSend(l.tcpPort, '<13>1 - h a - - - kept\n');
    await until(() => q.count() === 1, 'the TCP entry');
    assert.equal(q.appends, 4);
    q.refuse = 1;
    await udpSend(l.udpPort, ['<13>1 - h a - - - dropped']);
    await until(() => q.appends === 5, 'the UDP append');
    await until(() => q.refuse === 0, 'refusal');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(q.count(), 1);
    assert.equal(await counter(m, 'logs_rejected_total', { tenant: 'sys', protocol: 'syslog', reason: 'queue_full' }), 1);
  } finally {
    await l.stop();
  }
});

test('stop() keeps what connections sent, unfinished messages included, and flushes it', async () => {
  const { q, l } = await start({ batch: { delayMs: 60_000 } });
  const s = connect(l.tcpPort, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.write('<13>1 - h a - - - complete\n<13>1 - h a - - - unfinish');
  await until(() => l.connections() === 1, 'the connection');
  await new Promise((r) => setTimeout(r, 50));
  const closed = new Promise((r) => s.once('close', r));
  s.on('error', () => undefined);
  await l.stop();
  await closed;
  assert.deepEqual(q.entries().map((e) => e.line), ['complete', 'unfinish']);
});

test('limits: connection cap, idle timeout', async () => {
  const { l } = await start({ maxConnections: 2, idleTimeoutMs: 300 });
  try {
    const socks: Socket[] = [];
    const closed: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const s = connect(l.tcpPort, '127.0.0.1');
      s.on('error', () => undefined);
      const k = i;
      closed.push(false);
      s.on('close', () => (closed[k] = true));
      await new Promise((r) => s.once('connect', r));
      socks.push(s);
      await until(() => l.connections() === Math.min(i + 1, 2), 'connections');
    }
    await until(() => closed[2], 'the third connection to be refused');
    assert.deepEqual(closed, [false, false, true]);
    await until(() => closed[0] && closed[1], 'idle connections to be closed', 3000);
    assert.equal(l.connections(), 0);
  } finally {
    await l.stop();
  }
});

test('entries refused by ingest limits: a refused timestamp becomes the time received, refused metadata keeps the message raw', async () => {
  const { q, m, l } = await start({ limits: { ...DEFAULT_INGEST_LIMITS, maxStructuredMetadataEntries: 3 } });
  try {
    const before = BigInt(Date.now()) * 1_000_000n;
    const many = '<13>1 2020-01-01T00:00:00Z h b - - [x a="1" b="2"] too much metadata';
    await tcpSend(l.tcpPort, '<11>1 2099-01-01T00:00:00Z h a - - - from the future\n' + many + '\n');
    await until(() => q.count() === 2, '2 entries');
    const [f, r] = q.entries();
    assert.deepEqual({ ...f, ts: undefined }, {
      labels: { app: 'a', host: 'h' }, ts: undefined, line: 'from the future', level: 'error',
      metadata: { facility: 'user', severity: 'err', syslog_error: 'timestamp 2099-01-01T00:00:00Z refused by ingest limits; stamped with the time received' },
    });
    assert.ok(f.ts >= before && f.ts <= BigInt(Date.now()) * 1_000_000n);
    assert.deepEqual({ ...r, ts: undefined }, {
      labels: { app: 'unknown', host: 'h' }, ts: undefined, line: many, level: 'info',
      metadata: { facility: 'user', severity: 'notice', syslog_error: 'refused by ingest limits as parsed (timestamp, labels or metadata); kept raw' },
    });
    assert.equal(await counter(m, 'syslog_malformed_messages_total', { transport: 'tcp', reason: 'timestamp' }), 1);
    assert.equal(await counter(m, 'syslog_malformed_messages_total', { transport: 'tcp', reason: 'unparsable' }), 1);
  } finally {
    await l.stop();
  }
});

test('identical lines with the same timestamp stay distinct entries, 1 ns apart', async () => {
  const { q, l } = await start();
  try {
    const stamp = bsdAgo(30);
    const same = `<13>${stamp.text} h t: same\n`;
    await tcpSend(l.tcpPort, same + same + same);
    await until(() => q.count() === 3, '3 entries');
    const ts = q.entries().map((e) => e.ts - stamp.ns);
    assert.deepEqual(ts, [0n, 1n, 2n]);
  } finally {
    await l.stop();
  }
});

test('start fails clearly: TLS files missing, port taken', async () => {
  const base = { port: 0, tlsPort: await freePort() };
  await assert.rejects(start({ ...base }), /cannot start the syslog TLS listener: syslog.tlsCertFile is not set/);
  await assert.rejects(start({ ...base, tlsCertFile: '/nonexistent/cert.pem', tlsKeyFile: '/nonexistent/key.pem' }), /cannot read syslog.tlsCertFile "\/nonexistent\/cert.pem": ENOENT/);
  const junk = join(mkdtempSync(join(tmpdir(), 'ls-syslog-')), 'junk.pem');
  writeFileSync(junk, 'not a certificate');
  await assert.rejects(start({ ...base, tlsCertFile: junk, tlsKeyFile: junk }), /cannot start the syslog TLS listener: cannot use .*junk.pem/);
  await assert.rejects(start({ tenant: 'a|b' }), /syslog.tenant "a\|b" is not a valid tenant id/);
  const { l } = await start();
  try {
    await assert.rejects(start({ port: l.tcpPort }), /cannot start the syslog listener: cannot listen on tcp 127.0.0.1:\d+: .*EADDRINUSE/);
  } finally {
    await l.stop();
  }
});

// ---- syslog over TLS with client certificates --------------------------------------------------

/** Sends over TLS; resolves with how the connection ended (`sent` when the server read it all). */
function tlsSend(port: number, ca: Buffer, data: string, client?: CertFiles): Promise<'sent' | string> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...(client ? { cert: client.cert, key: client.key } : {}) }, () => {
      s.end(data);
    });
    let err = '';
    s.on('error', (e: NodeJS.ErrnoException) => (err ||= e.code ?? e.message));
    s.on('close', () => resolve(err === '' ? 'sent' : err));
    s.resume();
  });
}

test('TLS with client certificates: mapped certificates write to their tenant, others are refused and counted', { skip: opensslUnavailable() }, async () => {
  const pki = new TestPki();
  const rogue = new TestPki('Rogue CA');
  const server = pki.issue('server', { cn: 'localhost', san: ['DNS:localhost', 'IP:127.0.0.1'] });
  const web = pki.issue('web', { cn: 'web-01', usage: 'client' });
  const db = pki.issue('db', { cn: 'db-7', san: ['DNS:db.example.com'], usage: 'client' });
  const stranger = pki.issue('stranger', { cn: 'stranger', usage: 'client' });
  const forged = rogue.issue('forged', { cn: 'web-01', usage: 'client' });
  const base = { port: 0, tlsPort: await freePort(), tlsCertFile: server.certFile, tlsKeyFile: server.keyFile, tlsClientCaFile: pki.ca.certFile, tlsClientTenants: ['web-01=web', 'db.example.com=db'] };
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
  const { q, m, l } = await start({ ...base, logger });
  try {
    const msg = (app: string): string => `<14>1 2024-01-01T00:00:00Z h ${app} - - - hello from ${app}\n`;
    assert.equal(await tlsSend(l.tlsPort, pki.ca.cert, msg('web'), web), 'sent');
    assert.equal(await tlsSend(l.tlsPort, pki.ca.cert, msg('db'), db), 'sent');
    assert.equal(await tlsSend(l.tlsPort, pki.ca.cert, msg('anon')), 'sent'); // not required: no certificate → syslog.tenant
    await until(() => q.count() === 3, 'three entries');
    const byTenant = Object.fromEntries(q.batches.map((b) => [b.streams[0].labels.app, b.tenant]));
    assert.deepEqual(byTenant, { web: 'web', db: 'db', anon: 'sys' });

    // refused after the handshake: the server closes before reading anything
    for (const c of [stranger, forged]) await tlsSend(l.tlsPort, pki.ca.cert, msg('refused'), c);
    await until(() => lines.length >= 2, 'refusals logged');
    assert.equal(await counter(m, 'syslog_tls_connections_refused_total', { reason: 'unknown_client' }), 1);
    assert.equal(await counter(m, 'syslog_tls_connections_refused_total', { reason: 'untrusted_certificate' }), 1);
    // bounded logging: one line per reason and minute, however many refusals
    for (let i = 0; i < 5; i++) await tlsSend(l.tlsPort, pki.ca.cert, msg('refused'), stranger);
    assert.equal(await counter(m, 'syslog_tls_connections_refused_total', { reason: 'unknown_client' }), 6);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(lines.filter((x) => x.includes('"reason":"unknown_client"')).length, 1);
    assert.match(lines.find((x) => x.includes('unknown_client'))!, /no syslog\.tlsClientTenants entry for stranger/);
    assert.equal(q.entries().filter((e) => e.line.includes('refused')).length, 0);
  } finally {
    await l.stop();
  }

  // required: a client without a certificate fails the handshake
  const req = await start({ ...base, tlsPort: await freePort(), tlsRequireClientCert: true });
  try {
    const got = await tlsSend(req.l.tlsPort, pki.ca.cert, '<14>1 - h nocert - - - x\n');
    assert.notEqual(got, 'sent');
    for (let i = 0; i < 50 && (await counter(req.m, 'syslog_tls_connections_refused_total', { reason: 'no_certificate' })) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await counter(req.m, 'syslog_tls_connections_refused_total', { reason: 'no_certificate' }), 1);
    assert.equal(await tlsSend(req.l.tlsPort, pki.ca.cert, '<14>1 - h withcert - - - x\n', web), 'sent');
    await until(() => req.q.count() === 1, 'the certified entry');
    assert.equal(req.q.batches[0].tenant, 'web');
  } finally {
    await req.l.stop();
    pki.remove();
    rogue.remove();
  }
});

test('TLS client certificate options without a client CA are refused at start', async () => {
  await assert.rejects(start({ port: 0, tlsPort: await freePort(), tlsCertFile: '/x', tlsKeyFile: '/y', tlsRequireClientCert: true }), /syslog\.tlsRequireClientCert and syslog\.tlsClientTenants need syslog\.tlsClientCaFile/);
  await assert.rejects(start({ tlsClientTenants: ['web'] }), /expected <certificate name>=<tenant>/);
});

test('per-tenant limits: over the rate UDP drops and counts, TCP waits for the rate; streams over the limit are dropped and counted', async () => {
  const m = createMetrics();
  // 2000 bytes/s, burst 600 bytes; at most 2 active streams
  const tenantLimits = new TenantLimiter({
    defaults: { ingest: DEFAULT_INGEST_LIMITS, ingestionRateBytes: 2000, ingestionBurstBytes: 600, maxGlobalStreams: 2, maxQueryParallelism: 32 },
    streamIdleMs: 60_000,
    maxOutstandingPerTenant: 10,
    metrics: m,
  });
  const { q, l } = await start({ tenantLimits, metrics: m, batch: { delayMs: 2, maxEntries: 1 } });
  try {
    const msg = (app: string, i: number): string => `<14>1 2024-01-01T00:00:00Z h ${app} - - - ${'m'.repeat(200)} ${i}`;
    // UDP: the burst takes about two 200-byte messages; the rest of a quick flood is dropped
    await udpSend(l.udpPort, [0, 1, 2, 3, 4, 5].map((i) => msg('udp', i)));
    await until(() => q.count() >= 2, 'the first UDP messages');
    await new Promise((r) => setTimeout(r, 100));
    const udpRejected = await counter(m, 'logs_rejected_total', { tenant: 'sys', protocol: 'syslog', reason: 'rate_limited' });
    assert.ok(udpRejected >= 1, `UDP messages dropped for the rate: ${udpRejected}`);
    assert.equal(q.count() + udpRejected, 6);
    // TCP: nothing is lost, the connection just waits for the rate
    const before = q.count();
    await tcpSend(l.tcpPort, [0, 1, 2, 3, 4].map((i) => msg('udp', i) + '\n').join(''));
    await until(() => q.count() === before + 5, 'every TCP message', 10_000);
    // a third stream is over the limit of 2 (udp, and now tcp2; tcp3 is refused)
    await tcpSend(l.tcpPort, msg('tcp2', 0) + '\n' + msg('tcp3', 0) + '\n');
    await until(() => q.entries().some((e) => e.labels.app === 'tcp2'), 'the admitted stream', 10_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await counter(m, 'logs_rejected_total', { tenant: 'sys', protocol: 'syslog', reason: 'stream_limit' }), 1);
    assert.deepEqual([...new Set(q.entries().map((e) => e.labels.app))].sort(), ['tcp2', 'udp']);
  } finally {
    await l.stop();
    tenantLimits.close();
  }
});
