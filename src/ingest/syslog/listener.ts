/**
 * The syslog listener (docs/ingest-syslog.md): TCP and UDP on `syslog.port`, TLS on
 * `syslog.tlsPort` (RFC 5425), each off when its port is 0. Messages in RFC 5424 or RFC 3164,
 * framed per RFC 6587 on TCP/TLS (framing.ts) and one per datagram on UDP (RFC 5426).
 *
 * Invariants
 * - Memory is bounded: a connection holds at most one message of `maxMessageBytes` (framing.ts);
 *   at most `maxConnections` stream connections are served (further ones are closed at once); batches are bounded (batcher.ts) and, while the queue cannot take more, every stream
 *   connection is paused (the senders buffer, as TCP syslog senders do), and UDP datagrams are
 *   dropped and counted.
 * - An idle connection is closed after `idleTimeoutMs` (not while we paused it ourselves).
 * - Tenants: plain TCP and UDP are trusted-network input, always `tenant`; a TLS connection's
 *   tenant follows its client certificate (client-tenants.ts), decided once after the handshake.
 *   Refused connections are closed, counted in `syslog_tls_connections_refused_total{reason}` and
 *   logged at most once a minute per reason. Each tenant has its own batcher (bounded: the
 *   mapped tenants plus `tenant`).
 * - `stop()`: stops listening, keeps what each connection already sent (an unfinished message
 *   included), closes the connections, then flushes the batches into the queue. The caller
 *   closes the queue after this resolves.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { Queue } from '../../queue/queue.js';
import type { Metrics } from '../../telemetry/metrics.js';
import type { Logger } from '../../telemetry/logger.js';
import type { IngestLimits } from '../common/limits.js';
import { SyslogFramer, cutUtf8 } from './framing.js';
import { SyslogBatcher, type SyslogTransport } from './batcher.js';
import { peerHost } from './entry.js';
import { isValidTenant } from '../../model/tenant.js';
import type { TenantLimiter } from '../../limits/index.js';
import { LogThrottle } from '../../telemetry/log-throttle.js';
import { decideClientTenant, handshakeRefusal, parseClientTenants, type ClientTenantPolicy, type RefusalReason } from './client-tenants.js';
import { reloadCertificates } from '../../config/certificates.js';

export interface SyslogListenerOptions {
  /** TCP and UDP port; 0 = off. */
  port: number;
  host: string;
  /** TLS port; 0 = off. */
  tlsPort: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  /** PEM CA of client certificates; '' = no client certificate is asked for. */
  tlsClientCaFile?: string;
  /** Refuse TLS clients without a certificate signed by `tlsClientCaFile`. */
  tlsRequireClientCert?: boolean;
  /** `<certificate name>=<tenant>` entries (client-tenants.ts). */
  tlsClientTenants?: string[];
  /** Re-read the TLS certificate and key (and CA) when they change, checking at least this often; 0 = never. */
  tlsReloadIntervalMs?: number;
  /** Tenant of TCP, UDP, and TLS connections that no certificate maps elsewhere. */
  tenant: string;
  maxMessageBytes: number;
  queue: Queue;
  limits: IngestLimits;
  /** Per-tenant limits; absent: `limits` for every tenant, no stream or rate limit. */
  tenantLimits?: TenantLimiter;
  metrics: Metrics;
  logger: Logger;
  /** Stream connections (TCP + TLS) served at once; default 1000. */
  maxConnections?: number;
  /** A connection sending nothing for this long is closed; default 10 minutes. */
  idleTimeoutMs?: number;
  /** Batching, see SyslogBatcher (tests use small values). */
  batch?: { maxEntries?: number; maxBytes?: number; delayMs?: number };
}

export interface SyslogListener {
  /** Ports actually bound (0 when off). */
  readonly tcpPort: number;
  readonly udpPort: number;
  readonly tlsPort: number;
  /** Open stream connections. */
  connections(): number;
  stop(): Promise<void>;
}

const UDP_RECV_BUFFER = 4 * 1024 * 1024;

