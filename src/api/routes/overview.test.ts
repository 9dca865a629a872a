import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { messageOf, messageShape } from './overview.js';

describe('overview: error messages and their shapes', () => {
  it('takes the message field of JSON and logfmt lines', () => {
    assert.equal(messageOf('{"level":"error","ts":1733390000.123456,"caller":"db/pool.go:88","msg":"connection refused","attempt":3}'), 'connection refused');
    assert.equal(messageOf('{"level":"error","message":"disk full"}'), 'disk full');
    assert.equal(messageOf('{"level":"error","msg":"","error":"timeout"}'), 'timeout', 'an empty msg falls through');
    assert.equal(messageOf('level=error msg="card declined for order 17" provider=acme'), 'card declined for order 17');
    assert.equal(messageOf('level=error msg=boom code=7'), 'boom');
    assert.equal(messageOf('level=error msg="say \\"hi\\"" x=1'), 'say "hi"');
    assert.equal(messageOf('ts=1 err="no route to host"'), 'no route to host');
    assert.equal(messageOf('ERROR job 3 failed'), undefined);
    assert.equal(messageOf('{not json'), undefined);
    assert.equal(messageOf('[1,2]'), undefined);
    assert.equal(messageOf('{"level":"error","count":3}'), undefined, 'no message field');
    // A key that only ends in msg is not msg.
    assert.equal(messageOf('level=error errmsg=x'), undefined);
  });

  it('groups JSON lines by their message, not by the start of the line', () => {
    const a = messageShape('{"level":"error","ts":1733390000.123456,"caller":"db/pool.go:88","msg":"connection to 10.0.0.7:5432 refused after 3 tries"}');
    const b = messageShape('{"level":"error","ts":1733390077.5,"caller":"db/pool.go:91","msg":"connection to 10.0.0.9:5432 refused after 5 tries"}');
    assert.equal(a, 'connection to <ip> refused after <n> tries');
    assert.equal(a, b);
  });

  it('shapes epochs as numbers and only ids with a letter as <hex>', () => {
    assert.equal(messageShape('ERROR at 1733390000 job 42'), 'ERROR at <n> job <n>');
    assert.equal(messageShape('ERROR user 77aa88bb99 request 0b7c4a8e-1111-2222-3333-444455556666'), 'ERROR user <hex> request <uuid>');
    assert.equal(messageShape('ERROR at 2026-12-05T08:00:00.123Z:  boom'), 'ERROR at <time>: boom');
  });
});
