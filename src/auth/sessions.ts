/**
 * UI sessions (docs/specs/auth.md): the cookie `ls_session` holds a random opaque value, the store
 * only its SHA-256, with the user, a CSRF token and two expiries — idle (12 h after the last use)
 * and absolute (7 days after login). The cookie is HttpOnly, SameSite=Strict, Path=/, and Secure
 * when the request came over TLS.
 */
import { parse, serialize } from 'cookie';
import type { SessionRecord } from './credential.js';
import { randomSecret, sha256Hex } from './token.js';

export const SESSION_COOKIE = 'ls_session';
export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;

export function newSession(user: string, now: number): { cookieValue: string; record: SessionRecord } {
  const cookieValue = randomSecret();
  return {
    cookieValue,
    record: {
      idHash: sha256Hex(cookieValue),
      user,
      csrfToken: randomSecret(),
      createdAt: now,
      expiresAt: Math.min(now + SESSION_IDLE_MS, now + SESSION_ABSOLUTE_MS),
      absoluteExpiresAt: now + SESSION_ABSOLUTE_MS,
    },
  };
}

/** The session cookie's value in a `Cookie` header, if any. */
export function sessionCookieValue(header: string | undefined): string | undefined {
  if (!header || !header.includes(SESSION_COOKIE)) return undefined;
  const v = parse(header)[SESSION_COOKIE];
  return v === undefined || v === '' ? undefined : v;
}

export function setSessionCookie(value: string, secure: boolean): string {
  return serialize(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/', secure, maxAge: SESSION_ABSOLUTE_MS / 1000 });
}

export function clearSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', secure, maxAge: 0, expires: new Date(0) });
}

export function sessionExpired(s: SessionRecord, now: number): boolean {
  return now >= s.expiresAt || now >= s.absoluteExpiresAt;
}
