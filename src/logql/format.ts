/**
 * Prints an AST back to LogQL. The output is canonical (one spelling per meaning), so
 * `parseExpr(formatExpr(parseExpr(q)))` deep-equals `parseExpr(q)`.
 */
import type { Expr, Grouping, LabelFilterExpr, LabelSpec, LogRangeExpr, LogSelectorExpr, MetricExpr, Stage, Unwrap } from './ast.js';
import { formatDuration } from './duration.js';
import { matcherToString, quoteString } from './matcher.js';

const PREC: Record<string, number> = {
  or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '>': 3, '>=': 3, '<': 3, '<=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6,
};

function num(n: number): string {
  if (Number.isNaN(n) || !Number.isFinite(n)) return String(n);
  return String(n);
}

export function formatLabelFilter(f: LabelFilterExpr): string {
  switch (f.type) {
    case 'and':
    case 'or': {
      const side = (x: LabelFilterExpr): string => (x.type === 'and' || x.type === 'or' ? '(' + formatLabelFilter(x) + ')' : formatLabelFilter(x));
      return side(f.left) + (f.type === 'and' ? ' and ' : ' or ') + side(f.right);
    }
    case 'string':
      return f.name + f.op + quoteString(f.value);
    case 'number':
      return f.name + f.op + num(f.value);
    case 'duration':
    case 'bytes':
      return f.name + f.op + f.text;
    case 'ip':
      return f.name + f.op + 'ip(' + quoteString(f.pattern) + ')';
  }
}

function labelSpecs(specs: LabelSpec[]): string {
  return specs.map((s) => (s.matcher ? s.name + s.matcher.op + quoteString(s.matcher.value) : s.name)).join(',');
}

export function formatStage(s: Stage): string {
  switch (s.type) {
    case 'line_filter':
      if (s.ip) return s.op + ' ip(' + quoteString(s.values[0]) + ')';
      return s.op + ' ' + s.values.map(quoteString).join(' or ');
    case 'json':
    case 'logfmt': {
      let out = '| ' + s.type;
      if (s.type === 'logfmt') {
        if (s.strict) out += ' --strict';
        if (s.keepEmpty) out += ' --keep-empty';
      }
      if (s.params.length) out += ' ' + s.params.map((p) => p.name + '=' + quoteString(p.expr)).join(',');
      return out;
    }
    case 'regexp':
    case 'pattern':
      return '| ' + s.type + ' ' + quoteString(s.pattern);
    case 'unpack':
    case 'decolorize':
      return '| ' + s.type;
    case 'label_filter':
      return '| ' + formatLabelFilter(s.filter);
    case 'line_format':
      return '| line_format ' + quoteString(s.template);
    case 'label_format':
      return '| label_format ' + s.ops.map((o) => o.dst + '=' + (o.kind === 'rename' ? o.value : quoteString(o.value))).join(',');
    case 'drop':
    case 'keep':
      return '| ' + s.type + ' ' + labelSpecs(s.labels);
  }
}

export function formatLogSelector(e: LogSelectorExpr): string {
  let out = '{' + e.matchers.map(matcherToString).join(', ') + '}';
  for (const s of e.stages) out += ' ' + formatStage(s);
  return out;
}

function formatUnwrap(u: Unwrap): string {
  let out = '| unwrap ' + (u.conversion ? u.conversion + '(' + u.label + ')' : u.label);
  for (const f of u.postFilters) out += ' | ' + formatLabelFilter(f);
  return out;
}

function formatLogRange(r: LogRangeExpr): string {
  let out = formatLogSelector(r.selector);
  if (r.unwrap) out += ' ' + formatUnwrap(r.unwrap);
  out += (r.selector.stages.length || r.unwrap ? ' [' : '[') + formatDuration(r.rangeMs) + ']';
  if (r.offsetMs) out += ' offset ' + formatDuration(r.offsetMs);
  return out;
}

function formatGrouping(g: Grouping | undefined): string {
  if (!g) return '';
  return ' ' + (g.without ? 'without' : 'by') + ' (' + g.labels.join(', ') + ')';
}

function formatMetric(e: MetricExpr): string {
  switch (e.type) {
    case 'literal':
      return num(e.value);
    case 'vector':
      return 'vector(' + num(e.value) + ')';
    case 'range_aggregation':
      return e.op + '(' + (e.param !== undefined ? num(e.param) + ', ' : '') + formatLogRange(e.range) + ')' + formatGrouping(e.grouping);
    case 'vector_aggregation':
      return e.op + formatGrouping(e.grouping) + (e.grouping ? ' (' : '(') + (e.param !== undefined ? num(e.param) + ', ' : '') + formatMetric(e.expr) + ')';
    case 'label_replace':
      return 'label_replace(' + [formatMetric(e.expr), quoteString(e.dst), quoteString(e.replacement), quoteString(e.src), quoteString(e.regex)].join(', ') + ')';
    case 'binary': {
      const p = PREC[e.op];
      const rightAssoc = e.op === '^';
      const wrap = (x: MetricExpr, isRight: boolean): string => {
        const s = formatMetric(x);
        if (x.type === 'literal' && x.value < 0) return '(' + s + ')';
        if (x.type !== 'binary') return s;
        const q = PREC[x.op];
        const need = q < p || (q === p && (isRight ? !rightAssoc : rightAssoc));
        return need ? '(' + s + ')' : s;
      };
      let op = ' ' + e.op;
      if (e.returnBool) op += ' bool';
      if (e.matching) {
        const m = e.matching;
        op += ' ' + (m.on ? 'on' : 'ignoring') + ' (' + m.labels.join(',') + ')';
        if (m.card !== 'one-to-one') op += ' ' + (m.card === 'many-to-one' ? 'group_left' : 'group_right') + ' (' + m.include.join(',') + ')';
      }
      return wrap(e.left, false) + op + ' ' + wrap(e.right, true);
    }
  }
}

/** Prints any LogQL expression. */
export function formatExpr(e: Expr): string {
  return e.type === 'log_selector' ? formatLogSelector(e) : formatMetric(e);
}
