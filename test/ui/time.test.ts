import { test } from 'node:test';
import assert from 'node:assert/strict';
process.env.TZ = 'UTC';
const { chooseStep, describeRange, formatBytes, timeTickLabels, formatNs, fromDatetimeLocal, msToNs, parseDurationMs, parseTimeParam, resolveRange, toDatetimeLocal } = await import('../../ui/src/time.js');
const { compareNs, normalizeLevel, streamsToEntries, uniqueLabelNames } = await import('../../ui/src/entries.js');
const { volumeEvalStartMs, volumeSeries } = await import('../../ui/src/components/explore/volume.js');

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

test('timeTickLabels: each label says its unit, the date where the day changes', () => {
  const t0 = Date.UTC(2026, 11, 5, 23, 58, 0) / 1000;
  // Seconds apart: HH:mm:ss, never a bare ":10".
  assert.deepEqual(timeTickLabels([t0, t0 + 10, t0 + 20], 10), ['Dec 5 23:58:00', '23:58:10', '23:58:20']);
  // Minutes apart across midnight: HH:mm, the date where the day changes.
  assert.deepEqual(timeTickLabels([t0 - 60 * 58, t0 + 120, t0 + 1320], 600), ['Dec 5 23:00', 'Dec 6 00:00', '00:20']);
  // Days apart: the date alone.
  assert.deepEqual(timeTickLabels([t0, t0 + 86400], 86400), ['Dec 5', 'Dec 6']);
});

test('volumeSeries: every bucket of the range, empty ones as 0, at the server\'s phase', () => {
  const start = Date.UTC(2026, 11, 5, 0, 0, 0) / 1000 + 0.25;
  const step = 3600;
  const end = start + 6 * 3600;
  // Data only in the last bucket (lines of the last minutes of a 6 h range).
  const last = start + 6 * 3600;
  const series = volumeSeries([{ metric: { level: 'error' }, values: [[last, '4']] }, { metric: { level: 'info' }, values: [[last, '9']] }], start, end, step);
  assert.deepEqual(series.map((s) => s.name), ['error', 'info']);
  for (const s of series) {
    assert.equal(s.points.length, 7);
    assert.equal(s.points[0][0], start);
    assert.equal(s.points[6][0], last);
  }
  assert.deepEqual(series[0].points.map((p: [number, number]) => p[1]), [0, 0, 0, 0, 0, 0, 4]);
  // Nothing at all: no series.
  assert.deepEqual(volumeSeries([], start, end, step), []);
});

test('uniqueLabelNames: the stream labels that tell the entries apart', () => {
  const e = (labels: Record<string, string>): Parameters<typeof uniqueLabelNames>[0][number] => ({ id: JSON.stringify(labels), ts: '1', line: 'x', labels, metadata: {}, level: 'info' });
  assert.deepEqual(uniqueLabelNames([]), []);
  assert.deepEqual(uniqueLabelNames([e({ service: 'a', env: 'prod' })]), [], 'one stream: nothing to tell apart');
  assert.deepEqual(uniqueLabelNames([e({ service: 'a', env: 'prod', level: 'info' }), e({ service: 'b', env: 'prod', level: 'error' })]), ['service'], 'level is shown as the level');
  assert.deepEqual(uniqueLabelNames([e({ service: 'a', env: 'prod' }), e({ service: 'a', env: 'prod', pod: 'p1' }), e({ service: 'b', env: 'prod' })]), ['pod', 'service'], 'absent counts as a value');
});

test('volumeEvalStartMs: the buckets end at the range end and none reaches before its start', () => {
  const end = 1_764_936_000_000;
  // 6 h in 216 s steps: 100 whole steps; the first point is one step after the start.
  const start6h = end - 6 * 3_600_000;
  const first = volumeEvalStartMs(start6h, end, 216);
  assert.equal(first, start6h + 216_000);
  assert.equal((end - first) / 216_000, 99, 'points at first, first + step, …, end');
  // 1 h in 60 s steps plus 30 s: the half step left at the start has no bucket.
  const odd = volumeEvalStartMs(end - 3_630_000, end, 60);
  assert.ok(odd - 60_000 >= end - 3_630_000, 'the first window starts inside the range');
  assert.equal((end - odd) % 60_000, 0, 'the last point is the range end');
  // A range shorter than a step (chooseStep never gives one) still gets one bucket, ending at its end.
  assert.equal(volumeEvalStartMs(end - 10_000, end, 60), end);
});
