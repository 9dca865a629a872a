/**
 * Prints a query as Loki's `/loki/api/v1/format_query` does (pkg/logql/syntax prettier.go over
 * the `String()` of each AST node in ast.go and log/label_filter.go), which is not format.ts's
 * canonical form:
 * - an expression whose one-line form fits in 100 bytes stays on one line; a longer one is split,
 *   each level indented by two spaces: pipeline stages one per line, function arguments one per
 *   line between `op(` and `)`, binary operators on a line of their own between their operands;
 * - one-line forms are Loki's: every binary operation in parentheses (`(a / b)`), `sum by (x)(...)`,
 *   `topk(5,...)`, `rate({a="b"} |= "x"[5m])`, `offset 1h0m0s` (Go's duration; the split form
 *   prints `offset 1h`), numeric label filters with `==`, durations as Go prints them (`1m0s`),
 *   byte sizes as go-humanize prints them (`20MB`), `and` of label filters as `( a , b )`,
 *   literals as Go's `%v` (`1e+06`), `vector(1.000000)`; an operation on two literals is folded
 *   (`1+1` → `2`), as Loki's parser does;
 * - a negative line filter with `or` is printed as the chain Loki turns it into
 *   (`!= "a" or "b"` → `!= "a" != "b"`).
 * Where Loki's split form drops the `or` alternatives of a line filter (a bug), they are kept.
 */
import type { Expr, Grouping, LabelFilterExpr, LineFilterStage, LogRangeExpr, LogSelectorExpr, MetricExpr, Stage, Unwrap, VectorMatching } from './ast.js';
import { formatDuration } from './duration.js';
import { formatLabelFilter, formatStage } from './format.js';
import { humanizeBytes } from './humanize.js';
import { matcherToString, quoteString } from './matcher.js';

const MAX_CHARS_PER_LINE = 100;

const indent = (level: number): string => '  '.repeat(level);

/** Go `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. */
export function goFormatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const s = String(v);
  if (!/e/i.test(s)) return s;
  const [mant, expS] = s.split(/e/i);
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace(/^-/, '').replace('.', '');
  const point = mant.replace(/^-/, '').indexOf('.') < 0 ? mant.replace(/^-/, '').length : mant.replace(/^-/, '').indexOf('.');
  const at = point + exp;
  let out: string;
  if (at <= 0) out = '0.' + '0'.repeat(-at) + digits;
  else if (at >= digits.length) out = digits + '0'.repeat(at - digits.length);
  else out = digits.slice(0, at) + '.' + digits.slice(at);
  return (neg ? '-' : '') + out;
}

/** Go `fmt.Sprint(float64)` (`%v`, i.e. `%g` with shortest digits): exponent form when the exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`). */
export function goSprintFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expS] = v.toExponential().split('e'); // shortest round-trip digits, as Go's
  const exp = Number(expS);
  if (exp < -4 || exp >= 6) return mant + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  return goFormatFloatF(v);
}

/** Go `time.Duration.String()` of a number of milliseconds (`1h0m0s`, `1m30s`, `500ms`). */
export function goDurationString(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let ns = Math.round(Math.abs(ms) * 1e6);
  let out: string;
  if (ns < 1e9) {
    if (ns < 1e3) out = `${ns}ns`;
    else if (ns < 1e6) out = `${trimFrac(ns / 1e3)}µs`;
    else out = `${trimFrac(ns / 1e6)}ms`;
  } else {
    const h = Math.floor(ns / 3.6e12);
    ns -= h * 3.6e12;
    const m = Math.floor(ns / 6e10);
    ns -= m * 6e10;
    const s = trimFrac(ns / 1e9);
    out = (h > 0 ? `${h}h` : '') + (h > 0 || m > 0 ? `${m}m` : '') + `${s}s`;
  }
  return (neg ? '-' : '') + out;
}

function trimFrac(x: number): string {
  return String(Number(x.toFixed(9)));
}

// ---------------------------------------------------------------- Loki's String()

function labelFilterString(f: LabelFilterExpr): string {
  switch (f.type) {
    case 'and':
    case 'or':
      return '( ' + labelFilterString(f.left) + (f.type === 'and' ? ' , ' : ' or ') + labelFilterString(f.right) + ' )';
    case 'string':
      return f.name + f.op + quoteString(f.value);
    case 'number':
      return f.name + cmpOp(f.op) + goFormatFloatF(f.value);
    case 'duration':
      return f.name + cmpOp(f.op) + goDurationString(f.value / 1e6);
    case 'bytes':
      return f.name + cmpOp(f.op) + humanizeBytes(f.value);
    default:
      // A filter kind this printer does not know (added to the AST later): the canonical form.
      return formatLabelFilter(f);
  }
}

function cmpOp(op: string): string {
  return op === '=' ? '==' : op;
}

