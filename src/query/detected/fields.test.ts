import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldDetector, jsonPaths, type DetectedField, type SampleEntry, type SampleStream } from './fields.js';
import type { Labels } from '../../model/labels.js';

const entry = (line: string, structuredMetadata: Labels = {}, parsed: Labels = {}): SampleEntry => ({ line, structuredMetadata, parsed });
const stream = (streamLabels: Labels, ...entries: SampleEntry[]): SampleStream => ({ streamLabels, entries });

describe('detected fields (Loki detected_fields.go)', () => {
  const f = (streams: SampleStream[], want: DetectedField[], limit = 1000): void => {
    assert.deepEqual(new FieldDetector().fields(streams, limit), want);
  };

  it('logfmt lines: every key a field with parser logfmt, typed from its values', () => {
    f(
      [stream({ app: 'api' }, entry('method=GET status=200 took=12ms size=10KB ok=true'), entry('method=POST status=500 took=1.5s size=2MB ok=false'))],
      [
        { label: 'method', type: 'string', cardinality: 2, parsers: ['logfmt'] },
        { label: 'ok', type: 'boolean', cardinality: 2, parsers: ['logfmt'] },
        { label: 'size', type: 'bytes', cardinality: 2, parsers: ['logfmt'] },
        { label: 'status', type: 'int', cardinality: 2, parsers: ['logfmt'] },
        { label: 'took', type: 'duration', cardinality: 2, parsers: ['logfmt'] },
      ],
    );
  });

  it('JSON lines: nested keys flattened with their jsonPath; a stream label name gets _extracted', () => {
    f(
      [stream({ app: 'api' }, entry('{"app":"x","user":{"id":7,"name":"ann"},"latency":0.25,"tags":["a"],"none":null}'))],
      [
        { label: 'app_extracted', type: 'string', cardinality: 1, parsers: ['json'], jsonPath: ['app'] },
        { label: 'latency', type: 'float', cardinality: 1, parsers: ['json'], jsonPath: ['latency'] },
        { label: 'user_id', type: 'int', cardinality: 1, parsers: ['json'], jsonPath: ['user', 'id'] },
        { label: 'user_name', type: 'string', cardinality: 1, parsers: ['json'], jsonPath: ['user', 'name'] },
      ],
    );
  });

  it('structured metadata: parsers null; detected_level is a field like any other', () => {
    f(
      [stream({ service: 'cart' }, entry('plain text line', { trace_id: 'abc', detected_level: 'error' }), entry('another', { trace_id: 'def', detected_level: 'info' }))],
      [
        { label: 'detected_level', type: 'string', cardinality: 2, parsers: null },
        { label: 'trace_id', type: 'string', cardinality: 2, parsers: null },
      ],
    );
  });

  it('a field found by both parsers lists both, in the order seen (streams in label order)', () => {
    f(
      [stream({ app: 'b' }, entry('user=bob')), stream({ app: 'a' }, entry('{"user":"ann"}'))],
      [{ label: 'user', type: 'string', cardinality: 2, parsers: ['json', 'logfmt'], jsonPath: ['user'] }],
    );
  });

  it("the query's own parsed labels are fields; __error__ is not", () => {
    f(
      [stream({ app: 'a' }, entry('GET /x 200', {}, { code: '200', __error__: 'JSONParserErr', __error_details__: 'x' }))],
      // The line is not JSON, so logfmt is tried (and finds nothing): Loki then names logfmt.
      [{ label: 'code', type: 'int', cardinality: 1, parsers: ['logfmt'] }],
    );
  });

  it('at most limit fields, the first ones seen', () => {
    f([stream({ app: 'a' }, entry('c=1'), entry('a=1 b=2'))], [{ label: 'c', type: 'int', cardinality: 1, parsers: ['logfmt'] }], 1);
  });

  it('the type is that of the last entry seen', () => {
    f([stream({ app: 'a' }, entry('v=abc'), entry('v=12'))], [{ label: 'v', type: 'int', cardinality: 2, parsers: ['logfmt'] }]);
  });

  it('jsonPaths', () => {
    assert.deepEqual([...jsonPaths('{"a":{"b-c":{"d":1}},"e":2}')], [
      ['a', ['a']],
      ['a_b_c', ['a', 'b-c']],
      ['a_b_c_d', ['a', 'b-c', 'd']],
      ['e', ['e']],
    ]);
    assert.deepEqual([...jsonPaths('not json')], []);
  });
});

describe('detected field values', () => {
  const f = (streams: SampleStream[], name: string, want: string[], limit = 1000): void => {
    assert.deepEqual(new FieldDetector().values(streams, name, limit), want);
  };
  const s = [
    stream({ app: 'a' }, entry('size=2048KiB user=ann', { pod: 'p1' }), entry('{"size":"10MB","user":"bob"}', { pod: 'p2' }), entry('size=5 user=ann')),
  ];

  it('values from parsed labels (byte sizes respelled) and from metadata, sorted', () => {
    f(s, 'size', ['10MB', '2.1MB', '5']);
    f(s, 'user', ['ann', 'bob']);
    f(s, 'pod', ['p1', 'p2']);
    f(s, 'missing', []);
  });

  it('stops reading entries once limit values are found', () => {
    f(s, 'size', ['2.1MB'], 1);
  });
});
