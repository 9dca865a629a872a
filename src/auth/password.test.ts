import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, SCRYPT_PARAMS, verifyPassword } from './password.js';

test('hashPassword stores scrypt$N$r$p$salt$hash with the contract parameters; verifyPassword checks it', async () => {
  const h = await hashPassword('correct horse battery');
  const parts = h.split('$');
  assert.deepEqual(parts.slice(0, 4), ['scrypt', String(2 ** 15), '8', '1']);
  assert.equal(Buffer.from(parts[4], 'base64').length, SCRYPT_PARAMS.saltBytes);
  assert.equal(Buffer.from(parts[5], 'base64').length, SCRYPT_PARAMS.keyBytes);
  assert.notEqual(await hashPassword('correct horse battery'), h, 'a fresh salt each time');
  assert.equal(await verifyPassword('correct horse battery', h), true);
  assert.equal(await verifyPassword('correct horse batterY', h), false);
  assert.equal(await verifyPassword('', h), false);
});

test('verifyPassword answers false for malformed or hostile stored hashes', async () => {
  const f = async (stored: string): Promise<void> => assert.equal(await verifyPassword('x', stored), false, stored);
  await f('');
  await f('bcrypt$2$3$4$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==');
  await f('scrypt$32768$8$1$c2FsdA==');
  await f('scrypt$x$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==');
  await f('scrypt$4194304$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA=='); // N beyond the bound: no huge allocation
  await f('scrypt$32768$8$1$$aGFzaGhhc2hoYXNoaGFzaA==');
  await f('scrypt$32768$8$1$c2FsdA==$aGFzaA==');
});

test('passwordProblem', () => {
  const f = (p: unknown, want: RegExp | undefined): void => {
    const got = passwordProblem(p);
    if (want === undefined) assert.equal(got, undefined, String(p));
    else assert.match(got ?? '', want, String(p));
  };
  f('12345678', undefined);
  f('ü'.repeat(8), undefined);
  f('1234567', /at least 8/);
  f('x'.repeat(1025), /at most 1024/);
  f(12345678, /must be a string/);
  f(undefined, /must be a string/);
});