/** One line filter of a chain; a negative one with several values is a chain itself. */
function lineFilterParts(s: LineFilterStage): string[] {
  if (s.ip) return [s.op + ' ip(' + quoteString(s.values[0]) + ')'];
  const negative = s.op[0] === '!';
  if (negative) return s.values.map((v) => s.op + ' ' + quoteString(v));
  return [s.op + ' ' + s.values.map(quoteString).join(' or ')];
}

/** A stage in Loki's String() form: line and label filters print as Loki's do, the rest as format.ts. */
function stageString(s: Stage): string {
  switch (s.type) {
    case 'line_filter':
      return lineFilterParts(s).join(' ');
    case 'label_filter':
      return '| ' + labelFilterString(s.filter);
    default:
      return formatStage(s);
  }
}

/** Consecutive line filters form one stage in Loki's AST (a chain). */
function stageGroups(stages: readonly Stage[]): Stage[][] {
  const out: Stage[][] = [];
  for (const s of stages) {
    const last = out[out.length - 1];
    if (s.type === 'line_filter' && last && last[0].type === 'line_filter') last.push(s);
    else out.push([s]);
  }
  return out;
}

function groupString(g: Stage[]): string {
  return g.map(stageString).join(' ');
}

function selectorString(e: LogSelectorExpr): string {
  const m = '{' + e.matchers.map(matcherToString).join(', ') + '}';
  return e.stages.length ? m + ' ' + stageGroups(e.stages).map(groupString).join(' ') : m;
}

function unwrapString(u: Unwrap): string {
  let s = u.conversion ? ` | unwrap ${u.conversion}(${u.label})` : ` | unwrap ${u.label}`;
  for (const f of u.postFilters) s += ' | ' + labelFilterString(f);
  return s;
}

function rangeString(r: LogRangeExpr): string {
  let s = selectorString(r.selector);
  if (r.unwrap) s += unwrapString(r.unwrap);
  s += '[' + formatDuration(r.rangeMs) + ']';
  if (r.offsetMs) s += ' offset ' + goDurationString(r.offsetMs);
  return s;
}

function groupingString(g: Grouping): string {
  return (g.without ? ' without ' : ' by ') + '(' + g.labels.join(',') + ')';
}

function groupingPretty(g: Grouping | undefined): string {
  if (!g) return '';
  let s = g.without ? ' without' : g.labels.length > 0 ? ' by' : '';
  if (g.labels.length > 0) s += ' (' + g.labels.join(', ') + ')';
  return s;
}

function binaryOpString(op: string, returnBool: boolean, m: VectorMatching | undefined): string {
  if (returnBool) op += ' bool';
  if (m) {
    let group = m.card === 'many-to-one' ? 'group_left' : m.card === 'one-to-many' ? 'group_right' : '';
    if (m.include.length > 0 || m.card !== 'one-to-one') group = `${group} (${m.include.join(',')})`;
    if (m.on || m.labels.length > 0) op = `${op} ${m.on ? 'on' : 'ignoring'} (${m.labels.join(',')}) ${group}`;
  }
  return op;
}

function binaryOpPretty(op: string, returnBool: boolean, m: VectorMatching | undefined): string {
  if (returnBool) op += ' bool';
  if (m) {
    let group = m.card === 'many-to-one' ? 'group_left' : m.card === 'one-to-many' ? 'group_right' : '';
    if (m.include.length > 0) group = `${group} (${m.include.join(', ')})`;
    if (m.labels.length > 0) op = `${op} ${m.on ? 'on' : 'ignoring'} (${m.labels.join(', ')}) ${group}`;
  }
  return op;
}

/** Loki folds an operation on two literals into one literal while parsing. */
function fold(e: MetricExpr): MetricExpr {
  switch (e.type) {
    case 'binary': {
      const left = fold(e.left);
      const right = fold(e.right);
      if (left.type === 'literal' && right.type === 'literal') {
        const v = foldValue(e.op, left.value, right.value);
        if (v !== undefined) return { type: 'literal', value: v };
      }
      return left === e.left && right === e.right ? e : { ...e, left, right };
    }
    case 'vector_aggregation': {
      const expr = fold(e.expr);
      return expr === e.expr ? e : { ...e, expr };
    }
    case 'label_replace': {
      const expr = fold(e.expr);
      return expr === e.expr ? e : { ...e, expr };
    }
    default:
      return e;
  }
}

function foldValue(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '^': return a ** b;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    default: return undefined;
  }
}

function vectorParams(e: Extract<MetricExpr, { type: 'vector_aggregation' }>): string | undefined {
  if (e.op === 'topk' || e.op === 'bottomk') return String(Math.trunc(e.param ?? 0));
  return e.param ? String(Math.trunc(e.param)) : undefined;
}

