/** Translation of pushed-down predicates into DuckDB SQL. DuckDB's regexp functions are RE2. */
import type { LinePredicate } from '../../logql/plan.js';

export function quote(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

export function lineSql(p: LinePredicate): string {
  switch (p.type) {
    case 'contains':
      return `contains(line, ${quote(p.value)})`;
    case 'regex':
      return `regexp_matches(line, ${quote(p.pattern)})`;
    case 'not':
      return `NOT (${lineSql(p.expr)})`;
    case 'and':
      return p.exprs.length === 0 ? 'TRUE' : '(' + p.exprs.map(lineSql).join(' AND ') + ')';
    case 'or':
      return p.exprs.length === 0 ? 'FALSE' : '(' + p.exprs.map(lineSql).join(' OR ') + ')';
  }
}
