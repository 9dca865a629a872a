/**
 * Line filters: `|=` contains, `!=` does not contain, `|~` / `!~` RE2 regex (unanchored),
 * `|>` / `!>` Loki 3 pattern match of the whole line. Several values joined by `or` match
 * when any does (`|= "a" or "b"`); for the negative ops, when none does. `|= ip("…")` /
 * `!= ip("…")` keep lines that hold (or do not hold) an address the pattern contains (ip.ts).
 */
import type { LineFilterStage } from '../ast.js';
import { compileRegex, isLiteralPattern } from '../regex.js';
import { compilePattern } from './pattern-matcher.js';
import { ipMatcher } from './ip.js';
import type { StageRunner } from './stage.js';

export type LinePredicateFn = (line: string) => boolean;

function positive(op: string, value: string): LinePredicateFn {
  switch (op) {
    case '|=':
    case '!=':
      if (value === '') return () => true;
      return (line) => line.includes(value);
    case '|~':
    case '!~': {
      if (isLiteralPattern(value)) return value === '' ? () => true : (line) => line.includes(value);
      const re = compileRegex(value);
      return (line) => re.test(line);
    }
    default: {
      const p = compilePattern(value, { filterOnly: true });
      return (line) => p.test(line);
    }
  }
}

/** Builds the predicate of a line filter stage. */
export function buildLineFilter(stage: LineFilterStage): LinePredicateFn {
  const negate = stage.op[0] === '!';
  if (stage.ip) {
    const m = ipMatcher(stage.values[0]);
    return negate ? (line) => !m(line) : m;
  }
  const preds = stage.values.map((v) => positive(stage.op, v));
  if (preds.length === 1) {
    const p = preds[0];
    return negate ? (line) => !p(line) : p;
  }
  const any = (line: string): boolean => {
    for (const p of preds) if (p(line)) return true;
    return false;
  };
  return negate ? (line) => !any(line) : any;
}

export function lineFilterStage(stage: LineFilterStage): StageRunner {
  const pred = buildLineFilter(stage);
  return {
    keepsLabels: true,
    process: (line) => (pred(line) ? line : null),
  };
}
