import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogCorpus, generateLines, SERVICE_NAMES } from './corpus.js';
import { detectLevel } from '../ingest/common/level.js';

test('LogCorpus is deterministic per seed', () => {
  const take = (seed: number): string[] => [...generateLines(seed, 6, 500)].map((l) => l.line);
  assert.deepEqual(take(7), take(7));
  assert.notDeepEqual(take(7), take(8));
});

test('LogCorpus lines carry the level the detector finds, in a realistic mix', () => {
  const c = new LogCorpus(3, { services: SERVICE_NAMES.length });
  const counts: Record<string, number> = {};
  const services = new Set<string>();
  let multiline = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    const l = c.next();
    assert.equal(detectLevel(l.line), l.level, l.line);
    counts[l.level] = (counts[l.level] ?? 0) + 1;
    services.add(l.labels.service);
    if (l.line.includes('\n')) multiline++;
  }
  assert.equal(services.size, SERVICE_NAMES.length);
  for (const lvl of ['unknown', 'info', 'warn', 'error', 'critical']) assert.ok((counts[lvl] ?? 0) > 0, lvl);
  assert.ok(counts.info > counts.warn && counts.warn > counts.error && counts.error > counts.critical);
  assert.ok(multiline > 0);
  assert.equal(c.labelSets().length, SERVICE_NAMES.length * 3); // low cardinality: 3 pods each
});
