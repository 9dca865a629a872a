import { test } from 'node:test';
import assert from 'node:assert/strict';
import snappy from 'snappyjs';
import { snappyDecompressBlock, SnappyError } from './snappy-block.js';

test('snappyDecompressBlock inverts snappyjs.compress', () => {
  const f = (data: Buffer): void => {
    assert.deepEqual(snappyDecompressBlock(snappy.compress(data), data.length), data);
  };
  f(Buffer.alloc(0));
  f(Buffer.from('a'));
  f(Buffer.from('hello hello hello hello hello hello hello'));
  f(Buffer.alloc(100_000, 7)); // long runs: overlapping copies
  const rnd = Buffer.alloc(70_000);
  let s = 1;
  for (let i = 0; i < rnd.length; i++) rnd[i] = (s = (s * 48271) % 2147483647) & 0xff; // incompressible: long literals
  f(rnd);
  f(Buffer.from('{"streams":[{"stream":{"a":"1"},"values":[["1","x"]]}]}'.repeat(500)));
});

test('snappyDecompressBlock refuses corrupt or oversized input quickly', () => {
  const f = (hex: string, max: number, msg: RegExp, tooLarge = false): void => {
    assert.throws(
      () => snappyDecompressBlock(Buffer.from(hex, 'hex'), max),
      (e: unknown) => e instanceof SnappyError && msg.test(e.message) && e.tooLarge === tooLarge,
    );
  };
  f('', 10, /truncated length header/);
  f('80', 10, /truncated length header/);
  f('ffffffffff0f', 1e12, /length header too long|out of range/);
  f('0b', 10, /exceeds the limit/, true);
  f('05' + '0c' + '6162', 10, /literal overruns the input/);
  f('02' + '08' + '616263', 10, /literal overruns the declared length/);
  f('05' + '01' + '00', 10, /copy offset out of range/);
  f('05' + '0061' + '0501', 10, /copy overruns the declared length/);
  f('05' + '0061', 10, /decoded 1 bytes, header declared 5/);
  f('05' + 'f0', 10, /truncated literal length/);
  // found by fuzzing: makes snappyjs move backwards and spin; here it fails at once
  f('78fce1e04bd0f6074adb2e365b13f896c848153382824d6700f9f4b761831e4f86bb6f4c8e3144', 2000, /literal overruns the input/);
});
