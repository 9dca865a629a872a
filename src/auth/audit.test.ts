import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditBatch, auditLine, AuditTrail } from './audit.js';
import { createLogger } from '../telemetry/logger.js';
import { streamId } from '../model/labels.js';

test('an audit entry: tenant _audit, stream {component="audit", service="logsentinel"}, one JSON object', () => {
  const at = Date.UTC(2026, 0, 1);
  const b = auditBatch({ action: 'token.revoke', actor: 'ops', target: 'abcdefghij23', ip: '10.0.0.1', outcome: 'success', details: { name: 'ci' } }, at);
  assert.equal(b.tenant, '_audit');
  assert.deepEqual(b.streams[0].labels, { component: 'audit', service: 'logsentinel' });
  assert.equal(b.streams[0].key, '{component="audit", service="logsentinel"}');
  assert.equal(b.streams[0].id, streamId('_audit', { component: 'audit', service: 'logsentinel' }));
  const e = b.streams[0].entries[0];
  assert.equal(e.level, 'info');
  assert.deepEqual(JSON.parse(e.line), { time: '2026-01-01T00:00:00.000Z', action: 'token.revoke', actor: 'ops', target: 'abcdefghij23', ip: '10.0.0.1', outcome: 'success', name: 'ci' });
  const later = auditBatch({ action: 'login', actor: 'x', outcome: 'failure', reason: 'wrong password' }, at);
  assert.ok(later.streams[0].entries[0].ts > e.ts, 'two entries never share a timestamp');
  assert.equal(later.streams[0].entries[0].level, 'warn');
  assert.equal(JSON.parse(auditLine({ action: 'logout', actor: 'a', outcome: 'success' }, new Date(at))).target, null);
});

test('a failing sink is logged, never thrown into the action', async () => {
  const trail = new AuditTrail(() => async () => Promise.reject(new Error('queue full')), createLogger('silent'));
  await trail.record({ action: 'login', actor: 'a', outcome: 'success' });
  const none = new AuditTrail(() => undefined, createLogger('silent'));
  await none.record({ action: 'login', actor: 'a', outcome: 'success' });
});
