import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { certificateNames, decideClientTenant, handshakeRefusal, parseClientTenants, type ClientTenantPolicy } from './client-tenants.js';

const cert = (cn: string | string[] | undefined, san?: string): PeerCertificate => ({ subject: cn === undefined ? {} : { CN: cn }, subjectaltname: san } as unknown as PeerCertificate);
const sock = (c: PeerCertificate | Record<string, never>, authorized: boolean, authorizationError?: string) => ({
  authorized,
  authorizationError: authorizationError as unknown as Error,
  getPeerCertificate: (() => c) as unknown as TLSSocket['getPeerCertificate'],
});

describe('syslog client certificate → tenant', () => {
  it('parses the mapping', () => {
    assert.deepEqual([...parseClientTenants(['web-01=web', 'a=b=c', ' * = other '])], [['web-01', 'web'], ['a=b', 'c'], ['*', 'other']]);
    const bad = (entries: string[], re: RegExp): void => assert.throws(() => parseClientTenants(entries), re);
    bad(['web'], /entry "web": expected <certificate name>=<tenant>/);
    bad(['=web'], /expected <certificate name>=<tenant>/);
    bad(['web='], /expected <certificate name>=<tenant>/);
    bad(['web=a|b'], /"a\|b" is not a valid tenant id/);
    bad(['web=a', 'web=b'], /"web" is mapped twice/);
  });

  it('reads the names a certificate answers to: CN, then DNS, email and URI alternative names', () => {
    const f = (c: PeerCertificate, want: string[]): void => assert.deepEqual(certificateNames(c), want);
    f(cert('web-01'), ['web-01']);
    f(cert(['a', 'b']), ['a', 'b']);
    f(cert('web-01', 'DNS:web-01.example.com, IP Address:10.0.0.1, email:ops@example.com, URI:spiffe://prod/web'), ['web-01', 'web-01.example.com', 'ops@example.com', 'spiffe://prod/web']);
    f(cert(undefined, 'DNS:"a,b.example", DNS:c'), ['a,b.example', 'c']);
    f(cert(undefined), []);
  });

  it('decides each connection', () => {
    const policy = (tenants: Record<string, string>, verifyClients = true): ClientTenantPolicy => ({ verifyClients, tenants: new Map(Object.entries(tenants)), defaultTenant: 'syslog' });
    const f = (s: ReturnType<typeof sock>, p: ClientTenantPolicy, want: unknown): void => assert.deepEqual(decideClientTenant(s, p), want);
    const mapped = policy({ 'web-01': 'web', 'db.example.com': 'db' });
    f(sock(cert('anything'), false), policy({}, false), { tenant: 'syslog' }); // no client CA: every TLS connection is syslog.tenant
    f(sock({}, false), mapped, { tenant: 'syslog' }); // no certificate, not required
    f(sock(cert('web-01'), true), mapped, { tenant: 'web', client: 'web-01' });
    f(sock(cert('db-7', 'DNS:db.example.com'), true), mapped, { tenant: 'db', client: 'db.example.com' });
    f(sock(cert('web-01'), false, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), mapped, { refused: 'untrusted_certificate', detail: 'certificate of web-01: UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    f(sock(cert('intruder', 'DNS:x.example'), true), mapped, { refused: 'unknown_client', detail: 'no syslog.tlsClientTenants entry for intruder, x.example' });
    f(sock(cert('intruder'), true), policy({ 'web-01': 'web', '*': 'rest' }), { tenant: 'rest', client: 'intruder' });
    f(sock(cert('anyone'), true), policy({}), { tenant: 'syslog', client: 'anyone' }); // no mapping: any verified certificate
  });

  it('names handshake failures', () => {
    const f = (code: string, message: string, want: string): void => assert.equal(handshakeRefusal(Object.assign(new Error(message), { code })), want);
    f('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', 'peer did not return a certificate', 'no_certificate');
    f('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required', 'no_certificate');
    f('ERR_SSL_CERTIFICATE_VERIFY_FAILED', 'certificate verify failed', 'untrusted_certificate');
    f('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', 'handshake');
  });
});
