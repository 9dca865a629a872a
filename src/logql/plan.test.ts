import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LinePredicate } from './plan.js';
import type { Level } from '../model/level.js';
import { parseLogSelector } from './parser.js';
import { evalLinePredicate, planLogQuery } from './plan.js';
import { matchesLabels, type Matcher } from './matcher.js';
import { formatStage } from './format.js';
import { compileRegex } from './regex.js';

describe('planLogQuery', () => {
  const f = (q: string, want: { matchers: Matcher[]; levels?: Level[]; line?: LinePredicate; stages: string[] }, opts = {}): void => {
    const p = planLogQuery(parseLogSelector(q), opts);
    assert.deepEqual(p.matchers, want.matchers, q);
    assert.deepEqual(p.levels, want.levels, q);
    assert.deepEqual(p.line, want.line, q);
    assert.deepEqual(p.stages.map(formatStage), want.stages, q);
    assert.equal(p.pipeline.noop, want.stages.length === 0, q);
  };
  const app: Matcher = { name: 'app', op: '=', value: 'x' };
  it('pushes leading line filters down', () => {
    f('{app="x"}', { matchers: [app], stages: [] });
    f('{app="x"} |= "a"', { matchers: [app], line: { type: 'contains', value: 'a' }, stages: [] });
    f('{app="x"} |= "a" != "b" |~ "c+" !~ "d|e"', {
      matchers: [app],
      line: {
        type: 'and',
        exprs: [
          { type: 'contains', value: 'a' },
          { type: 'not', expr: { type: 'contains', value: 'b' } },
          { type: 'regex', pattern: 'c+' },
          { type: 'not', expr: { type: 'regex', pattern: 'd|e' } },
        ],
      },
      stages: [],
    });
    f('{app="x"} |= "a" or "b" != "c" or "d"', {
      matchers: [app],
      line: {
        type: 'and',
        exprs: [
          { type: 'or', exprs: [{ type: 'contains', value: 'a' }, { type: 'contains', value: 'b' }] },
          { type: 'not', expr: { type: 'or', exprs: [{ type: 'contains', value: 'c' }, { type: 'contains', value: 'd' }] } },
        ],
      },
      stages: [],
    });
    f('{app="x"} |= "" |= "a"', { matchers: [app], line: { type: 'contains', value: 'a' }, stages: [] });
    f('{app="x"} |= "a" | json |= "b"', { matchers: [app], line: { type: 'contains', value: 'a' }, stages: ['| json', '|= "b"'] });
    f('{app="x"} |> "<_> a" |= "b"', { matchers: [app], line: { type: 'contains', value: 'b' }, stages: ['|> "<_> a"'] });
    f('{app="x"} | line_format "{{.a}}" |= "b"', { matchers: [app], stages: ['| line_format "{{.a}}"', '|= "b"'] });
    f('{app="x"} |= "a"', { matchers: [app], line: { type: 'contains', value: 'a' }, stages: ['|= "a"'] }, { recheckLine: true });
  });
  it('turns level matchers and leading level filters into a level set', () => {
    f('{app="x", level="error"}', { matchers: [app], levels: ['error'], stages: [] });
    f('{level=~"warn|error|critical"}', { matchers: [], levels: ['warn', 'error', 'critical'], stages: [] });
    f('{app="x", level!="debug", level!="trace"}', { matchers: [app], levels: ['unknown', 'info', 'warn', 'error', 'critical'], stages: [] });
    f('{app="x"} | level="error" or level="warn"', { matchers: [app], levels: ['warn', 'error'], stages: [] });
    f('{app="x", level=~"warn|error"} |= "a" | level!="warn"', { matchers: [app], levels: ['error'], line: { type: 'contains', value: 'a' }, stages: [] });
    f('{app="x"} | status="500" | level="info"', { matchers: [app], levels: ['info'], stages: ['| status="500"'] });
    f('{app="x"} | level="info", status="500"', { matchers: [app], stages: ['| level="info" and status="500"'] });
    f('{app="x"} | json | level="info"', { matchers: [app], stages: ['| json', '| level="info"'] });
    f('{app="x"} | level="nope"', { matchers: [app], levels: [], stages: [] });
    f('{app="x", level="error"} | level="error"', { matchers: [app, { name: 'level', op: '=', value: 'error' }], stages: ['| level="error"'] }, { streamHasLevelLabel: true });
  });
  it('leaves a pipeline that gives the same answers as running everything', () => {
    const q = '{app="x", level=~"info|error"} |= "GET" !~ "health" | logfmt | status >= 500';
    const full = parseLogSelector(q);
    const plan = planLogQuery(full);
    const rows: Array<[string, Level]> = [
      ['GET /api status=500', 'error'],
      ['GET /health status=500', 'error'],
      ['POST /api status=500', 'error'],
      ['GET /api status=200', 'info'],
      ['GET /api status=503', 'warn'],
    ];
    const re = (p: string): { test(s: string): boolean } => compileRegex(p);
    for (const [line, level] of rows) {
      const stored = plan.levels!.includes(level) && evalLinePredicate(plan.line!, line, re);
      const planned = stored ? plan.pipeline.process(0n, line, { app: 'x' }, undefined, level) : null;
      assert.equal(planned !== null, line === 'GET /api status=500', line);
    }
  });
});

describe('matchesLabels', () => {
  const f = (ms: Matcher[], labels: Record<string, string>, want: boolean): void => assert.equal(matchesLabels(ms, labels), want, JSON.stringify(ms));
  it('uses Prometheus matcher semantics', () => {
    f([], { a: '1' }, true);
    f([{ name: 'a', op: '=', value: '1' }], { a: '1' }, true);
    f([{ name: 'a', op: '!=', value: '1' }], { a: '1' }, false);
    f([{ name: 'a', op: '=~', value: '1|2' }], { a: '2' }, true);
    f([{ name: 'a', op: '=~', value: '1' }], { a: '12' }, false);
    f([{ name: 'a', op: '!~', value: '1.*' }], { a: '12' }, false);
    f([{ name: 'b', op: '=', value: '' }], { a: '1' }, true);
    f([{ name: 'b', op: '!=', value: '' }], { a: '1' }, false);
    f([{ name: 'a', op: '=~', value: '(?i)ABC' }], { a: 'abc' }, true);
    f([{ name: 'a', op: '=~', value: 'x.y' }], { a: 'x\ny' }, true);
    f([{ name: 'constructor', op: '=', value: '' }], {}, true);
  });
});
