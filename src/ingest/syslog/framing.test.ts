import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyslogFramer, cutUtf8 } from './framing.js';

/** Frames `stream` fed in pieces of `step` bytes (and at every split when step = 0). */
function frame(stream: Buffer, max: number, step: number): Array<[string, boolean]> {
  const fr = new SyslogFramer(max);
  const out: Array<[string, boolean]> = [];
  const emit = (m: Buffer, cut: boolean): void => void out.push([m.toString('utf8'), cut]);
  for (let i = 0; i < stream.length; i += step) {
    fr.push(stream.subarray(i, i + step), emit);
    assert.ok(fr.pendingBytes <= max + 1, `pending ${fr.pendingBytes} > ${max} + 1`);
  }
  fr.end(emit);
  return out;
}

test('framing: octet counting and newline framing, across every chunk boundary', () => {
  const f = (input: string, want: Array<[string, boolean]>, max = 1024): void => {
    const buf = Buffer.from(input, 'utf8');
    for (const step of [buf.length || 1, 1, 2, 3, 7]) assert.deepEqual(frame(buf, max, step), want, `${JSON.stringify(input)} step ${step}`);
  };
  f('', []);
  f('<13>a\n<13>b\n', [['<13>a', false], ['<13>b', false]]);
  f('<13>a\r\n<13>b\r\n', [['<13>a', false], ['<13>b', false]]);
  f('<13>a\0<13>b\0', [['<13>a', false], ['<13>b', false]]);
  f('\n\n<13>a\n\r\n\n', [['<13>a', false]]);
  // octet counting, back to back, and mixed with newline framing per message
  f('5 <13>a5 <13>b', [['<13>a', false], ['<13>b', false]]);
  f('5 <13>a\n<13>b\n11 <13>c\nd e f\n', [['<13>a', false], ['<13>b', false], ['<13>c\nd e f', false]]);
  // the count is in bytes, not characters
  f('6 <13>ü€', [['<13>ü', false], ['€', false]]);
  f('9 <13>ü€', [['<13>ü€', false]]);
  // a newline inside a counted message is part of it; CR is kept there
  f('8 <13>a\r\nb', [['<13>a\r\nb', false]]);
  // unterminated last message (newline framing): kept as is
  f('<13>a\n<13>tail', [['<13>a', false], ['<13>tail', false]]);
  // digits that are not a length start a newline-framed message
  f('123abc\n<13>x\n', [['123abc', false], ['<13>x', false]]);
  f('12345678901 <13>x\n', [['12345678901 <13>x', false]]);
  f('42', [['42', false]]);
  // garbage lines
  f('hello\nworld\n', [['hello', false], ['world', false]]);
});

test('framing: oversized and incomplete messages are cut and kept, memory stays bounded', () => {
  const f = (input: string | Buffer, max: number, want: Array<[string, boolean]>): void => {
    const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    for (const step of [buf.length || 1, 1, 3, 5]) assert.deepEqual(frame(buf, max, step), want, `${JSON.stringify(input.toString())} step ${step}`);
  };
  f('<13>abcdefgh\n<13>x\n', 6, [['<13>ab', true], ['<13>x', false]]);
  f('10 <13>abcdef<13>x\n', 6, [['<13>ab', true], ['<13>x', false]]);
  // cut at a character boundary: 'ü' is 2 bytes and does not fit
  f('<13>aü\n', 6, [['<13>a', true]]);
  // exactly the limit, then CRLF: not cut (the CR is not part of the message)
  f('<13>ab\r\n<13>abc\r\n', 6, [['<13>ab', false], ['<13>ab', true]]);
  f('<13>ab\r<13>abc\r\n', 6, [['<13>ab', true]]);
  f('9 <13>aüü', 6, [['<13>a', true]]);
  // the stream ends inside a counted message: what arrived is kept, marked cut
  f('20 <13>abc', 100, [['<13>abc', true]]);
  // the stream ends while the rest of an oversized message is being skipped
  f('20 <13>abcdefgh', 6, [['<13>ab', true]]);
  f('<13>abcdefgh', 6, [['<13>ab', true]]);
  // a huge line without newline never grows the buffer past max (asserted in frame())
  const huge = Buffer.alloc(1 << 20, 0x61);
  assert.deepEqual(frame(huge, 1000, 65536).map(([m, c]) => [m.length, c]), [[1000, true]]);
  const counted = Buffer.concat([Buffer.from('999999999 '), huge]);
  assert.deepEqual(frame(counted, 1000, 65536).map(([m, c]) => [m.length, c]), [[1000, true]]);
});

test('framing: counts truncated messages', () => {
  const fr = new SyslogFramer(4);
  const got: string[] = [];
  fr.push(Buffer.from('abcdef\n8 12345678'), (m) => got.push(m.toString()));
  fr.push(Buffer.from('3 xy'), (m) => got.push(m.toString()));
  fr.end((m) => got.push(m.toString()));
  assert.deepEqual(got, ['abcd', '1234', 'xy']);
  assert.equal(fr.truncated, 3);
});

test('cutUtf8 never splits a character', () => {
  const f = (hex: string, want: string): void => assert.equal(cutUtf8(Buffer.from(hex, 'hex')).toString('hex'), want, hex);
  f('', '');
  f('61', '61');
  f('61c3', '61');
  f('61c3bc', '61c3bc');
  f('61e282', '61');
  f('61e282ac', '61e282ac');
  f('61f09f98', '61');
  f('61f09f9880', '61f09f9880');
  f('8080', '8080'); // not UTF-8 to begin with: left alone
});
