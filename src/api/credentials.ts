/**
 * What credential a request presents (docs/specs/auth.md, "Where credentials come from"), from
 * its headers only — nothing is checked against the store here. In order, the first present wins:
 * `Authorization: Bearer <token>`; `Authorization: Basic` with a token as the password (the user
 * name then names the tenant) or a user's name and password; `Authorization: ApiKey` with the
 * token or base64(`id:api_key`) as Elasticsearch clients encode `{id, api_key}`; the session
 * cookie. An Authorization header that is present but unusable is `malformed` (401, never
 * anonymous).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { looksLikeToken, tokenId } from '../auth/token.js';
import { sessionCookieValue } from '../auth/sessions.js';

export type PresentedCredential =
  | { type: 'token'; via: 'bearer' | 'basic' | 'apikey'; token: string; tenantHint?: string }
  | { type: 'password'; user: string; password: string }
  | { type: 'session'; value: string }
  | { type: 'malformed' };

function decodeBase64(s: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64').toString('utf8');
}

export function presentedCredential(headers: IncomingHttpHeaders): PresentedCredential | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(auth);
    if (!m) return { type: 'malformed' };
    const scheme = m[1].toLowerCase();
    const value = m[2];
    if (scheme === 'bearer') return { type: 'token', via: 'bearer', token: value };
    if (scheme === 'basic') {
      const decoded = decodeBase64(value);
      const colon = decoded?.indexOf(':') ?? -1;
      if (decoded === undefined || colon < 0) return { type: 'malformed' };
      const user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (looksLikeToken(password)) return { type: 'token', via: 'basic', token: password, ...(user.trim() !== '' ? { tenantHint: user.trim() } : {}) };
      if (user === '' || password === '') return { type: 'malformed' };
      return { type: 'password', user, password };
    }
    if (scheme === 'apikey') {
      if (looksLikeToken(value)) return { type: 'token', via: 'apikey', token: value };
      const decoded = decodeBase64(value);
      const colon = decoded?.indexOf(':') ?? -1;
      if (decoded === undefined || colon < 0) return { type: 'malformed' };
      const id = decoded.slice(0, colon);
      const token = decoded.slice(colon + 1);
      // `id` must be the token's own id: a mismatch is a credential that was put together wrong.
      if (tokenId(token) === undefined || tokenId(token) !== id) return { type: 'malformed' };
      return { type: 'token', via: 'apikey', token };
    }
    return { type: 'malformed' };
  }
  const cookie = sessionCookieValue(typeof headers.cookie === 'string' ? headers.cookie : undefined);
  return cookie === undefined ? undefined : { type: 'session', value: cookie };
}
