/**
 * Label filters (`| status >= 400`, `| level=~"warn|error"`, `| latency > 250ms`,
 * `| size > 20MB`, combined with and/or). Loki's rules, checked against pkg/logql/log/label_filter.go:
 * - String matchers compare a missing label as "" and can match `__error__`; regexes are anchored.
 * - Numeric, duration and bytes filters pass an entry that already has an error (only string
 *   matchers can filter those out), drop the entry when the label is missing; when the value
 *   does not convert they keep the entry and set `__error__="LabelFilterErr"` (unless an error
 *   is already set) with the conversion error in `__error_details__`.
 * - `or` stops at the first side that passes; `and` evaluates both sides.
 * - `addr = ip("…")` / `addr != ip("…")` (ip.ts): an entry that has an error passes, a missing
 *   label fails both forms.
 */
import type { ComparisonOp, LabelFilterExpr, LabelFilterStage } from '../ast.js';
import { tryParseGoDuration } from '../duration.js';
import { tryParseBytes } from '../bytes.js';
import type { LabelsBuilder } from '../labels-builder.js';
import { compileAnchoredRegex } from '../regex.js';
import { ERR_LABEL_FILTER, type StageRunner } from './stage.js';
import { ipMatcher } from './ip.js';

export type LabelPredicate = (labels: LabelsBuilder) => boolean;

/** Go's strconv.ParseFloat for the inputs that matter: decimals, exponents, Inf, NaN. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return (s[0] === '-' ? -1 : 1) * Number(s.replace(/^[+-]/, ''));
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (l === 'nan') return NaN;
  return undefined;
}

function compare(op: ComparisonOp, a: number, b: number): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

function converting(name: string, op: ComparisonOp, want: number, convert: (v: string) => number | undefined, describe: (v: string) => string): LabelPredicate {
  return (labels) => {
    // Loki: with an error already set, only string matchers can filter the entry out.
    if (labels.err !== '') return true;
    const v = labels.get(name);
    if (v === undefined) return false;
    const n = convert(v);
    if (n === undefined) {
      labels.setErr(ERR_LABEL_FILTER, describe(v));
      return true;
    }
    return compare(op, n, want);
  };
}

export function buildLabelPredicate(f: LabelFilterExpr): LabelPredicate {
  switch (f.type) {
    case 'and': {
      const l = buildLabelPredicate(f.left);
      const r = buildLabelPredicate(f.right);
      return (labels) => {
        const a = l(labels);
        const b = r(labels);
        return a && b;
      };
    }
    case 'or': {
      const l = buildLabelPredicate(f.left);
      const r = buildLabelPredicate(f.right);
      return (labels) => l(labels) || r(labels);
    }
    case 'string': {
      const { name, value } = f;
      switch (f.op) {
        case '=':
          return (labels) => (labels.get(name) ?? '') === value;
        case '!=':
          return (labels) => (labels.get(name) ?? '') !== value;
        case '=~': {
          const re = compileAnchoredRegex(value);
          return (labels) => re.test(labels.get(name) ?? '');
        }
        case '!~': {
          const re = compileAnchoredRegex(value);
          return (labels) => !re.test(labels.get(name) ?? '');
        }
      }
      break;
    }
    case 'number':
      return converting(f.name, f.op, f.value, parseGoFloat, (v) => `strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    case 'duration':
      return converting(f.name, f.op, f.value, tryParseGoDuration, (v) => `time: invalid duration ${JSON.stringify(v)}`);
    case 'bytes':
      return converting(f.name, f.op, f.value, tryParseBytes, (v) => `strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    case 'ip': {
      // Loki: an entry with an error passes; a missing label fails both `=` and `!=`.
      const m = ipMatcher(f.pattern);
      const { name } = f;
      const negate = f.op === '!=';
      return (labels) => {
        if (labels.err !== '') return true;
        const v = labels.get(name);
        if (v === undefined) return false;
        return m(v) !== negate;
      };
    }
  }
}

export function labelFilterStage(stage: LabelFilterStage): StageRunner {
  const pred = buildLabelPredicate(stage.filter);
  return {
    keepsLabels: true,
    process: (line, labels) => (pred(labels) ? line : null),
  };
}
