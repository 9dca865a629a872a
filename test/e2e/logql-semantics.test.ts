/**
 * Loki 3 log-pipeline semantics over HTTP: lines pushed through /loki/api/v1/push, read back
 * through /loki/api/v1/query_range, one representative case per category (collisions with
 * stream labels and structured metadata, duplicate keys, unpack, logfmt, json, ip() filters,
 * template functions, parse parity).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, removeDir, type ServerHandle, getJson } from './harness.js';

const base = BigInt(Date.now() - 60_000) * 1_000_000n;
const ts = (i: number): string => (base + BigInt(i) * 1_000_000n).toString();

interface StreamResult {
  stream: Record<string, string>;
  values: string[][];
}

describe('LogQL Loki 3 semantics end to end', () => {
  let s: ServerHandle;
  const query = async (q: string): Promise<StreamResult[]> => {
    const { status, body } = await getJson(s, '/loki/api/v1/query_range', { query: q, limit: '100', direction: 'forward' });
    assert.equal(status, 200, `${q}: ${JSON.stringify(body)}`);
    return body.data.result as StreamResult[];
  };
  /** The label sets of every returned entry, in line order. */
  const labelSets = async (q: string): Promise<Array<Record<string, string>>> => {
    const res = await query(q);
    return res.flatMap((r) => r.values.map((v) => ({ ts: v[0], line: v[1], labels: r.stream }))).sort((a, b) => (a.ts < b.ts ? -1 : 1)).map((e) => ({ ...e.labels, '@line': e.line }));
  };

  before(async () => {
    s = await startServer();
    const body = {
      streams: [
        {
          stream: { app: 'sem', kind: 'json' },
          values: [
            [ts(1), '{"app":"a","trace_id":"t","n":1,"n":2}', { trace_id: 'm1' }],
            [ts(2), '{" ": {"foo":"bar"}, "v":"x\uFFFDy", " ": "sp"}'],
            [ts(3), '{"a":"1","b":tru}'],
          ],
        },
        {
          stream: { app: 'sem', kind: 'logfmt' },
          values: [
            [ts(4), 'k=1 k=2 addr=192.168.4.5 size=2KiB took=1m30s'],
            [ts(5), 'foo=bar b\uFFFDr=10ms addr=10.0.0.7'],
          ],
        },
        {
          stream: { app: 'sem', kind: 'meta', trace_id: 's' },
          values: [[ts(8), 'meta line', { trace_id: 'm', span: 'p' }]],
        },
        {
          stream: { app: 'sem', kind: 'packed' },
          values: [
            [ts(6), '{"_entry":"inner line","pod":"p1"}'],
            [ts(7), '{"pod":"p2"}'],
          ],
        },
      ],
    };
    const r = await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 204, await r.text());
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('json: collisions get _extracted, first duplicate wins, space keys, U+FFFD, malformed lines', async () => {
    const got = await labelSets('{app="sem", kind="json"} | json | drop level');
    assert.equal(got.length, 3);
    assert.equal(got[0].app, 'sem');
    assert.equal(got[0].app_extracted, 'a');
    assert.equal(got[0].trace_id, 'm1');
    assert.equal(got[0].trace_id_extracted, 't');
    assert.equal(got[0].n, '1');
    assert.equal(got[1].foo, 'bar');
    assert.equal(got[1].v, 'x y');
    assert.equal(got[1][''], 'sp');
    assert.equal(got[2].a, '1');
    assert.equal(got[2].__error__, 'JSONParserErr');
    assert.equal(got[2].__error_details__, 'Unknown value type');
    const params = await labelSets('{app="sem", kind="json"} |= "tru" | json a="a", b="b"');
    assert.equal(params[0].a, '1');
    assert.equal(params[0].b, '');
    assert.equal(params[0].__error__, undefined);
  });

  it('logfmt: first value wins, a key holding U+FFFD is dropped, --strict reports it', async () => {
    const got = await labelSets('{app="sem", kind="logfmt"} | logfmt');
    assert.equal(got[0].k, '1');
    assert.equal(got[1].foo, 'bar');
    assert.equal(Object.keys(got[1]).some((k) => k.startsWith('b_')), false);
    const strict = await labelSets('{app="sem", kind="logfmt"} |= "foo=bar" | logfmt --strict');
    assert.equal(strict[0].__error__, 'LogfmtParserErr');
    assert.equal(strict[0].__error_details__, 'logfmt syntax error at pos 14 : invalid key');
  });

  it('unpack: replaces the line with _entry; an object without _entry is unchanged', async () => {
    const got = await labelSets('{app="sem", kind="packed"} | unpack');
    assert.deepEqual([got[0]['@line'], got[0].pod], ['inner line', 'p1']);
    assert.deepEqual([got[1]['@line'], got[1].pod], ['{"pod":"p2"}', undefined]);
  });

  it('ip(): line filter and label filter', async () => {
    const line = await labelSets('{app="sem"} |= ip("192.168.0.0/16")');
    assert.deepEqual(line.map((e) => e['@line']), ['k=1 k=2 addr=192.168.4.5 size=2KiB took=1m30s']);
    const label = await labelSets('{app="sem", kind="logfmt"} | logfmt | addr = ip("10.0.0.1-10.0.0.9")');
    assert.deepEqual(label.map((e) => e.addr), ['10.0.0.7']);
    const not = await labelSets('{app="sem", kind="logfmt"} | logfmt | addr != ip("10.0.0.0/8")');
    assert.deepEqual(not.map((e) => e.addr), ['192.168.4.5']);
    const bad = await getJson(s, '/loki/api/v1/query_range', { query: '{app="sem"} |= ip("10.0.0")' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /ip: invalid pattern/);
  });

  it('templates: bytes, duration, addf; a template failing per line sets TemplateFormatErr', async () => {
    const got = await labelSets('{app="sem", kind="logfmt"} |= "size" | logfmt | line_format "{{ .size | bytes }} {{ .took | duration }} {{ addf 1.1 2.2 }}"');
    assert.equal(got[0]['@line'], '2048 90 3.3');
    const failing = await labelSets('{app="sem", kind="logfmt"} |= "size" | line_format "{{ template \\"x\\" }}"');
    assert.equal(failing[0]['@line'], 'k=1 k=2 addr=192.168.4.5 size=2KiB took=1m30s');
    assert.equal(failing[0].__error__, 'TemplateFormatErr');
  });

  it('structured metadata named like a stream label shows as <name>_extracted, in logs and metrics', async () => {
    const logs = await labelSets('{app="sem", kind="meta"}');
    assert.equal(logs[0].trace_id, 's');
    assert.equal(logs[0].trace_id_extracted, 'm');
    assert.equal(logs[0].span, 'p');
    for (const q of ['sum by (trace_id, trace_id_extracted) (count_over_time({app="sem", kind="meta"}[1h]))', 'sum by (trace_id, trace_id_extracted) (count_over_time({app="sem", kind="meta"} |= "meta" | logfmt [1h]))', 'sum by (trace_id_extracted) (count_over_time({app="sem", kind="meta"}[1h]))']) {
      const { status, body } = await getJson(s, '/loki/api/v1/query', { query: q, time: String(Number(base / 1_000_000_000n) + 60) });
      assert.equal(status, 200, JSON.stringify(body));
      const want = q.startsWith('sum by (trace_id_extracted)') ? { trace_id_extracted: 'm' } : { trace_id: 's', trace_id_extracted: 'm' };
      assert.deepEqual(body.data.result.map((r: { metric: Record<string, string> }) => r.metric), [want], q);
    }
  });

  it('parse parity: |> "" is accepted; logfmt parameters must name identifiers', async () => {
    assert.equal((await labelSets('{app="sem"} |> ""')).length, 0);
    const bad = await getJson(s, '/loki/api/v1/query_range', { query: '{app="sem"} | logfmt a="x y"' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /cannot parse expression \[x y\]: syntax error: unexpected KEY/);
  });
});
