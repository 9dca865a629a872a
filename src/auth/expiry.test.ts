import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpiry } from './expiry.js';

const NOW = Date.UTC(2026, 0, 1);

test('parseExpiry accepts', () => {
  const f = (expiresAt: unknown, ttl: unknown, want: number | null | undefined): void => assert.equal(parseExpiry(expiresAt, ttl, NOW, 'x'), want);
  f(undefined, undefined, undefined);
  f(null, undefined, null);
  f(undefined, '30d', NOW + 30 * 86_400_000);
  f(undefined, '12h', NOW + 12 * 3_600_000);
  f(undefined, '2w', NOW + 14 * 86_400_000);
  f('2026-12-31T00:00:00Z', undefined, Date.UTC(2026, 11, 31));
});

test('parseExpiry refuses', () => {
  const f = (expiresAt: unknown, ttl: unknown, want: RegExp): void => assert.throws(() => parseExpiry(expiresAt, ttl, NOW, 'create token'), want);
  f('2027-01-01T00:00:00Z', '1d', /cannot create token: give expiresAt or ttl, not both$/);
  f(undefined, 'soon', /ttl "soon" is not a duration/);
  f(undefined, 30, /ttl must be a duration/);
  f(undefined, '0s', /must be longer than 0/);
  f('tomorrow', undefined, /expiresAt "tomorrow" is not an RFC 3339 time/);
  f('2025-01-01T00:00:00Z', undefined, /is not in the future/);
  f(1767225600000, undefined, /is not an RFC 3339 time/);
});
