import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLineFields, parseLogfmt } from '../../ui/src/logql/fields.js';
import { parseErrorPosition } from '../../ui/src/logql/parse-error.js';

test('parseLineFields: JSON objects and logfmt', () => {
  const f = (line: string, want: string): void => {
    const p = parseLineFields(line);
    assert.equal(p ? `${p.format} ${p.fields.map(([k, v]) => `${k}=${v}`).join(' ')}` : 'none', want, line);
  };
  f('{"level":"error","msg":"boom","status":500}', 'json level=error msg=boom status=500');
  f('{"req":{"method":"GET","user.id":7},"tags":["a"],"ok":true,"n":null}', 'json req_method=GET req_user_id=7 ok=true n=');
  f('level=info msg="hello \\"world\\"" dur=12ms', 'logfmt level=info msg=hello "world" dur=12ms');
  f('a=1 flag b=', 'logfmt a=1 flag= b=');
  f('plain text line', 'none');
  f('[1,2]', 'none');
  f('{broken json', 'none');
  f('msg="unterminated', 'none');
});

test('parseLogfmt rejects free text with an equals sign inside words', () => {
  assert.equal(parseLogfmt('GET /x?a=1 HTTP/1.1'), undefined);
});

test('parseErrorPosition', () => {
  const f = (msg: string, q: string, want: string): void => {
    const p = parseErrorPosition(msg, q);
    assert.equal(p ? `${p.line}:${p.col}@${p.offset} ${p.message}` : 'none', want);
  };
  f('parse error at line 1, col 15: syntax error: unexpected $end, expecting , or }', '{service="api"', '1:15@14 syntax error: unexpected $end, expecting , or }');
  f('parse error at line 2, col 3: syntax error: unexpected IDENTIFIER', '{a="b"}\n| jsn', '2:3@10 syntax error: unexpected IDENTIFIER');
  f('cannot finish query: it ran longer than the 30s query timeout', '{a="b"}', 'none');
});