function readPem(file: string, option: string): Buffer {
  if (file === '') throw new Error(`cannot start the syslog TLS listener: ${option} is not set`);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot start the syslog TLS listener: cannot read ${option} ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
  }
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`cannot start the syslog listener: cannot listen on ${what} ${host}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
}

function bindUdp(sock: UdpSocket, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`cannot start the syslog listener: cannot listen on udp ${host}:${port}: ${err.message}`));
    sock.once('error', onError);
    sock.bind(port, host, () => {
      sock.off('error', onError);
      resolve(sock.address().port);
    });
  });
}

/** Starts the listeners the options enable; rejects (having closed what it opened) when one cannot start. */
export async function startSyslogListener(o: SyslogListenerOptions): Promise<SyslogListener> {
  if (!isValidTenant(o.tenant)) throw new Error(`cannot start the syslog listener: syslog.tenant ${JSON.stringify(o.tenant)} is not a valid tenant id`);
  if (!(o.maxMessageBytes > 0)) throw new Error(`cannot start the syslog listener: syslog.maxMessageBytes must be positive, got ${o.maxMessageBytes}`);
  const maxConnections = o.maxConnections ?? 1000;
  const idleTimeoutMs = o.idleTimeoutMs ?? 600_000;
  const policy: ClientTenantPolicy = { verifyClients: (o.tlsClientCaFile ?? '') !== '', tenants: parseClientTenants(o.tlsClientTenants ?? []), defaultTenant: o.tenant };
  if (!policy.verifyClients && (o.tlsRequireClientCert || policy.tenants.size > 0)) {
    throw new Error('cannot start the syslog TLS listener: syslog.tlsRequireClientCert and syslog.tlsClientTenants need syslog.tlsClientCaFile (the CA that signs client certificates)');
  }
  const common = { queue: o.queue, limits: o.limits, tenantLimits: o.tenantLimits, metrics: o.metrics, logger: o.logger, ...o.batch };
  // One batcher per tenant for stream connections (the mapped tenants and `tenant`: bounded).
  const streamBatchers = new Map<string, SyslogBatcher>();
  const streamBatcher = (tenant: string): SyslogBatcher => {
    let b = streamBatchers.get(tenant);
    if (b === undefined) {
      b = new SyslogBatcher({ ...common, tenant, onFull: 'retry' });
      streamBatchers.set(tenant, b);
    }
    return b;
  };
  const udpBatcher = new SyslogBatcher({ ...common, tenant: o.tenant, onFull: 'drop' });
  const conns = new Map<Socket, () => void>();
  let stopping = false;
  let lastDropLog = 0;
  const refusalLog = new LogThrottle();
  const refuse = (reason: RefusalReason, detail: string, peer: string): void => {
    o.metrics.syslogTlsRefused.inc({ reason });
    const skipped = refusalLog.take(reason);
    if (skipped >= 0) o.logger.warn({ reason, peer, detail, similarRefusalsSkipped: skipped }, 'syslog TLS connection refused');
  };

  // One cap for TCP and TLS together.
  const onConnection = (transport: SyslogTransport) => (sock: Socket): void => {
    let tenant = o.tenant;
    if (transport === 'tls') {
      const d = decideClientTenant(sock as TLSSocket, policy);
      if ('refused' in d) {
        refuse(d.refused, d.detail, peerHost(sock.remoteAddress));
        sock.destroy();
        return;
      }
      tenant = d.tenant;
    }
    if (stopping || conns.size >= maxConnections) {
      sock.destroy();
      if (Date.now() - lastDropLog > 60_000) {
        lastDropLog = Date.now();
        o.logger.warn({ maxConnections }, 'syslog connection refused: too many connections');
      }
      return;
    }
    const framer = new SyslogFramer(o.maxMessageBytes);
    const peer = peerHost(sock.remoteAddress);
    const batcher = streamBatcher(tenant);
    const emit = (msg: Buffer, cut: boolean): void => void batcher.add(msg, cut, peer, transport);
    let paused = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      conns.delete(sock);
      framer.end(emit);
    };
    conns.set(sock, finish);
    sock.setTimeout(idleTimeoutMs, () => {
      // Quiet because we paused it: not idle; the timer is armed again.
      if (paused) sock.setTimeout(idleTimeoutMs);
      else sock.destroy();
    });
    sock.on('data', (chunk: Buffer) => {
      if (done) return;
      framer.push(chunk, emit);
      if (batcher.full && !paused) {
        paused = true;
        sock.pause();
        void batcher.whenRoom().then(() => {
          paused = false;
          if (!sock.destroyed && !stopping) sock.resume();
        });
      }
    });
    sock.on('error', (err) => o.logger.debug({ err, peer, transport }, 'syslog connection error'));
    sock.on('end', finish);
    sock.on('close', finish);
  };

  const servers: Server[] = [];
  let udp: UdpSocket | undefined;
  let tcpPort = 0;
  let udpPort = 0;
  let tlsPort = 0;
  const closeAll = async (): Promise<void> => {
    stopping = true;
    const closed = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    if (udp !== undefined) {
      const u = udp;
      await new Promise<void>((r) => u.close(() => r()));
    }
    for (const [sock, finish] of [...conns]) {
      finish();
      sock.destroy();
    }
    await Promise.all(closed);
    stopReload?.();
    await Promise.all([...[...streamBatchers.values()].map((b) => b.close()), udpBatcher.close()]);
  };
  let stopReload: (() => void) | undefined;

  try {
    if (o.tlsPort > 0) {
      const pair = { cert: readPem(o.tlsCertFile, 'syslog.tlsCertFile'), key: readPem(o.tlsKeyFile, 'syslog.tlsKeyFile') };
      const ca = policy.verifyClients ? readPem(o.tlsClientCaFile ?? '', 'syslog.tlsClientCaFile') : undefined;
      const opts: TlsOptions = { ...pair, handshakeTimeout: 10_000 };
      // Asked for when a client CA is set; refused in the handshake only when required (otherwise
      // decided after it: an untrusted certificate is still refused, none means `tenant`).
      if (ca !== undefined) Object.assign(opts, { ca, requestCert: true, rejectUnauthorized: o.tlsRequireClientCert === true });
      let tls: TlsServer;
      try {
        tls = createTlsServer(opts, onConnection('tls'));
      } catch (err) {
        throw new Error(`cannot start the syslog TLS listener: cannot use ${o.tlsCertFile} and ${o.tlsKeyFile}${ca ? ` with ${o.tlsClientCaFile}` : ''}: ${(err as Error).message}`, { cause: err });
      }
      tls.on('tlsClientError', (err, sock) => {
        // A certificate that fails verification when required: Node destroys the socket after the
        // handshake and reports a reset; the verification error is on the socket.
        const verifyError = (sock as TLSSocket).authorizationError as unknown as string | undefined;
        const reason = !policy.verifyClients ? 'handshake' : verifyError ? 'untrusted_certificate' : handshakeRefusal(err);
        if (policy.verifyClients) refuse(reason, verifyError ? `client certificate: ${verifyError}` : err.message, peerHost(sock.remoteAddress));
        else {
          o.metrics.syslogTlsRefused.inc({ reason });
          o.logger.debug({ err }, 'syslog TLS handshake failed');
        }
      });
      servers.push(tls);
      tlsPort = await listen(tls, o.tlsPort, o.host, 'tls');
      if ((o.tlsReloadIntervalMs ?? 0) > 0) {
        stopReload = reloadCertificates(tls, pair, {
          certFile: o.tlsCertFile,
          keyFile: o.tlsKeyFile,
          intervalMs: o.tlsReloadIntervalMs!,
          what: 'syslog TLS certificate',
          logger: o.logger,
          extra: ca === undefined ? undefined : { ca },
        });
      }
    }
    if (o.port > 0) {
      const tcp = createTcpServer(onConnection('tcp'));
      servers.push(tcp);
      tcpPort = await listen(tcp, o.port, o.host, 'tcp');
      const u = createSocket({ type: o.host.includes(':') ? 'udp6' : 'udp4' });
      udp = u;
      udpPort = await bindUdp(u, tcpPort, o.host);
      try {
        u.setRecvBufferSize(UDP_RECV_BUFFER);
      } catch {
        // the kernel caps it (net.core.rmem_max); the default buffer still works
      }
      u.on('error', (err) => o.logger.warn({ err }, 'syslog UDP socket error'));
      u.on('message', (msg, rinfo) => {
        const cut = msg.length > o.maxMessageBytes;
        udpBatcher.add(cut ? cutUtf8(msg.subarray(0, o.maxMessageBytes)) : msg, cut, peerHost(rinfo.address), 'udp');
      });
    }
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    tcpPort,
    udpPort,
    tlsPort,
    connections: () => conns.size,
    stop: () => (stopped ??= closeAll()),
  };
}
