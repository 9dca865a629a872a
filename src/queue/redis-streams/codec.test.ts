import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntry, encodeEntry } from './codec.js';
import type { StreamEntries } from '../../model/entry.js';
import { labelsToString, streamId } from '../../model/labels.js';

function stream(labels: Record<string, string>, entries: StreamEntries['entries']): StreamEntries {
  return { labels, key: labelsToString(labels), id: streamId('t', labels), entries };
}

describe('redis queue entry codec', () => {
  it('round-trips batches exactly', () => {
    const f = (streams: StreamEntries[], wantLines: number): void => {
      const { fields, lines } = encodeEntry('t', streams);
      assert.equal(lines, wantLines);
      const got = decodeEntry(fields);
      assert.equal(got.lines, wantLines);
      assert.deepEqual(got.batch, { tenant: 't', streams });
    };
    f([stream({ a: '1' }, [{ ts: 1n, line: 'x', level: 'info' }])], 1);
    f([stream({ a: '1' }, [{ ts: 1_763_800_000_123_456_789n, line: 'ns digits kept', level: 'error' }])], 1);
    f([stream({ a: '1', b: 'q"\\' }, [{ ts: 2n, line: 'with "quotes" and \u2028 and \u0000', level: 'critical', metadata: { trace_id: 'abc', user: 'ü' } }])], 1);
    f([stream({ a: '1' }, [{ ts: 3n, line: '', level: 'unknown' }, { ts: 3n, line: 'dup ts', level: 'warn' }]), stream({ b: '2' }, [{ ts: 4n, line: 'y', level: 'debug' }])], 3);
    f([stream({}, [{ ts: 18_446_744_073_709_551_615n, line: 'max', level: 'trace' }])], 1);
  });

  it('drops empty metadata on the wire', () => {
    const { fields } = encodeEntry('t', [stream({ a: '1' }, [{ ts: 1n, line: 'x', level: 'info', metadata: {} }])]);
    assert.equal(fields[5], '{"t":"t","s":[{"l":{"a":"1"},"i":"' + streamId('t', { a: '1' }) + '","e":[["1","x","info"]]}]}');
  });

  it('refuses malformed entries', () => {
    const f = (fields: string[], want: RegExp): void => assert.throws(() => decodeEntry(fields), want);
    f(['v', '2', 'n', '0', 'b', '{"t":"t","s":[]}'], /unknown format version "2"/);
    f(['v', '1', 'n', '0'], /field b is missing/);
    f(['v', '1', 'n', '0', 'b', '{"s":[]}'], /body is not/);
    f(['v', '1', 'n', '1', 'b', '{"t":"t","s":[{"l":{},"i":"x","e":[]}]}'], /stream is not/);
    f(['v', '1', 'n', '1', 'b', '{"t":"t","s":[{"l":{},"i":"1","e":[["1.5","x","info"]]}]}'], /malformed/);
    f(['v', '1', 'n', '1', 'b', '{"t":"t","s":[{"l":{},"i":"1","e":[["1","x","loud"]]}]}'], /malformed/);
    f(['v', '1', 'n', '2', 'b', '{"t":"t","s":[{"l":{},"i":"1","e":[["1","x","info"]]}]}'], /field n says 2 lines, body has 1/);
    f(['v', '1', 'n', '1', 'b', '{"t":'], /JSON|Unexpected/);
  });
});
