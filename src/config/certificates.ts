/**
 * TLS certificate files of the listeners — HTTPS (`server.tls.certFile` / `server.tls.keyFile`)
 * and syslog over TLS (`syslog.tlsCertFile` / `syslog.tlsKeyFile`) — renewed in place: the files are watched (src/config/file-watch.ts) and a new pair is installed
 * with `setSecureContext`, so connections opened afterwards get it and open ones keep theirs —
 * no restart, no dropped request. A pair that does not load (unreadable, not PEM, a key that does
 * not match the certificate — as happens between writing the certificate and its key) is refused:
 * the previous pair stays and an error is logged, once per distinct broken pair.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { Config } from './load.js';
import type { Logger } from '../telemetry/logger.js';
import { watchFiles } from './file-watch.js';

export interface CertificatePair {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks a pair; throws `cannot load ...: <why>` naming the files (never their content). */
export function loadCertificatePair(certFile: string, keyFile: string, what: string): CertificatePair {
  const read = (file: string, option: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`cannot load ${what}: cannot read ${option} ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
  };
  const pair = { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new Error(`cannot load ${what} from ${certFile} and ${keyFile}: ${(err as Error).message}`, { cause: err });
  }
  return pair;
}

/** The HTTPS pair of `server.tls.*`, or undefined when TLS is off. */
export function httpsPair(cfg: Config): CertificatePair | undefined {
  const t = cfg.server.tls;
  if (t.certFile === '') return undefined;
  return loadCertificatePair(t.certFile, t.keyFile, 'the HTTPS certificate');
}

/** Subject and expiry of the leaf certificate, for logs. */
export function describeCertificate(cert: Buffer): { subject: string; validTo: string; fingerprint256: string } | undefined {
  try {
    const x = new X509Certificate(cert);
    return { subject: x.subject.replace(/\n/g, ', '), validTo: new Date(x.validTo).toISOString(), fingerprint256: x.fingerprint256 };
  } catch {
    return undefined;
  }
}

function digest(p: CertificatePair): string {
  return createHash('sha256').update(p.cert).update('\0').update(p.key).digest('hex');
}

export interface ReloadOptions {
  certFile: string;
  keyFile: string;
  intervalMs: number;
  what: string;
  logger: Logger;
  /** Context options besides the pair that the server was created with (`ca`): setSecureContext replaces them all. */
  extra?: SecureContextOptions;
  /** Called after a new pair was installed (tests, metrics). */
  onReload?: (pair: CertificatePair) => void;
}

/**
 * Keeps `server` serving the pair in the files: checks them on change and every `intervalMs`,
 * installs a changed pair that loads, logs and keeps the old one otherwise. Returns the stop function.
 */
export function reloadCertificates(server: Pick<TlsServer, 'setSecureContext'>, initial: CertificatePair, o: ReloadOptions): () => void {
  let current = digest(initial);
  let lastFailed = '';
  return watchFiles([o.certFile, o.keyFile], { intervalMs: o.intervalMs }, () => {
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = readFileSync(o.certFile);
      key = readFileSync(o.keyFile);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      if (lastFailed !== code) o.logger.error({ certFile: o.certFile, keyFile: o.keyFile, err: (err as Error).message }, `cannot reload ${o.what}: keeping the current one`);
      lastFailed = code;
      return;
    }
    const pair = { cert, key };
    const d = digest(pair);
    if (d === current || d === lastFailed) return;
    try {
      server.setSecureContext({ ...o.extra, ...pair });
    } catch (err) {
      lastFailed = d;
      o.logger.error({ certFile: o.certFile, keyFile: o.keyFile, err: (err as Error).message }, `cannot reload ${o.what}: the new certificate and key do not load; keeping the current one`);
      return;
    }
    current = d;
    lastFailed = '';
    o.logger.info({ certFile: o.certFile, ...describeCertificate(cert) }, `${o.what} reloaded`);
    o.onReload?.(pair);
  });
}
