/**
 * Test certificates made with the `openssl` command (a CA, server and client certificates with
 * subject alternative names), for the HTTPS and syslog-over-TLS tests. EC P-256 keys: fast to make.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertFiles {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/** Why certificates cannot be made here, or undefined. Under CI a missing openssl is a failure. */
export function opensslUnavailable(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    if (process.env.CI === 'true') throw new Error('openssl is needed by the TLS tests (apt-get install openssl)');
    return 'openssl is not installed';
  }
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function files(dir: string, name: string): CertFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

export class TestPki {
  readonly dir: string;
  readonly ca: CertFiles;
  private serial = 1;

  constructor(readonly caName = 'LogSentinel Test CA') {
    this.dir = mkdtempSync(join(tmpdir(), 'ls-pki-'));
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${caName}`], this.dir);
    this.ca = files(this.dir, 'ca');
  }

  /**
   * A certificate signed by this CA. `san` entries as openssl writes them (`DNS:localhost`,
   * `IP:127.0.0.1`, `email:a@b`, `URI:spiffe://x`); `usage` picks the extended key usage.
   */
  issue(name: string, o: { cn: string; san?: string[]; usage?: 'server' | 'client'; days?: number }): CertFiles {
    const ext = [`extendedKeyUsage=${o.usage === 'client' ? 'clientAuth' : 'serverAuth'}`];
    if (o.san && o.san.length > 0) ext.push(`subjectAltName=${o.san.join(',')}`);
    writeFileSync(join(this.dir, `${name}.ext`), ext.join('\n') + '\n');
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${o.cn}`], this.dir);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(1000 + this.serial++), '-days', String(o.days ?? 2), '-extfile', `${name}.ext`, '-out', `${name}.crt`],
      this.dir,
    );
    return files(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Writes `content` to `file` atomically (write aside, rename), as a deploy tool or kubelet does. */
export function replaceFile(file: string, content: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}
