/**
 * API tokens: `lst_<id>_<secret>` (docs/specs/auth.md). `id` is 12 lowercase base32 characters,
 * the lookup key that lists show; `secret` is 32 random bytes in base64url. Only the SHA-256 of
 * the whole token is stored, and a presented token is compared with it in constant time.
 * The same hashing serves session cookies (sessions.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'lst_';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** The shape of a token; a configured `auth.adminToken` must have it too (secret at least 32 characters). */
const TOKEN_RE = /^lst_([a-z2-7]{12})_([A-Za-z0-9_-]{32,256})$/;

/** A fresh token and its id. */
export function generateToken(): { token: string; id: string } {
  // 256 is a multiple of 32, so `byte & 31` picks every base32 character with equal chance.
  const id = [...randomBytes(12)].map((b) => BASE32[b & 31]).join('');
  return { id, token: `${TOKEN_PREFIX}${id}_${randomSecret()}` };
}

/** `bytes` random bytes in base64url (passwords, session cookies, CSRF tokens, token secrets). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** The id of a well-formed token, or undefined. */
export function tokenId(token: string): string | undefined {
  return TOKEN_RE.exec(token)?.[1];
}

export function looksLikeToken(s: string): boolean {
  return s.startsWith(TOKEN_PREFIX);
}

/** Hex SHA-256. */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** Whether two hex digests (or any two strings) are equal, in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // Lengths are not secret (every digest has the same length); compare equal-length buffers only.
  return x.length === y.length && timingSafeEqual(x, y);
}
