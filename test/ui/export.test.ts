import { test } from 'node:test';
import assert from 'node:assert/strict';
process.env.TZ = 'UTC';
const { absoluteLink, downloadName, formatEntries, rfc3339Nano } = await import('../../ui/src/components/explore/export.js');
const { addToHistory, HISTORY_MAX, loadHistory } = await import('../../ui/src/components/explore/history.js');
type LogEntry = import('../../ui/src/types.js').LogEntry;

const entries: LogEntry[] = [
  { id: 'b', ts: '1764921600123456789', line: 'say "hi", then go', labels: { service: 'api', env: 'prod' }, metadata: { trace_id: 't1' }, parsed: { user: 'u' }, level: 'error' },
  { id: 'a', ts: '1764921599000000001', line: 'plain', labels: { service: 'web' }, metadata: {}, level: 'info' },
];

test('rfc3339Nano keeps every digit', () => {
  assert.equal(rfc3339Nano('1764921600123456789'), '2025-12-05T08:00:00.123456789Z');
  assert.equal(rfc3339Nano('1764921599000000001'), '2025-12-05T07:59:59.000000001Z');
});

test('downloads: JSON lines, CSV with quoting, plain text', () => {
  const jl = formatEntries(entries, 'jsonl').split('\n');
  assert.equal(jl.length, 3);
  assert.deepEqual(JSON.parse(jl[0]), { timestamp: '2025-12-05T08:00:00.123456789Z', ts: '1764921600123456789', level: 'error', labels: { service: 'api', env: 'prod' }, metadata: { trace_id: 't1' }, parsed: { user: 'u' }, line: 'say "hi", then go' });
  assert.equal(jl[2], '');
  assert.equal(
    formatEntries(entries, 'csv'),
    'timestamp,level,labels,line\r\n' +
      '2025-12-05T08:00:00.123456789Z,error,"{env=""prod"", service=""api""}","say ""hi"", then go"\r\n' +
      '2025-12-05T07:59:59.000000001Z,info,"{service=""web""}",plain\r\n',
  );
  assert.equal(formatEntries(entries, 'txt'), '2025-12-05 08:00:00.123 error {env="prod", service="api"} say "hi", then go\n2025-12-05 07:59:59.000 info {service="web"} plain\n');
  assert.equal(formatEntries([], 'csv'), 'timestamp,level,labels,line\r\n');
  assert.equal(downloadName(Date.UTC(2025, 11, 5, 7), Date.UTC(2025, 11, 5, 8), 'csv'), 'logsentinel-20251205T070000-20251205T080000.csv');
});

test('absoluteLink: the range as epoch milliseconds', () => {
  const u = new URL(absoluteLink('http://h:3100', { query: '{a="b"} |= "x"', startMs: 1000.4, endMs: 2000.2, limit: 500, view: 'patterns' }));
  assert.equal(u.pathname, '/explore');
  assert.deepEqual(Object.fromEntries(u.searchParams), { query: '{a="b"} |= "x"', from: '1000', to: '2001', limit: '500', view: 'patterns' });
  assert.equal(new URL(absoluteLink('http://h', { query: 'q', startMs: 1, endMs: 2, view: 'logs' })).searchParams.has('view'), false);
});

test('history: newest first, each once, bounded, per tenant', () => {
  const m = new Map<string, string>();
  const store = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
  assert.deepEqual(loadHistory(store, 't'), []);
  addToHistory(store, 't', '{a="1"}');
  addToHistory(store, 't', '{a="2"}');
  assert.deepEqual(addToHistory(store, 't', ' {a="1"} '), ['{a="1"}', '{a="2"}']);
  assert.deepEqual(addToHistory(store, 't', '  '), ['{a="1"}', '{a="2"}'], 'blank queries are not kept');
  assert.deepEqual(loadHistory(store, 'other'), [], 'per tenant');
  for (let i = 0; i < HISTORY_MAX + 10; i++) addToHistory(store, 't', `{i="${i}"}`);
  const h = loadHistory(store, 't');
  assert.equal(h.length, HISTORY_MAX);
  assert.equal(h[0], `{i="${HISTORY_MAX + 9}"}`);
  m.set('logsentinel.history.t', 'not json');
  assert.deepEqual(loadHistory(store, 't'), []);
});
