/**
 * HTTPS on the HTTP listener against the real server: it serves TLS with the configured pair and
 * HSTS, refuses plain HTTP, serves a renewed certificate once the files change (no restart), and
 * keeps the current certificate when the new files are a broken pair (logging an error).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { httpsGet, removeDir, startServer, type ServerHandle } from './harness.js';
import { opensslUnavailable, replaceFile, TestPki, type CertFiles } from '../../src/testing/certs.js';

/** The fingerprint of the certificate the server presents to a new connection. */
function servedFingerprint(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const fp = sock.getPeerCertificate().fingerprint256;
      sock.end();
      resolve(fp);
    });
    sock.on('error', reject);
  });
}

const fingerprint = (c: CertFiles): string => new X509Certificate(c.cert).fingerprint256;

async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const skip = opensslUnavailable();

describe('HTTPS listener', { skip }, () => {
  let pki: TestPki;
  let s: ServerHandle;
  let first: CertFiles;
  let certFile: string;
  let keyFile: string;

  before(async () => {
    pki = new TestPki();
    first = pki.issue('first', { cn: 'localhost', san: ['DNS:localhost', 'IP:127.0.0.1'] });
    certFile = join(pki.dir, 'tls.crt');
    keyFile = join(pki.dir, 'tls.key');
    copyFileSync(first.certFile, certFile);
    copyFileSync(first.keyFile, keyFile);
    s = await startServer({
      httpsCa: pki.ca.cert,
      env: {
        LOGSENTINEL_SERVER_TLS_CERT_FILE: certFile,
        LOGSENTINEL_SERVER_TLS_KEY_FILE: keyFile,
        LOGSENTINEL_SERVER_TLS_RELOAD_INTERVAL: '1s',
        LOGSENTINEL_SERVER_LOG_LEVEL: 'info',
      },
    });
  });
  after(async () => {
    await s?.stop();
    if (s) removeDir(s.dataDir);
    pki?.remove();
  });

  it('serves HTTPS with HSTS and refuses plain HTTP', async () => {
    assert.match(s.url, /^https:/);
    const r = await httpsGet(s.url + '/loki/api/v1/labels', pki.ca.cert);
    assert.equal(r.status, 200);
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(await servedFingerprint(s.port, pki.ca.cert), fingerprint(first));
    await assert.rejects(fetch(`http://127.0.0.1:${s.port}/health/liveness`));
  });

  it('serves a renewed certificate after the files change, and keeps it when the next pair is broken', async () => {
    const second = pki.issue('second', { cn: 'localhost', san: ['DNS:localhost', 'IP:127.0.0.1'] });
    // key first, then certificate: in between the files are a mismatched pair, which must not be served
    replaceFile(keyFile, second.key);
    replaceFile(certFile, second.cert);
    await until('the renewed certificate is served', async () => (await servedFingerprint(s.port, pki.ca.cert)) === fingerprint(second));
    await until('the reload is logged', () => s.output().includes('"msg":"HTTPS certificate reloaded"'));
    assert.equal((await httpsGet(s.url + '/health/readiness', pki.ca.cert)).status, 200);

    // A broken pair: the third certificate with the second key.
    const third = pki.issue('third', { cn: 'localhost', san: ['DNS:localhost', 'IP:127.0.0.1'] });
    const refusals = (): number => s.output().match(/"level":50[^\n]*cannot reload HTTPS certificate: the new certificate and key do not load; keeping the current one/g)?.length ?? 0;
    const before = refusals();
    replaceFile(certFile, third.cert);
    await until('the broken pair is logged', () => refusals() > before);
    assert.equal(await servedFingerprint(s.port, pki.ca.cert), fingerprint(second));
    assert.equal((await httpsGet(s.url + '/health/readiness', pki.ca.cert)).status, 200);

    // Mended: the third pair is served.
    replaceFile(keyFile, third.key);
    await until('the mended pair is served', async () => (await servedFingerprint(s.port, pki.ca.cert)) === fingerprint(third));
    assert.ok(!s.output().includes('BEGIN'), 'no key or certificate material in the logs');
  });

  it('refuses to start with a pair that does not load, naming the files', async () => {
    const bad = pki.issue('bad', { cn: 'localhost' });
    await assert.rejects(
      startServer({ httpsCa: pki.ca.cert, env: { LOGSENTINEL_SERVER_TLS_CERT_FILE: bad.certFile, LOGSENTINEL_SERVER_TLS_KEY_FILE: first.keyFile } }),
      (err: Error) => /cannot start: cannot load the HTTPS certificate from .*bad\.crt and .*first\.key: .*key values mismatch/.test(err.message),
    );
    await assert.rejects(startServer({ httpsCa: pki.ca.cert, env: { LOGSENTINEL_SERVER_TLS_CERT_FILE: bad.certFile } }), /set both for HTTPS, or neither/);
  });
});
