import { test } from 'node:test';
import assert from 'node:assert/strict';
process.env.TZ = 'UTC';
const { chooseStep, describeRange, formatBytes, formatNs, fromDatetimeLocal, msToNs, parseDurationMs, parseTimeParam, resolveRange, toDatetimeLocal } = await import('../../ui/src/time.js');
const { compareNs, normalizeLevel, streamsToEntries } = await import('../../ui/src/entries.js');

const NOW = Date.UTC(2026, 10, 22, 7, 40, 0);

test('parseTimeParam', () => {
  const f = (s: string, want: number | undefined): void => assert.equal(parseTimeParam(s, NOW), want, s);
  f('now', NOW);
  f('now-5m', NOW - 300_000);
  f('now-1h30m', NOW - 5_400_000);
  f('now-7d', NOW - 7 * 86_400_000);
  f('now+1s', NOW + 1000);
  f('1795331342721', 1795331342721);
  f('2026-11-22T07:00:00Z', Date.UTC(2026, 10, 22, 7));
  f('now-5x', undefined);
  f('yesterday', undefined);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('m5'), undefined);
});

test('resolveRange and describeRange', () => {
  assert.deepEqual(resolveRange('now-1h', 'now', NOW), { startMs: NOW - 3_600_000, endMs: NOW });
  assert.throws(() => resolveRange('now', 'now-1h', NOW), /from must be before to/);
  assert.throws(() => resolveRange('soon', 'now', NOW), /cannot read time range: from "soon"/);
  assert.equal(describeRange('now-1h', 'now', NOW), 'Last 1 hour');
  assert.equal(describeRange('now-3h', 'now', NOW), 'Last 3h');
  assert.equal(describeRange(String(NOW - 60_000), String(NOW), NOW), '2026-11-22 07:39:00 → 2026-11-22 07:40:00');
});

test('chooseStep gives about 100 round buckets', () => {
  const f = (rangeMs: number, want: number): void => assert.equal(chooseStep(rangeMs), want, String(rangeMs));
  f(300_000, 5);
  f(3_600_000, 60);
  f(86_400_000, 900);
  f(7 * 86_400_000, 7200);
  f(1000, 1);
});

test('formatting', () => {
  assert.equal(formatNs('1795331342721640014'), '2026-11-22 07:09:02.721');
  assert.equal(msToNs(1795331342721), '1795331342721000000');
  assert.equal(toDatetimeLocal(NOW), '2026-11-22T07:40:00');
  assert.equal(fromDatetimeLocal('2026-11-22T07:40:00'), NOW);
  assert.equal(fromDatetimeLocal('2026-11-22T07:40'), NOW);
  assert.equal(fromDatetimeLocal('bad'), undefined);
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1234), '1.2 kB');
  assert.equal(formatBytes(56_700_000), '57 MB');
});

test('entries: levels, ordering', () => {
  const f = (v: string | undefined, want: string): void => assert.equal(normalizeLevel(v), want, String(v));
  f('ERROR', 'error');
  f('warning', 'warn');
  f('fatal', 'critical');
  f('Info', 'info');
  f('verbose', 'unknown');
  f(undefined, 'unknown');
  assert.ok(compareNs('999', '1000') < 0);
  const entries = streamsToEntries([
    { stream: { app: 'a' }, values: [['300', 'x', { structuredMetadata: { level: 'warn' } }], ['100', 'y']] },
    { stream: { app: 'b', level: 'ERROR' }, values: [['200', 'z', { parsed: { level: 'debug' } }], ['1000', 'w']] },
  ]);
  assert.deepEqual(entries.map((e) => `${e.ts}:${e.line}:${e.level}`), ['1000:w:error', '300:x:warn', '200:z:debug', '100:y:unknown']);
  assert.deepEqual(entries[2].parsed, { level: 'debug' });
});
