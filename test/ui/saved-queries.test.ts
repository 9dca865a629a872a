import { test } from 'node:test';
import assert from 'node:assert/strict';
process.env.TZ = 'UTC';
const { authorLine, filterSaved, nameProblem, openTarget, parseSavedList, parseSavedQuery, rangeLabel, saveBody } = await import('../../ui/src/components/explore/saved-queries.js');
type SavedQuery = import('../../ui/src/components/explore/saved-queries.js').SavedQuery;

const NOW = Date.UTC(2026, 11, 5, 12);

function sq(name: string, over: Partial<SavedQuery> = {}): SavedQuery {
  return { id: `id-${name}`, name, query: `{service="${name}"}`, description: '', range: null, createdAt: '2026-12-01T10:00:00.000Z', createdBy: 'ann', updatedAt: '2026-12-04T10:00:00.000Z', updatedBy: 'bob', ...over };
}

test('parses the server answer field by field, leaving malformed entries out', () => {
  const good = { id: 'a1', tenant: 't', name: 'API errors', query: '{service="api"} |= "error"', description: 'pages us', range: { from: 'now-6h', to: 'now' }, createdAt: '2026-12-05T10:00:00.000Z', createdBy: 'ann', updatedAt: '2026-12-05T11:00:00.000Z', updatedBy: null };
  assert.deepEqual(parseSavedQuery(good), { id: 'a1', name: 'API errors', query: '{service="api"} |= "error"', description: 'pages us', range: { from: 'now-6h', to: 'now' }, createdAt: '2026-12-05T10:00:00.000Z', createdBy: 'ann', updatedAt: '2026-12-05T11:00:00.000Z', updatedBy: null });
  assert.equal(parseSavedQuery({ ...good, range: null })!.range, null);
  assert.equal(parseSavedQuery({ ...good, range: { from: 'now-1h' } })!.range, null, 'a half range is no range');
  const f = (v: unknown): void => assert.equal(parseSavedQuery(v), undefined, JSON.stringify(v));
  f(null);
  f('x');
  f({ ...good, id: '' });
  f({ ...good, name: 5 });
  f({ ...good, query: undefined });
  assert.deepEqual(parseSavedList({ savedQueries: [good, { id: 'broken' }] }).map((q: SavedQuery) => q.id), ['a1']);
  assert.throws(() => parseSavedList({ status: 'error' }), /^Error: cannot read \/api\/v1\/saved-queries: the answer has no savedQueries list$/);
});

test('search: every word in the name, case-insensitively, keeping the order', () => {
  const list = [sq('API errors'), sq('api latency'), sq('Checkout errors'), sq('worker')];
  const f = (search: string, want: string[]): void => assert.deepEqual(filterSaved(list, search).map((q: SavedQuery) => q.name), want, search);
  f('', ['API errors', 'api latency', 'Checkout errors', 'worker']);
  f('   ', ['API errors', 'api latency', 'Checkout errors', 'worker']);
  f('api', ['API errors', 'api latency']);
  f('ERRORS', ['API errors', 'Checkout errors']);
  f('errors api', ['API errors']);
  f('nothing', []);
});

test('the save body: trimmed name and query, the description and range only when given', () => {
  const view = { query: ' {service="api"} |= "x" ', from: 'now-6h', to: 'now' };
  assert.deepEqual(saveBody({ name: ' mine ', description: '', keepRange: false }, view), { name: 'mine', query: '{service="api"} |= "x"' });
  assert.deepEqual(saveBody({ name: 'mine', description: ' why ', keepRange: true }, view), { name: 'mine', query: '{service="api"} |= "x"', description: 'why', range: { from: 'now-6h', to: 'now' } });
  assert.deepEqual(saveBody({ name: 'abs', description: '', keepRange: true }, { query: 'q', from: '1764921600000', to: '1764925200000' }).range, { from: '1764921600000', to: '1764925200000' });
});

test('names: empty and too long are said before sending', () => {
  assert.equal(nameProblem('ok'), undefined);
  assert.equal(nameProblem('  '), 'Give the query a name.');
  assert.equal(nameProblem('x'.repeat(100)), undefined);
  assert.equal(nameProblem('x'.repeat(101)), 'The name is longer than 100 characters.');
  assert.equal(nameProblem('é'.repeat(100)), undefined, 'characters, not UTF-16 units or bytes');
});

test('opening: the query, and the range only when one was kept', () => {
  assert.deepEqual(openTarget(sq('a', { range: { from: 'now-24h', to: 'now' } })), { query: '{service="a"}', from: 'now-24h', to: 'now' });
  assert.deepEqual(openTarget(sq('b')), { query: '{service="b"}' });
});

test('labels: the range as read, and who changed it last', () => {
  assert.equal(rangeLabel(sq('a', { range: { from: 'now-6h', to: 'now' } }), NOW), 'Last 6 hours');
  assert.equal(rangeLabel(sq('a', { range: { from: String(Date.UTC(2026, 11, 5, 10)), to: String(Date.UTC(2026, 11, 5, 11)) } }), NOW), '2026-12-05 10:00:00 → 2026-12-05 11:00:00');
  assert.equal(rangeLabel(sq('a'), NOW), 'current range');
  assert.equal(authorLine(sq('a')), 'by bob, 2026-12-04');
  assert.equal(authorLine(sq('a', { updatedBy: null })), 'by ann, 2026-12-04');
  assert.equal(authorLine(sq('a', { updatedBy: null, createdBy: null })), '2026-12-04');
});
