import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRetryable, storageError } from './errors.js';

describe('postgres errors', () => {
  it('classifies what may succeed when retried', () => {
    const f = (err: unknown, want: boolean): void => assert.equal(isRetryable(err), want, JSON.stringify(err) + String(err));
    f(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), true);
    f(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), true);
    f(Object.assign(new Error('the database system is starting up'), { code: '57P03' }), true);
    f(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }), true);
    f(Object.assign(new Error('deadlock detected'), { code: '40P01' }), true);
    f(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }), true);
    f(new Error('Connection terminated unexpectedly'), true);
    f(new Error('timeout exceeded when trying to connect'), true);
    f(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }), false);
    f(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }), false);
    f(new Error('something else'), false);
  });

  it('wraps errors as cannot <verb> <object>: <cause>', () => {
    const e = storageError('write entries to db', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    assert.equal(e.message, 'cannot write entries to db: connect ECONNREFUSED');
    assert.equal(e.code, 'STORAGE_UNAVAILABLE');
    assert.equal(e.retryable, true);
    const full = storageError('write entries to db', Object.assign(new Error('could not extend file "base/16384/16385": No space left on device'), { code: '53100' }));
    assert.equal(full.code, 'STORAGE_FULL');
    assert.equal(full.status, 503);
    assert.equal(full.retryable, true);
    assert.equal(full.retryAfter, 5);
    assert.equal(full.message, 'cannot write entries to db: the PostgreSQL server\'s disk is full (could not extend file "base/16384/16385": No space left on device)');
    const bug = storageError('read entries', Object.assign(new Error('column "x" does not exist'), { code: '42703' }));
    assert.equal(bug.code, 'INTERNAL');
    assert.equal(bug.retryable, false);
  });
});
