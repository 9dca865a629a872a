import { test } from 'node:test';
import assert from 'node:assert/strict';
const { CONTEXT_LINES, contextList, nsPlus, streamSelector } = await import('../../ui/src/components/log-context.js');
type LogEntry = import('../../ui/src/types.js').LogEntry;

const e = (ts: number, line: string): LogEntry => ({ id: `${ts}:${line}`, ts: (1_764_921_600_000_000_000n + BigInt(ts)).toString(), line, labels: {}, metadata: {}, level: 'info' });

test('streamSelector: the stream labels as equality matchers, detected_level left out', () => {
  assert.equal(streamSelector({ service: 'api', env: 'prod', detected_level: 'info' }), '{env="prod", service="api"}');
  assert.equal(streamSelector({ app: 'say "x"' }), '{app="say \\"x\\""}');
});

test('nsPlus keeps nanosecond precision', () => {
  assert.equal(nsPlus('1764921600123456789', 1n), '1764921600123456790');
  assert.equal(nsPlus('1764921600123456789', -3_600_000_000_000n), '1764918000123456789');
});

test('contextList: oldest first, the entry once and marked, equal timestamps kept', () => {
  const self = e(50, 'self');
  // Read backward up to and including the entry's time: the entry, another line at its time, then older.
  const before = [e(50, 'same time, other line'), self, e(40, 'b2'), e(30, 'b1')];
  const after = [e(60, 'a1'), e(70, 'a2')];
  assert.deepEqual(
    contextList(self, before, after).map((r) => `${r.line}${r.self ? ' *' : ''}`),
    ['b1', 'b2', 'same time, other line', 'self *', 'a1', 'a2'],
  );
  // At most CONTEXT_LINES on each side.
  const many = Array.from({ length: 30 }, (_, i) => e(49 - i, `o${i}`));
  const later = Array.from({ length: 30 }, (_, i) => e(51 + i, `n${i}`));
  const rows = contextList(self, [self, ...many], later);
  assert.equal(rows.length, 2 * CONTEXT_LINES + 1);
  assert.equal(rows[CONTEXT_LINES].self, true);
  assert.equal(rows[CONTEXT_LINES - 1].line, 'o0', 'the nearest older line just before');
  assert.equal(rows[CONTEXT_LINES + 1].line, 'n0', 'the nearest newer line just after');
});