function metricString(e: MetricExpr): string {
  switch (e.type) {
    case 'literal':
      return goSprintFloat(e.value);
    case 'vector':
      return 'vector(' + e.value.toFixed(6) + ')';
    case 'range_aggregation':
      return e.op + '(' + (e.param !== undefined ? goFormatFloatF(e.param) + ',' : '') + rangeString(e.range) + ')' + (e.grouping ? groupingString(e.grouping) : '');
    case 'vector_aggregation': {
      const p = vectorParams(e);
      const g = e.grouping && (e.grouping.without || e.grouping.labels.length > 0) ? groupingString(e.grouping) : '';
      return e.op + g + '(' + (p !== undefined ? p + ',' : '') + metricString(e.expr) + ')';
    }
    case 'label_replace':
      return 'label_replace(' + [metricString(e.expr), quoteString(e.dst), quoteString(e.replacement), quoteString(e.src), quoteString(e.regex)].join(',') + ')';
    case 'binary':
      return '(' + metricString(e.left) + ' ' + binaryOpString(e.op, e.returnBool, e.matching) + ' ' + metricString(e.right) + ')';
  }
}

/** Loki's one-line `String()` of an expression. */
export function lokiString(e: Expr): string {
  return e.type === 'log_selector' ? selectorString(e) : metricString(fold(e));
}

// ---------------------------------------------------------------- Loki's Pretty()


function selectorPretty(e: LogSelectorExpr, level: number, max: number): string {
  const needSplit = (x: string): boolean => Buffer.byteLength(x) > max;
  const one = selectorString(e);
  if (e.stages.length === 0 || !needSplit(one)) return indent(level) + one;
  const lines = [indent(level) + '{' + e.matchers.map(matcherToString).join(', ') + '}'];
  for (const g of stageGroups(e.stages)) {
    if (g[0].type === 'decolorize') lines.push(stageString(g[0])); // Loki does not indent it
    else if (g[0].type !== 'line_filter') lines.push(indent(level + 1) + groupString(g));
    else lines.push(chainPretty(g.flatMap((x) => lineFilterParts(x as LineFilterStage)), level + 1, needSplit));
  }
  return lines.join('\n');
}

/**
 * A chain of line filters (Loki's LineFilterExpr.Pretty): on one line when it fits, else its
 * head (all but the last filter) printed the same way, and the last filter on a line of its own.
 */
function chainPretty(parts: string[], level: number, needSplit: (s: string) => boolean): string {
  if (parts.length === 1 || !needSplit(parts.join(' '))) return indent(level) + parts.join(' ');
  return chainPretty(parts.slice(0, -1), level, needSplit) + '\n' + indent(level) + parts[parts.length - 1];
}

function rangePretty(r: LogRangeExpr, level: number, max: number): string {
  let s = selectorPretty(r.selector, level, max);
  if (r.unwrap) {
    const u = r.unwrap;
    s += '\n' + indent(level + 1) + (u.conversion ? `| unwrap ${u.conversion}(${u.label})` : `| unwrap ${u.label}`);
    for (const f of u.postFilters) s += '\n' + indent(level + 1) + '| ' + labelFilterString(f);
  }
  s += ' [' + formatDuration(r.rangeMs) + ']';
  if (r.offsetMs) s += ' offset ' + formatDuration(r.offsetMs);
  return s;
}

function metricPretty(e: MetricExpr, level: number, max: number): string {
  const one = metricString(e);
  if (Buffer.byteLength(one) <= max) return indent(level) + one;
  switch (e.type) {
    case 'literal':
    case 'vector':
      return indent(level) + one;
    case 'range_aggregation': {
      let s = indent(level) + e.op + '(\n';
      if (e.param !== undefined) s += indent(level + 1) + goFormatFloatF(e.param) + ',\n';
      s += rangePretty(e.range, level + 1, max) + '\n' + indent(level) + ')';
      return s + groupingPretty(e.grouping);
    }
    case 'vector_aggregation': {
      const p = vectorParams(e);
      const params = p !== undefined ? [indent(level + 1) + p, metricPretty(e.expr, level + 1, max)] : [metricPretty(e.expr, level + 1, max)];
      return indent(level) + e.op + groupingPretty(e.grouping) + '(\n' + params.join(',\n') + '\n' + indent(level) + ')';
    }
    case 'label_replace': {
      const params = [metricPretty(e.expr, level + 1, max), ...[e.dst, e.replacement, e.src, e.regex].map((x) => indent(level + 1) + quoteString(x))];
      return indent(level) + 'label_replace(\n' + params.join(',\n') + '\n' + indent(level) + ')';
    }
    case 'binary':
      return metricPretty(e.left, level + 1, max) + '\n' + indent(level) + binaryOpPretty(e.op, e.returnBool, e.matching) + '\n' + metricPretty(e.right, level + 1, max);
  }
}

/** Loki's `syntax.Prettify`: what `format_query` answers (`maxCharsPerLine` is 100 in Loki; its tests use 20). */
export function prettify(e: Expr, maxCharsPerLine = MAX_CHARS_PER_LINE): string {
  return e.type === 'log_selector' ? selectorPretty(e, 0, maxCharsPerLine) : metricPretty(fold(e), 0, maxCharsPerLine);
}
