/**
 * Small, forgiving LogQL text helpers for links between pages — not a parser (that is
 * ui/src/logql/, Explore's): they only need to find a log selector `{...}` and the pipeline after
 * it, and to append a stage. String literals ("..." with escapes, `...` raw) are blanked out
 * before scanning, so braces, brackets and pipes inside them never confuse it.
 */

/** `s` with the inside of every string literal replaced by `x`, same length. */
export function maskStrings(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '"' || c === '`') {
      out += c;
      i++;
      while (i < s.length && s[i] !== c) {
        if (c === '"' && s[i] === '\\' && i + 1 < s.length) {
          out += 'xx';
          i += 2;
          continue;
        }
        out += 'x';
        i++;
      }
      if (i < s.length) {
        out += c;
        i++;
      }
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/**
 * The log query inside a LogQL expression: the first selector `{...}` with its pipeline (line
 * filters, parsers, label filters), up to the range `[5m]` or the bracket that closes the range
 * function. `| unwrap` and what follows it are dropped (they only make sense in a metric query).
 * A log query comes back as it is; an expression without a selector gives undefined.
 *
 *   sum by (svc) (count_over_time({app="api"} |= "error" [5m])) > 10  →  {app="api"} |= "error"
 */
export function innerLogQuery(expr: string): string | undefined {
  const m = maskStrings(expr);
  const start = m.indexOf('{');
  if (start < 0) return undefined;
  const close = m.indexOf('}', start);
  if (close < 0) return undefined;
  let depth = 0;
  let end = m.length;
  for (let i = close + 1; i < m.length; i++) {
    const c = m[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        end = i;
        break;
      }
      depth--;
    } else if (c === '[' && depth === 0) {
      end = i;
      break;
    }
  }
  const unwrap = /\|\s*unwrap\b/.exec(m.slice(start, end));
  if (unwrap) end = start + unwrap.index;
  return expr.slice(start, end).trim();
}

/** A LogQL string literal for `s` (LogQL takes Go's escapes, which JSON's are a subset of). */
export function logqlString(s: string): string {
  return JSON.stringify(s);
}

/** `query |= "text"` (or `!=`). */
export function withLineFilter(query: string, text: string, op: '|=' | '!=' = '|='): string {
  return `${query.trim()} ${op} ${logqlString(text)}`;
}

/**
 * A link to Explore for `query` from `from` (Grafana's forms: `now-1h`, or Unix milliseconds) to
 * `to` (now when left out). Built here rather than with the router's `href`, so this module stays
 * free of the DOM.
 */
export function exploreHref(query: string, from: string, to?: string): string {
  return `/explore?${new URLSearchParams(to === undefined ? { query, from } : { query, from, to }).toString()}`;
}
