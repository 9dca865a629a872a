import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNanosString, parseRfc3339, parseEpoch, parseAnyTimestamp, formatRfc3339 } from './timestamp.js';

test('parseNanosString keeps every digit', () => {
  const f = (s: string, want: bigint): void => {
    assert.equal(parseNanosString(s), want, s);
  };
  f('1700000000123456789', 1700000000123456789n);
  f('1700000000123456001', 1700000000123456001n);
  f('0', 0n);
  f('+42', 42n);
  f('9223372036854775807', 9223372036854775807n);
  f('000000000000000001', 1n);
});

test('parseNanosString rejects what Loki rejects', () => {
  const f = (s: string, cause: RegExp): void => {
    assert.throws(() => parseNanosString(s), (e: Error) => e.message.startsWith('cannot parse timestamp') && cause.test(e.message), s);
  };
  f('', /decimal integer string/);
  f('0x10', /decimal integer string/);
  f(' 12', /decimal integer string/);
  f('1.5', /decimal integer string/);
  f('2023-11-14T22:13:20Z', /decimal integer string/);
  f('-5', /negative/);
  f('9223372036854775808', /out of range/);
  f('99999999999999999999', /out of range/);
});

test('parseRfc3339 parses RFC 3339 with all fractional digits', () => {
  const f = (s: string, want: bigint): void => {
    assert.equal(parseRfc3339(s), want, s);
  };
  f('2023-11-14T22:13:20Z', 1700000000000000000n);
  f('2023-11-14T22:13:20.123456789Z', 1700000000123456789n);
  f('2023-11-14T22:13:20.1Z', 1700000000100000000n);
  f('2023-11-14T22:13:20.1234567891234Z', 1700000000123456789n);
  f('2023-11-15T00:13:20.5+02:00', 1700000000500000000n);
  f('2023-11-14T17:13:20-05:00', 1700000000000000000n);
  f('2023-11-14 22:13:20,250Z', 1700000000250000000n);
  f('2023-11-14t22:13:20z', 1700000000000000000n);
  f('2024-02-29T00:00:00Z', 1709164800000000000n);
  f('1970-01-01T00:00:00Z', 0n);
});

test('parseRfc3339 rejects malformed dates', () => {
  const f = (s: string): void => {
    assert.throws(() => parseRfc3339(s), /^Error: cannot parse timestamp/, s);
  };
  f('');
  f('2023-11-14');
  f('2023-11-14T22:13:20');
  f('2023-13-01T00:00:00Z');
  f('2023-02-29T00:00:00Z');
  f('2023-11-31T00:00:00Z');
  f('2023-11-14T24:00:00Z');
  f('2023-11-14T22:61:00Z');
  f('2023-11-14T22:13:20+25:00');
  f('1969-12-31T23:59:59Z');
  f('yesterday');
});

test('parseEpoch picks the unit from the digit count', () => {
  const f = (v: string | number, want: bigint): void => {
    assert.equal(parseEpoch(v), want, String(v));
  };
  f(1700000000, 1700000000000000000n);
  f('1700000000', 1700000000000000000n);
  f('1700000000.123456789', 1700000000123456789n);
  f(1700000000.5, 1700000000500000000n);
  f(1700000000123, 1700000000123000000n);
  f('1700000000123.456', 1700000000123456000n);
  f(1700000000123456, 1700000000123456000n);
  f('1700000000123456789', 1700000000123456789n);
  f(0, 0n);
});

test('parseEpoch rejects non-numbers', () => {
  const f = (v: string | number): void => {
    assert.throws(() => parseEpoch(v), /^Error: cannot parse timestamp/, String(v));
  };
  f(-1);
  f(NaN);
  f(Infinity);
  f(1e21);
  f('12a');
  f('99999999999999999999');
});

test('parseAnyTimestamp accepts jsonlines forms', () => {
  const f = (v: unknown, want: bigint, raw?: string): void => {
    assert.equal(parseAnyTimestamp(v, raw), want, String(v));
  };
  f(1700000000, 1700000000000000000n);
  f('1700000000123', 1700000000123000000n);
  f('2023-11-14T22:13:20.123456789Z', 1700000000123456789n);
  // a JS number cannot hold ns digits; the raw text can
  f(Number('1700000000123456789'), 1700000000123456789n, '1700000000123456789');
  f(Number('1700000000123456789'), 1700000000123456800n); // digits past 2^53 already lost
});

test('formatRfc3339 prints Go RFC3339 in UTC', () => {
  const f = (ns: bigint, want: string): void => {
    assert.equal(formatRfc3339(ns), want);
  };
  f(1700000000123456789n, '2023-11-14T22:13:20Z');
  f(0n, '1970-01-01T00:00:00Z');
});
