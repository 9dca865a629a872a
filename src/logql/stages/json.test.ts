import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../../model/labels.js';
import { runStages } from './test-helpers.js';

describe('json stage', () => {
  const f = (stages: string, line: string, wantParsed: Labels, stream: Labels = { app: 'x' }): void => {
    const r = runStages(stages, line, stream);
    assert.ok(r, stages);
    assert.deepEqual(r.parsed, wantParsed, `${stages} on ${line}`);
    assert.equal(r.line, line);
  };
  it('extracts and flattens fields like Loki', () => {
    f('| json', '{"a":"b","n":1.50,"t":true,"f":false}', { a: 'b', n: '1.50', t: 'true', f: 'false' });
    f('| json', '{"a":{"b":{"c":"d"}},"e":1}', { a_b_c: 'd', e: '1' });
    f('| json', '{"arr":[1,2],"nul":null,"o":{"x":[{"y":1}]},"s":"v"}', { s: 'v' });
    f('| json', '{"big":12345678901234567890123}', { big: '12345678901234567890123' });
    f('| json', '{"esc":"a\\"b\\n\\u00e9","sl":"a\\/b"}', { esc: 'a"b\né', sl: 'a/b' });
    f('| json', '{"my-key":"1","dot.key":"2","9lives":"3","sp ace":{"in ner":"4"}}', { my_key: '1', dot_key: '2', _9lives: '3', sp_ace_in_ner: '4' });
    f('| json', '{"app":"y","level":"warn"}', { app_extracted: 'y', level: 'warn' });
    f('| json', '  {"a" : "b" ,  "c":{ } }  ', { a: 'b' });
    f('| json', '{}', {});
  });
  it('sets JSONParserErr on non-JSON lines and keeps them', () => {
    for (const line of ['not json', '[1,2]', '"str"', '{"a":', '{"a":"b"', '{"a":tru}', '']) {
      const r = runStages('| json', line);
      assert.ok(r, line);
      assert.equal(r.labels.__error__, 'JSONParserErr', line);
      assert.ok(r.labels.__error_details__, line);
    }
    // Fields before the error are still extracted, as Loki's streaming parser does.
    assert.equal(runStages('| json', '{"a":"1","b":}')!.labels.a, '1');
  });
  it('extracts parameter expressions', () => {
    const line = '{"servers":["s1","s2"],"req":{"headers":{"User-Agent":"curl"},"n":2},"list":[{"k":"v"}],"nul":null}';
    f('| json first="servers[0]", second="servers[1]", ua="req.headers[\\"User-Agent\\"]", n="req.n"', line, { first: 's1', second: 's2', ua: 'curl', n: '2' });
    f('| json obj="req.headers", arr="servers", missing="nope.x", k="list[0].k", nul="nul"', line, { obj: '{"User-Agent":"curl"}', arr: '["s1","s2"]', missing: '', k: 'v', nul: '' });
    f('| json app="servers[0]"', line, { app_extracted: 's1' });
    f('| json req', line, { req: '{"headers":{"User-Agent":"curl"},"n":2}' });
    const r = runStages('| json a="x"', 'plain text');
    assert.equal(r!.labels.__error__, 'JSONParserErr');
  });
  it('keeps structured metadata and suffixes a colliding parsed label with _extracted (Loki 3)', () => {
    const r = runStages('| json', '{"trace":"p"}', { app: 'x' }, { trace: 'm', other: 'o' });
    assert.deepEqual(r!.labels, { app: 'x', other: 'o', trace: 'm', trace_extracted: 'p' });
    assert.deepEqual(r!.structuredMetadata, { trace: 'm', other: 'o' });
    assert.deepEqual(r!.parsed, { trace_extracted: 'p' });
  });
});
