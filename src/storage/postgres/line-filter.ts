/**
 * Pushed-down line predicates in PostgreSQL. `contains` becomes `strpos(line, $n) > 0`, exact
 * and byte-for-byte. Regular expressions are never evaluated exactly by PostgreSQL: its flavour
 * (ARE) differs from RE2 (what `.`, `[^…]`, `\w`, `\s`, `\b`, `(?i)` and `{n,m}` mean or accept).
 * A regex is pushed down only as a broader ARE (`line ~ $n`, see regex-superset.ts) when one is
 * known, to narrow the rows; the result is then a necessary condition, not the predicate, and
 * every row is rechecked in JavaScript with RE2 (re2js) against the whole predicate.
 */
import { compileRegex } from '../../logql/regex.js';
import type { LinePredicate } from '../../logql/plan.js';
import { toPgText } from './copy-text.js';

export interface LineFilter {
  /** A SQL condition every matching row satisfies; undefined = none pushed down. */
  sql?: string;
  /** True when `sql` is exactly the predicate (no JavaScript recheck needed). */
  exact: boolean;
  /** The whole predicate in JavaScript (RE2 semantics), for rows when `exact` is false. */
  matches: (line: string) => boolean;
}

/** Collects positional parameters for one statement. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return '$' + this.values.length;
  }
}

/** A condition whose SQL is rendered (and its parameters bound) only if it is finally used. */
interface Part {
  render?: (params: Params) => string;
  exact: boolean;
}

/** The validated ARE superset of an RE2 pattern, or undefined when none is known. */
export type RegexSuperset = (pattern: string) => string | undefined;

export interface LineFilterOptions {
  regex?: RegexSuperset;
  /** Write `contains` as `line LIKE '%…%'`, which a pg_trgm GIN index serves (strpos it cannot). */
  like?: boolean;
}

/** A LIKE pattern matching lines that contain `v` (backslash is LIKE's default escape). */
export function likeContains(v: string): string {
  return '%' + v.replace(/[\\%_]/g, '\\$&') + '%';
}

function toSql(p: LinePredicate, o: LineFilterOptions): Part {
  switch (p.type) {
    case 'contains': {
      // Stored lines had NUL replaced (PostgreSQL text cannot hold it); the needle is treated alike.
      const v = toPgText(p.value);
      if (o.like) return { render: (ps) => `line LIKE ${ps.add(likeContains(v))}`, exact: true };
      return { render: (ps) => `strpos(line, ${ps.add(v)}) > 0`, exact: true };
    }
    case 'regex': {
      const are = o.regex?.(p.pattern);
      return are === undefined ? { exact: false } : { render: (ps) => `line ~ ${ps.add(are)}`, exact: false };
    }
    case 'not': {
      const inner = toSql(p.expr, o);
      // NOT of a necessary condition is not necessary: push down only exact negations.
      const r = inner.render;
      return inner.exact && r ? { render: (ps) => `NOT (${r(ps)})`, exact: true } : { exact: false };
    }
    case 'and': {
      if (p.exprs.length === 0) return { render: () => 'TRUE', exact: true };
      const parts = p.exprs.map((e) => toSql(e, o));
      const rs = parts.flatMap((x) => (x.render ? [x.render] : []));
      return { render: rs.length ? (ps) => '(' + rs.map((r) => r(ps)).join(' AND ') + ')' : undefined, exact: parts.every((x) => x.exact) };
    }
    case 'or': {
      if (p.exprs.length === 0) return { render: () => 'FALSE', exact: true };
      const parts = p.exprs.map((e) => toSql(e, o));
      // One child without a condition lets any row through.
      if (parts.some((x) => x.render === undefined)) return { exact: false };
      return { render: (ps) => '(' + parts.map((x) => x.render!(ps)).join(' OR ') + ')', exact: parts.every((x) => x.exact) };
    }
  }
}

export function jsMatcher(p: LinePredicate): (line: string) => boolean {
  switch (p.type) {
    case 'contains': {
      const v = toPgText(p.value);
      return (line) => line.includes(v);
    }
    case 'regex': {
      const re = compileRegex(p.pattern);
      return (line) => re.test(line);
    }
    case 'not': {
      const f = jsMatcher(p.expr);
      return (line) => !f(line);
    }
    case 'and': {
      const fs = p.exprs.map(jsMatcher);
      return (line) => fs.every((f) => f(line));
    }
    case 'or': {
      const fs = p.exprs.map(jsMatcher);
      return (line) => fs.some((f) => f(line));
    }
  }
}

/** The regex patterns in a predicate. */
export function regexesOf(p: LinePredicate | undefined, out: string[] = []): string[] {
  if (!p) return out;
  if (p.type === 'regex') out.push(p.pattern);
  else if (p.type === 'not') regexesOf(p.expr, out);
  else if (p.type === 'and' || p.type === 'or') for (const e of p.exprs) regexesOf(e, out);
  return out;
}

export function lineFilter(p: LinePredicate | undefined, params: Params, opts: LineFilterOptions = {}): LineFilter {
  if (!p) return { exact: true, matches: () => true };
  const part = toSql(p, opts);
  return { sql: part.render?.(params), exact: part.exact, matches: part.exact ? () => true : jsMatcher(p) };
}
