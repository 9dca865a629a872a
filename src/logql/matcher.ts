/**
 * Label matchers (`=`, `!=`, `=~`, `!~`) with Prometheus semantics: regexes are fully anchored
 * and a missing label compares as the empty string.
 */
import type { Labels } from '../model/labels.js';
import type { MatchOp } from './ast.js';
import { compileAnchoredRegex } from './regex.js';

/** A stream matcher, as the planner hands it to storage resolution. */
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** Whether `value` satisfies `op value`. Regexes must already be valid (the parser checks). */
export function matchValue(op: MatchOp, pattern: string, value: string): boolean {
  switch (op) {
    case '=':
      return value === pattern;
    case '!=':
      return value !== pattern;
    case '=~':
      return compileAnchoredRegex(pattern).test(value);
    case '!~':
      return !compileAnchoredRegex(pattern).test(value);
  }
}

/** Whether every matcher matches `labels` (a missing label is ""). Used to resolve streams in memory. */
export function matchesLabels(matchers: Matcher[], labels: Labels): boolean {
  for (const m of matchers) {
    const v = labels[m.name];
    if (!matchValue(m.op, m.value, typeof v === 'string' ? v : '')) return false;
  }
  return true;
}

/** Prints a matcher as LogQL (`name="value"`). */
export function matcherToString(m: Matcher): string {
  return m.name + m.op + quoteString(m.value);
}

/** Go `strconv.Quote`-style double-quoted string (what the lexer reads back identically). */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}
