import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAgo, formatBytes, formatClockNs, formatCount, formatDuration, formatPercent, formatRate, parseIsoMs } from '../../ui/src/components/overview/format.js';
import { barPercent, errorLineFilter, errorLink, ingestSeries, isRange, serviceLink } from '../../ui/src/components/overview/overview-model.js';

describe('format', () => {
  it('bytes', () => {
    const f = (n: number, want: string): void => assert.equal(formatBytes(n), want, String(n));
    f(0, '0 B');
    f(1023, '1023 B');
    f(1024, '1.00 KiB');
    f(1536, '1.50 KiB');
    f(10 * 1024 + 512, '10.5 KiB');
    f(200 * 1024 * 1024, '200 MiB');
    f(3.25 * 1024 ** 3, '3.25 GiB');
    f(1024 ** 6, '1024 PiB');
    f(-1, '—');
    f(NaN, '—');
  });
  it('counts, rates and percentages', () => {
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatCount(2.6), '3');
    const r = (n: number, want: string): void => assert.equal(formatRate(n), want, String(n));
    r(0, '0');
    r(-3, '0');
    r(0.25, '0.25');
    r(0.5, '0.5');
    r(3.42, '3.4');
    r(4, '4');
    r(1250.4, '1,250');
    const p = (a: number, b: number, want: string): void => assert.equal(formatPercent(a, b), want, `${a}/${b}`);
    p(0, 10, '0%');
    p(1, 0, '0%');
    p(1, 10_000, '<0.1%');
    p(412, 10_000, '4.1%');
    p(1, 4, '25%');
  });
  it('durations and ages', () => {
    const d = (s: number, want: string): void => assert.equal(formatDuration(s), want, String(s));
    d(0, '0 s');
    d(0.0000042, '4 µs');
    d(0.0042, '4.2 ms');
    d(0.25, '250 ms');
    d(2.5, '2.5 s');
    d(42, '42 s');
    d(75, '1m 15s');
    d(7300, '2h 1m');
    const a = (ms: number, want: string): void => assert.equal(formatAgo(ms, 1_000_000_000), want, String(ms));
    a(1_000_000_000, 'just now');
    a(1_000_000_000 - 12_000, '12 s ago');
    a(1_000_000_000 - 5 * 60_000, '5 min ago');
    a(1_000_000_000 - 3 * 3_600_000, '3 h ago');
    a(1_000_000_000 - 2 * 86_400_000, '2 d ago');
  });
  it('parses RFC 3339, treating the zero time as never', () => {
    assert.equal(parseIsoMs('2026-11-22T07:00:00.5Z'), Date.parse('2026-11-22T07:00:00.500Z'));
    assert.equal(parseIsoMs('0001-01-01T00:00:00Z'), undefined);
    assert.equal(parseIsoMs('garbage'), undefined);
    assert.equal(parseIsoMs(undefined), undefined);
  });
  it('formats a nanosecond timestamp as a local clock time', () => {
    assert.match(formatClockNs('1763800000123456789'), /^\d\d:\d\d:\d\d\.123$/);
  });
});

describe('overview model', () => {
  it('chart series from the ingest rate', () => {
    const s = ingestSeries([[100, 5, 1], [110, 6, 0]]);
    assert.deepEqual(s.map((x) => [x.name, x.points]), [
      ['lines/s', [[100, 5], [110, 6]]],
      ['errors/s', [[100, 1], [110, 0]]],
    ]);
  });
  it('bar widths', () => {
    const f = (v: number, max: number, want: number): void => assert.equal(barPercent(v, max), want, `${v}/${max}`);
    f(50, 100, 50);
    f(0, 100, 0);
    f(1, 1_000_000, 0.5);
    f(5, 0, 0);
    f(200, 100, 100);
  });
  it('the line filter of an error group is its longest literal stretch found in the example', () => {
    const f = (pattern: string, example: string, want: string | undefined): void => assert.equal(errorLineFilter(pattern, example), want, pattern);
    f('level=error msg="timeout after <n>ms talking to <ip>"', 'level=error msg="timeout after 30ms talking to 10.0.0.1:5432"', 'level=error msg="timeout after');
    f('<uuid> failed: connection reset by peer', '0b7c4a8e-1111-2222-3333-444455556666 failed: connection reset by peer', 'failed: connection reset by peer');
    // Collapsed whitespace: the longest stretch is not verbatim in the line, a shorter one is.
    f('ERROR  disk full on <n>', 'ERROR\t\tdisk full on 3', 'disk full on');
    f('<n> <n> <hex>', '1 2 deadbeef99', undefined);
    f('ab<n>', 'ab1', undefined);
    const long = 'x'.repeat(300);
    assert.equal(errorLineFilter(long, long)?.length, 120);
  });
  it('links services and error groups to Explore', () => {
    const svc = { service: 'api', label: 'service', selector: '{service="api"}', lines: 1, errors: 0, bytes: 1 };
    assert.equal(serviceLink(svc, '1h'), '/explore?query=%7Bservice%3D%22api%22%7D&from=now-1h');
    const e = { pattern: 'payment <n> declined', example: 'payment 42 declined', sample: 'payment 42 declined', count: 3, service: 'api', selector: '{service="api"}', lastSeen: '2026-11-22T07:00:00Z' };
    const u = new URL(errorLink(e, '6h'), 'http://x');
    assert.equal(u.searchParams.get('query'), '{service="api"} |= "declined"');
    assert.equal(u.searchParams.get('from'), 'now-6h');
    assert.equal(new URL(errorLink({ ...e, pattern: '<n>', example: '4' }, '1h'), 'http://x').searchParams.get('query'), '{service="api"}');
  });
  it('ranges', () => {
    assert.equal(isRange('6h'), true);
    assert.equal(isRange('2h'), false);
    assert.equal(isRange(null), false);
  });
});
