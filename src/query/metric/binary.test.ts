import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMetricExpr } from '../../logql/parser.js';
import type { BinaryOpExpr } from '../../logql/ast.js';
import { labelsToString } from '../../model/labels.js';
import { applyOp, vectorScalar, vectorVector } from './binary.js';
import type { InstantSample } from './series.js';

const L: InstantSample[] = [
  { labels: { app: 'a', env: 'prod' }, value: 10 },
  { labels: { app: 'b', env: 'prod' }, value: 4 },
  { labels: { app: 'b', env: 'dev' }, value: 2 },
];
const R: InstantSample[] = [
  { labels: { app: 'a' }, value: 5 },
  { labels: { app: 'b' }, value: 2 },
];
const show = (v: InstantSample[]): string[] => v.map((s) => `${labelsToString(s.labels)}=${s.value}`);
// Operands are parsed only for the operator and its modifiers.
const op = (text: string): BinaryOpExpr => parseMetricExpr(`vector(1) ${text} vector(1)`) as BinaryOpExpr;

describe('binary operators', () => {
  it('arithmetic and comparison on numbers', () => {
    const f = (o: Parameters<typeof applyOp>[0], a: number, b: number, want: number): void => assert.equal(applyOp(o, a, b), want, `${a} ${o} ${b}`);
    f('+', 1, 2, 3);
    f('-', 1, 2, -1);
    f('*', 3, 2, 6);
    f('/', 1, 4, 0.25);
    f('/', 1, 0, NaN);
    f('%', 1, 0, NaN);
    f('%', -7, 3, -1);
    f('^', 2, 10, 1024);
    f('==', 2, 2, 1);
    f('!=', 2, 2, 0);
    f('>=', 2, 3, 0);
    f('<', 2, 3, 1);
  });

  it('vector and scalar', () => {
    const f = (text: string, scalar: number, left: boolean, want: string[]): void => assert.deepEqual(show(vectorScalar(op(text), L, scalar, left)), want, text);
    f('*', 2, false, ['{app="a", env="prod"}=20', '{app="b", env="prod"}=8', '{app="b", env="dev"}=4']);
    f('-', 20, true, ['{app="a", env="prod"}=10', '{app="b", env="prod"}=16', '{app="b", env="dev"}=18']);
    f('>', 3, false, ['{app="a", env="prod"}=10', '{app="b", env="prod"}=4']);
    f('> bool', 3, false, ['{app="a", env="prod"}=1', '{app="b", env="prod"}=1', '{app="b", env="dev"}=0']);
    f('<', 3, true, ['{app="a", env="prod"}=10', '{app="b", env="prod"}=4']);
  });

  it('vector and vector', () => {
    const f = (text: string, l: InstantSample[], r: InstantSample[], want: string[]): void => assert.deepEqual(show(vectorVector(op(text), l, r)), want, text);
    f('+', R, R, ['{app="a"}=10', '{app="b"}=4']);
    f('/ on (app) group_left', L, R, ['{app="a", env="prod"}=2', '{app="b", env="prod"}=2', '{app="b", env="dev"}=1']);
    f('/ on (app) group_right', R, L, ['{app="a", env="prod"}=0.5', '{app="b", env="prod"}=0.5', '{app="b", env="dev"}=1']);
    f('- on (app)', [L[0]], R, ['{app="a"}=5']);
    f('- ignoring (env)', [L[0]], R, ['{app="a"}=5']);
    f('> on (app) group_left', L, R, ['{app="a", env="prod"}=10', '{app="b", env="prod"}=4']);
    f('== bool on (app) group_left', L, R, ['{app="a", env="prod"}=0', '{app="b", env="prod"}=0', '{app="b", env="dev"}=1']);
    f('and on (app)', L, [R[1]], ['{app="b", env="prod"}=4', '{app="b", env="dev"}=2']);
    f('unless on (app)', L, [R[1]], ['{app="a", env="prod"}=10']);
    f('or', R, [L[0], { labels: { app: 'a' }, value: 99 }], ['{app="a"}=5', '{app="b"}=2', '{app="a", env="prod"}=10']);
  });

  it('refuses many-to-many matching', () => {
    assert.throws(() => vectorVector(op('/ on (app)'), R, L), /^LogSentinelError: found duplicate series on the right hand-side;many-to-many matching not allowed: matching labels must be unique on one side$/);
  });
});
