import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDiskFull } from './disk-full.js';

describe('isDiskFull', () => {
  const f = (err: unknown, want: boolean): void => assert.equal(isDiskFull(err), want, String(err));
  it('recognises a full disk in each backend and in the cause chain', () => {
    f(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), true);
    f(new Error('TransactionContext Error: Failed to commit: Could not write file "/d/logsentinel.duckdb.wal": No space left on device'), true);
    f(new Error('FATAL Error: Failed to create checkpoint because of error: Could not write file "/d/x.duckdb": No space left on device'), true);
    f(Object.assign(new Error('could not extend file "base/16384/16385": No space left on device'), { code: '53100' }), true);
    f(Object.assign(new Error('disk quota exceeded'), { code: 'EDQUOT' }), true);
    f(new Error('cannot write entries', { cause: new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ENOSPC' }) }) }), true);
  });
  it('says no for everything else', () => {
    f(new Error('Connection terminated unexpectedly'), false);
    f(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }), false);
    f(undefined, false);
    f('just a string', false);
  });
});
