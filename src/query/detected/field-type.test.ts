import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectedFieldValue, determineType, type DetectedFieldType } from './field-type.js';
import { humanizeBytes } from '../../logql/humanize.js';

describe('determineType (Loki: ParseInt, ParseFloat, ParseBool, ParseDuration, humanize.ParseBytes)', () => {
  const f = (value: string, want: DetectedFieldType): void => {
    assert.equal(determineType(value), want, JSON.stringify(value));
  };

  it('integers', () => {
    f('0', 'int');
    f('42', 'int');
    f('-7', 'int');
    f('+7', 'int');
    f('9223372036854775807', 'int');
  });

  it('floats, including what Go accepts and JavaScript spells differently', () => {
    f('9223372036854775808', 'float'); // past int64: ParseInt fails, ParseFloat does not
    f('1.5', 'float');
    f('.5', 'float');
    f('1e3', 'float');
    f('NaN', 'float');
    f('-Inf', 'float');
    f('0x1p-2', 'float');
  });

  it('booleans (1/0 are ints first)', () => {
    f('true', 'boolean');
    f('False', 'boolean');
    f('T', 'boolean');
    f('1', 'int');
  });

  it('durations', () => {
    f('1h30m', 'duration');
    f('250ms', 'duration');
    f('-1.5s', 'duration');
    f('5m', 'duration'); // a duration before a byte size (`m` is also mega)
  });

  it('byte sizes', () => {
    f('10MB', 'bytes');
    f('1.5 KiB', 'bytes');
    f('3k', 'bytes');
    f('1,024', 'bytes');
  });

  it('strings', () => {
    f('', 'string');
    f('hello', 'string');
    f('0x10', 'string');
    f('1_000', 'string');
    f(' 1', 'string');
    f('1e400', 'string'); // out of float64 range: an error in Go
    f('10 apples', 'string');
    f('yes', 'string');
  });
});

describe('detected field values: byte sizes respelled as go-humanize prints them', () => {
  const f = (value: string, want: string): void => {
    assert.equal(detectedFieldValue(value), want, JSON.stringify(value));
  };

  it('respells sizes with a unit suffix', () => {
    f('2048KiB', '2.1MB');
    f('1500b', '1.5kB');
    f('10MB', '10MB');
    f('5 B', '5B');
    f('123456kb', '124MB'); // 123.5 to no decimals: Go rounds half to even
    f('122456kb', '122MB'); // 122.5 → 122
  });

  it('leaves other values alone', () => {
    f('42', '42');
    f('GET', 'GET');
    f('12 apples', '12 apples');
    f('1,024', '1,024');
  });

  it('humanizeBytes', () => {
    assert.equal(humanizeBytes(9), '9B');
    assert.equal(humanizeBytes(10), '10B');
    assert.equal(humanizeBytes(1000), '1.0kB');
    assert.equal(humanizeBytes(82854982), '83MB');
  });
});
