import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadColumns, MAX_COLUMNS, saveColumns, seenNames, toggleColumn } from '../../ui/src/components/log-columns.js';
import type { LogEntry } from '../../ui/src/types.js';

function memoryStore(init: Record<string, string> = {}): { getItem(k: string): string | null; setItem(k: string, v: string): void; data: Record<string, string> } {
  const data = { ...init };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
}

test('columns are remembered per page', () => {
  const s = memoryStore();
  assert.deepEqual(loadColumns(s, 'explore'), []);
  saveColumns(s, 'explore', ['status', 'env']);
  saveColumns(s, 'tail', ['pod']);
  assert.deepEqual(loadColumns(s, 'explore'), ['status', 'env']);
  assert.deepEqual(loadColumns(s, 'tail'), ['pod']);
});

test('loadColumns ignores what it cannot use', () => {
  const f = (stored: string, want: string[]): void => assert.deepEqual(loadColumns(memoryStore({ 'logsentinel.columns.p': stored }), 'p'), want, stored);
  f('not json', []);
  f('{"a":1}', []);
  f('["a", 1, "", null, "b", "a"]', ['a', 'b']);
  f(JSON.stringify(Array.from({ length: 20 }, (_, i) => `c${i}`)), Array.from({ length: MAX_COLUMNS }, (_, i) => `c${i}`));
});

test('saveColumns survives a full or disabled storage', () => {
  assert.doesNotThrow(() =>
    saveColumns(
      {
        getItem: () => null,
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
      },
      'p',
      ['a'],
    ),
  );
});

test('toggleColumn adds at the end, removes, and keeps the newest MAX_COLUMNS', () => {
  assert.deepEqual(toggleColumn([], 'a'), ['a']);
  assert.deepEqual(toggleColumn(['a', 'b'], 'c'), ['a', 'b', 'c']);
  assert.deepEqual(toggleColumn(['a', 'b', 'c'], 'b'), ['a', 'c']);
  const full = Array.from({ length: MAX_COLUMNS }, (_, i) => `c${i}`);
  assert.deepEqual(toggleColumn(full, 'new'), [...full.slice(1), 'new']);
});

test('seenNames: the label, metadata and field names of the entries, sorted', () => {
  const e = (line: string, labels: Record<string, string>, metadata: Record<string, string> = {}): LogEntry => ({ id: line, ts: '1', line, labels, metadata, level: 'info' });
  const seen = seenNames([
    e('level=info msg=hi', { service: 'web', pod: 'p1' }),
    e('{"user":{"id":3},"service":"x"}', { service: 'api' }, { trace_id: 't' }),
    e('free text', { service: 'worker' }),
  ]);
  assert.deepEqual(seen, { labels: ['pod', 'service'], metadata: ['trace_id'], fields: ['level', 'msg', 'service_extracted', 'user_id'] });
  assert.deepEqual(seenNames([]), { labels: [], metadata: [], fields: [] });
});
