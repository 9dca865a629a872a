import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseGoDuration } from './duration.js';
import { parseBytes } from './bytes.js';

describe('durations', () => {
  it('parses Prometheus and Go forms into milliseconds', () => {
    const f = (s: string, ms: number): void => assert.equal(parseDuration(s), ms, s);
    f('0', 0);
    f('500ms', 500);
    f('5m', 300000);
    f('1h30m', 5400000);
    f('1d', 86400000);
    f('1w', 604800000);
    f('1y', 31536000000);
    f('2d12h', 216000000);
    f('1.5h', 5400000);
    f('90s', 90000);
    f('100us', 0.1);
  });
  it('rejects malformed durations', () => {
    for (const s of ['', 'm', '5', '5x', '-', '1.5d']) assert.throws(() => parseDuration(s), /cannot parse duration/, s);
  });
  it('parses Go durations into nanoseconds', () => {
    assert.equal(parseGoDuration('1m30s'), 90e9);
    assert.equal(parseGoDuration('-1.5s'), -1.5e9);
    assert.equal(parseGoDuration('10µs'), 10e3);
    assert.throws(() => parseGoDuration('1d'), /invalid duration/);
  });
  it('formats like Prometheus', () => {
    const f = (ms: number, s: string): void => assert.equal(formatDuration(ms), s);
    f(0, '0s');
    f(300000, '5m');
    f(5400000, '1h30m');
    f(86400000 + 1000, '1d1s');
    f(1500, '1s500ms');
  });
});

describe('bytes', () => {
  it('parses like go-humanize ParseBytes', () => {
    const f = (s: string, n: number): void => assert.equal(parseBytes(s), n, s);
    f('42', 42);
    f('42b', 42);
    f('1KB', 1000);
    f('1kb', 1000);
    f('1k', 1000);
    f('1KiB', 1024);
    f('1Ki', 1024);
    f('20MB', 20e6);
    f('1.5GiB', 1.5 * 1024 ** 3);
    f('3 MB', 3e6);
    f('1,000', 1000);
    for (const s of ['', 'MB', '1XB', '1 2']) assert.throws(() => parseBytes(s), /cannot parse bytes/, s);
  });
});
