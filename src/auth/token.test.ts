import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateToken, looksLikeToken, safeEqual, sha256Hex, tokenId } from './token.js';

test('generateToken makes lst_<12 base32>_<43 base64url>, a fresh one each time', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const { token, id } = generateToken();
    assert.match(token, /^lst_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(tokenId(token), id);
    seen.add(token);
  }
  assert.equal(seen.size, 200);
});

test('tokenId reads the id of well-formed tokens only', () => {
  const f = (s: string, want: string | undefined): void => assert.equal(tokenId(s), want, s);
  const secret = 'A'.repeat(43);
  f(`lst_abcdefghij23_${secret}`, 'abcdefghij23');
  f(`lst_abcdefghij23_${'x_-'.repeat(11)}`, 'abcdefghij23');
  f(`lst_abcdefghij2_${secret}`, undefined); // 11-character id
  f(`lst_ABCDEFGHIJ23_${secret}`, undefined); // upper case id
  f(`lst_abcdefghij18_${secret}`, undefined); // 1 and 8 are not base32
  f(`lst_abcdefghij23_${'A'.repeat(31)}`, undefined); // secret too short
  f(`lst_abcdefghij23_${'A'.repeat(40)}=`, undefined);
  f(`tok_abcdefghij23_${secret}`, undefined);
  f('', undefined);
});

test('looksLikeToken, sha256Hex and safeEqual', () => {
  assert.equal(looksLikeToken('lst_x'), true);
  assert.equal(looksLikeToken('password'), false);
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(safeEqual('abc', 'abc'), true);
  assert.equal(safeEqual('abc', 'abd'), false);
  assert.equal(safeEqual('abc', 'abcd'), false);
  assert.equal(safeEqual('', ''), true);
});
