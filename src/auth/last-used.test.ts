import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LastUsedRecorder, type CredentialKind } from './last-used.js';

test('each credential is written at most once a minute, in one call per kind per flush', async () => {
  let now = 1000;
  const writes: Array<[CredentialKind, Array<[string, number]>]> = [];
  const r = new LastUsedRecorder({ write: async (kind, uses) => void writes.push([kind, [...uses]]), onError: assert.fail, now: () => now });
  for (let i = 0; i < 1000; i++) r.note('token', 't1');
  r.note('token', 't2');
  r.note('user', 'alice');
  await r.flush();
  assert.deepEqual(writes, [['user', [['alice', 1000]]], ['token', [['t1', 1000], ['t2', 1000]]]]);
  now += 59_999;
  r.note('token', 't1');
  await r.flush();
  assert.equal(writes.length, 2, 'within the minute: nothing new');
  now += 1;
  r.note('token', 't1');
  await r.stop();
  assert.deepEqual(writes[2], ['token', [['t1', 61_000]]]);
});

test('a failed write is reported, not thrown', async () => {
  const errors: unknown[] = [];
  const r = new LastUsedRecorder({ write: async () => Promise.reject(new Error('db down')), onError: (e) => errors.push(e) });
  r.note('user', 'u');
  await r.flush();
  assert.equal(errors.length, 1);
});
