import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalMetadata, detectedLevel, metadataKeysFor, recanonicalize } from './metadata.js';
import { renameCollidingMeta } from '../logql/labels-builder.js';

describe('canonicalMetadata', () => {
  it('encodes equal metadata as equal text whatever the key order', () => {
    const f = (m: Record<string, string> | undefined, want: string | null): void => assert.equal(canonicalMetadata(m), want, JSON.stringify(m));
    f(undefined, null);
    f({}, null);
    f({ k: 'v' }, '{"k":"v"}');
    f({ b: '2', a: '1' }, '{"a":"1","b":"2"}');
    f({ a: '1', b: '2' }, '{"a":"1","b":"2"}');
    f({ 'k"\n': 'v\\\u0000', Z: 'z', _: '' }, '{"Z":"z","_":"","k\\"\\n":"v\\\\\\u0000"}');
    // Integer-like names come first in any order they were sent; `__proto__` is a name like others.
    f({ b: '1', 10: 'x', 9: 'y' }, '{"9":"y","10":"x","b":"1"}');
    assert.equal(canonicalMetadata(JSON.parse('{"b":"1","__proto__":"p","a":"2"}')), '{"__proto__":"p","a":"2","b":"1"}');
    assert.equal(canonicalMetadata(JSON.parse('{"a":"2","__proto__":"p"}')), canonicalMetadata(JSON.parse('{"__proto__":"p","a":"2"}')));
    const m = { z: '1', y: '"', x: '\t' };
    assert.deepEqual(JSON.parse(canonicalMetadata(m)!), m);
  });

  it('recanonicalizes stored text', () => {
    assert.equal(recanonicalize('{"b":"2","a":"1"}'), '{"a":"1","b":"2"}');
    assert.equal(recanonicalize('{}'), null);
    assert.equal(recanonicalize(null), null);
    assert.equal(recanonicalize('not json'), 'not json');
  });
});

describe('metadata as labels', () => {
  it('renames metadata that collides with a stream label to <name>_extracted', () => {
    const f = (stream: Record<string, string>, meta: Record<string, string>, want: Record<string, string>): void =>
      assert.deepEqual(renameCollidingMeta(stream, meta), want);
    f({ app: 'x' }, { trace_id: 't' }, { trace_id: 't' });
    f({ app: 'x', service: 'api' }, { trace_id: 't', service: 'checkout', user: 'u' }, { trace_id: 't', service_extracted: 'checkout', user: 'u' });
    f({ app: 'x' }, { app: 'y', level: 'warn' }, { app_extracted: 'y', level: 'warn' });
    // Nothing collides: the same object, nothing allocated.
    const meta = { a: '1' };
    assert.equal(renameCollidingMeta({ b: '2' }, meta), meta);
  });

  it('reads the stored key behind an _extracted grouping label, and level fields behind detected_level', () => {
    assert.deepEqual(metadataKeysFor(['pod']), ['pod']);
    assert.deepEqual(metadataKeysFor(['service_extracted', 'level']), ['service_extracted', 'service', 'level']);
    assert.deepEqual(metadataKeysFor(['_extracted']), ['_extracted']);
    assert.deepEqual(metadataKeysFor(['detected_level']).slice(0, 3), ['detected_level', 'level', 'LEVEL']);
  });
});

describe('detectedLevel', () => {
  it('chooses as Loki 3 does: stream level label as sent, then a metadata level field, then the detected level', () => {
    const f = (stream: Record<string, string>, meta: Record<string, string> | undefined, level: string, want: string | undefined): void =>
      assert.equal(detectedLevel(stream, meta, level), want, JSON.stringify({ stream, meta, level }));
    f({ app: 'x' }, undefined, 'error', 'error');
    f({ app: 'x' }, { trace_id: 't' }, 'unknown', 'unknown');
    f({ app: 'x', level: 'ERROR' }, undefined, 'error', 'ERROR');
    f({ app: 'x', Severity: 'Warning' }, { level: 'info' }, 'warn', 'Warning');
    f({ app: 'x' }, { severity: 'WARNING' }, 'warn', 'WARNING');
    f({ app: 'x' }, { lvl: 'dbg', level: 'info' }, 'info', 'info');
    // The entry's own detected_level (or a stream label of that name) stands: none is derived.
    f({ app: 'x' }, { detected_level: 'notice' }, 'info', undefined);
    f({ detected_level: 'x' }, undefined, 'info', undefined);
    // An empty value is no level, as in Loki.
    f({ app: 'x' }, { level: '' }, 'info', undefined);
  });
});
