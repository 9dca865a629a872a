/**
 * Which tenant a syslog-over-TLS connection writes to, decided by its client certificate
 * (`syslog.tlsClientCaFile`, `syslog.tlsRequireClientCert`, `syslog.tlsClientTenants`):
 *
 * - no client CA configured: every TLS connection is `syslog.tenant`, as plain TCP and UDP are
 *   (those are trusted-network input: whoever reaches the port writes to that tenant);
 * - a certificate the CA did not sign: refused (`untrusted_certificate`), required or not;
 * - no certificate: refused in the TLS handshake when required, else `syslog.tenant`;
 * - a verified certificate: with no mapping, `syslog.tenant`; with a mapping, the tenant of the
 *   first entry whose name equals the certificate's subject CN or one of its DNS, email or URI
 *   subject alternative names (then `*`, which matches any verified certificate); none: refused
 *   (`unknown_client`).
 */
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { isValidTenant } from '../../model/tenant.js';

export type RefusalReason = 'no_certificate' | 'untrusted_certificate' | 'unknown_client' | 'handshake';

export type ClientDecision = { tenant: string; client?: string } | { refused: RefusalReason; detail: string };

/** Parses `syslog.tlsClientTenants` (`<name>=<tenant>` each; the last `=` splits, names may contain one). */
export function parseClientTenants(entries: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    const eq = e.lastIndexOf('=');
    const name = eq > 0 ? e.slice(0, eq).trim() : '';
    const tenant = eq > 0 ? e.slice(eq + 1).trim() : '';
    if (name === '' || tenant === '') throw new Error(`cannot use syslog.tlsClientTenants entry ${JSON.stringify(e)}: expected <certificate name>=<tenant>`);
    if (!isValidTenant(tenant)) throw new Error(`cannot use syslog.tlsClientTenants entry ${JSON.stringify(e)}: ${JSON.stringify(tenant)} is not a valid tenant id`);
    if (out.has(name)) throw new Error(`cannot use syslog.tlsClientTenants: ${JSON.stringify(name)} is mapped twice`);
    out.set(name, tenant);
  }
  return out;
}

/** The names a certificate answers to: subject CN(s), then DNS, email and URI subject alternative names. */
export function certificateNames(cert: PeerCertificate): string[] {
  const names: string[] = [];
  const cn = cert.subject?.CN as string | string[] | undefined;
  if (Array.isArray(cn)) names.push(...cn);
  else if (typeof cn === 'string') names.push(cn);
  // Node writes `DNS:a, DNS:b, IP Address:10.0.0.1, email:x@y, URI:spiffe://...`, quoting values with a comma.
  for (const part of (cert.subjectaltname ?? '').match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const p = part.trim();
    const colon = p.indexOf(':');
    if (colon < 0) continue;
    const kind = p.slice(0, colon);
    let value = p.slice(colon + 1);
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    if (kind === 'DNS' || kind === 'email' || kind === 'URI') names.push(value);
  }
  return names;
}

export interface ClientTenantPolicy {
  /** A client CA is configured: certificates are asked for and verified. */
  verifyClients: boolean;
  tenants: ReadonlyMap<string, string>;
  defaultTenant: string;
}

/** Decides a TLS connection's tenant once its handshake completed. */
export function decideClientTenant(sock: Pick<TLSSocket, 'authorized' | 'authorizationError' | 'getPeerCertificate'>, p: ClientTenantPolicy): ClientDecision {
  if (!p.verifyClients) return { tenant: p.defaultTenant };
  const cert = sock.getPeerCertificate();
  const presented = cert !== null && cert !== undefined && Object.keys(cert).length > 0;
  if (!presented) return { tenant: p.defaultTenant };
  const names = certificateNames(cert);
  const who = names[0] ?? '(no name)';
  if (!sock.authorized) return { refused: 'untrusted_certificate', detail: `certificate of ${who}: ${String(sock.authorizationError ?? 'not verified')}` };
  if (p.tenants.size === 0) return { tenant: p.defaultTenant, client: who };
  for (const n of names) {
    const t = p.tenants.get(n);
    if (t !== undefined) return { tenant: t, client: n };
  }
  const any = p.tenants.get('*');
  if (any !== undefined) return { tenant: any, client: who };
  return { refused: 'unknown_client', detail: `no syslog.tlsClientTenants entry for ${names.length > 0 ? names.join(', ') : 'a certificate without names'}` };
}

/** The refusal reason of a failed TLS handshake (Node's `tlsClientError`). */
export function handshakeRefusal(err: Error & { code?: string }): RefusalReason {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/PEER_DID_NOT_RETURN_A_CERTIFICATE|did not return a certificate|CERTIFICATE_REQUIRED/i.test(text)) return 'no_certificate';
  if (/certificate verify failed|unknown ca|CERTIFICATE_VERIFY_FAILED|self.signed|unable to get (local )?issuer|bad certificate|certificate (has )?expired|unsupported certificate/i.test(text)) return 'untrusted_certificate';
  return 'handshake';
}
