/**
 * Binary operators between scalars and instant vectors, with Loki 3's semantics (pkg/logql
 * evaluator.go `vectorBinop`, syntax/binop.go): arithmetic `+ - * / % ^`, comparisons
 * `== != > >= < <=` (filtering, or 0/1 with `bool`), set operators `and or unless`, with
 * `on(...)`/`ignoring(...)` label matching and `group_left(...)`/`group_right(...)`.
 *
 * Where Loki differs from Prometheus we follow Loki: `x / 0` and `x % 0` are NaN (not ±Inf), and
 * the uniqueness of a match is checked before a comparison filters it, with Loki's error texts.
 */
import { LogSentinelError } from '../../errors.js';
import type { BinaryOp, BinaryOpExpr, VectorMatching } from '../../logql/ast.js';
import type { Labels } from '../../model/labels.js';
import { labelsKey, type InstantSample } from './series.js';

const COMPARISONS = new Set<BinaryOp>(['==', '!=', '>', '>=', '<', '<=']);

export function isComparison(op: BinaryOp): boolean {
  return COMPARISONS.has(op);
}

/** Applies an arithmetic or comparison operator; comparisons give 1/0. */
export function applyOp(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      // Loki guards the division: any x / 0 is NaN, never ±Inf.
      return b === 0 ? NaN : a / b;
    case '%':
      return b === 0 ? NaN : a % b;
    case '^':
      return Math.pow(a, b);
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    default:
      throw new Error(`BUG: ${op} is not an arithmetic or comparison operator`);
  }
}

/** scalar op scalar. */
export function scalarScalar(op: BinaryOp, a: number, b: number): number {
  return applyOp(op, a, b);
}

/** vector op scalar (`scalarLeft` = the scalar is the left operand). */
export function vectorScalar(expr: Pick<BinaryOpExpr, 'op' | 'returnBool'>, vec: InstantSample[], scalar: number, scalarLeft: boolean): InstantSample[] {
  const out: InstantSample[] = [];
  for (const s of vec) {
    const [a, b] = scalarLeft ? [scalar, s.value] : [s.value, scalar];
    const v = applyOp(expr.op, a, b);
    if (isComparison(expr.op)) {
      if (expr.returnBool) out.push({ labels: s.labels, value: v });
      else if (v === 1) out.push({ labels: s.labels, value: s.value });
    } else out.push({ labels: s.labels, value: v });
  }
  return out;
}

/** Loki's errors for a match that is not unique (a 400 here: the query is at fault). */
function duplicateOnOneSide(side: 'left' | 'right'): LogSentinelError {
  return new LogSentinelError('BAD_REQUEST', `found duplicate series on the ${side} hand-side;many-to-many matching not allowed: matching labels must be unique on one side`);
}
export const IMPLICIT_MANY_TO_ONE = 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)';
export const GROUPING_NOT_UNIQUE = 'multiple matches for labels: grouping labels must ensure unique matches';

function signature(labels: Labels, m: VectorMatching | undefined): string {
  if (!m) return labelsKey(labels);
  const out: Labels = {};
  if (m.on) {
    for (const k of m.labels) if (labels[k] !== undefined) out[k] = labels[k];
  } else for (const k in labels) if (!m.labels.includes(k)) out[k] = labels[k];
  return labelsKey(out);
}

function resultLabels(left: Labels, right: Labels, m: VectorMatching | undefined): Labels {
  const card = m?.card ?? 'one-to-one';
  let out: Labels = { ...left };
  if (m && card === 'one-to-one') {
    if (m.on) {
      out = {};
      for (const k of m.labels) if (left[k] !== undefined) out[k] = left[k];
    } else for (const k of m.labels) delete out[k];
  }
  if (m) {
    for (const k of m.include) {
      if (right[k] !== undefined && right[k] !== '') out[k] = right[k];
      else delete out[k];
    }
  }
  return out;
}

/** vector op vector. */
export function vectorVector(expr: Pick<BinaryOpExpr, 'op' | 'returnBool' | 'matching'>, lhs: InstantSample[], rhs: InstantSample[]): InstantSample[] {
  const m = expr.matching;
  switch (expr.op) {
    case 'and': {
      const right = new Set(rhs.map((s) => signature(s.labels, m)));
      return lhs.filter((s) => right.has(signature(s.labels, m)));
    }
    case 'unless': {
      const right = new Set(rhs.map((s) => signature(s.labels, m)));
      return lhs.filter((s) => !right.has(signature(s.labels, m)));
    }
    case 'or': {
      const left = new Set(lhs.map((s) => signature(s.labels, m)));
      return [...lhs, ...rhs.filter((s) => !left.has(signature(s.labels, m)))];
    }
    default:
      break;
  }
  const card = m?.card ?? 'one-to-one';
  // group_right: the right side is the "many" side; swap so that `many` is always iterated.
  const swap = card === 'one-to-many';
  const many = swap ? rhs : lhs;
  const one = swap ? lhs : rhs;
  const oneBySig = new Map<string, InstantSample>();
  for (const s of one) {
    const sig = signature(s.labels, m);
    if (oneBySig.has(sig)) throw duplicateOnOneSide(swap ? 'left' : 'right');
    oneBySig.set(sig, s);
  }
  const out: InstantSample[] = [];
  // Per match signature: matched already (one-to-one), or the result label sets made (grouped).
  const matched = new Map<string, Set<string>>();
  for (const s of many) {
    const sig = signature(s.labels, m);
    const o = oneBySig.get(sig);
    if (!o) continue;
    const labels = resultLabels(s.labels, o.labels, m);
    // As Loki: uniqueness is checked before a comparison filters the pair out.
    const seen = matched.get(sig);
    if (card === 'one-to-one') {
      if (seen) throw new LogSentinelError('BAD_REQUEST', IMPLICIT_MANY_TO_ONE);
      matched.set(sig, new Set());
    } else {
      const key = labelsKey(labels);
      if (!seen) matched.set(sig, new Set([key]));
      else if (seen.has(key)) throw new LogSentinelError('BAD_REQUEST', GROUPING_NOT_UNIQUE);
      else seen.add(key);
    }
    const l = swap ? o : s;
    const r = swap ? s : o;
    let v = applyOp(expr.op, l.value, r.value);
    if (isComparison(expr.op) && !expr.returnBool) {
      if (v !== 1) continue;
      v = l.value;
    }
    out.push({ labels, value: v });
  }
  return out;
}
