/**
 * Alert label and annotation templates, the subset of Prometheus' Go templates that rule files use:
 * `{{ $labels.name }}` (or `{{ .Labels.name }}`), `{{ $value }}` (or `{{ .Value }}`), `{{ $labels }}`,
 * string literals, `printf "%.2f" $value`, and the pipe functions `humanize`,
 * `humanizePercentage`, `toUpper`, `toLower`, `title`; `{{-`/`-}}` trim spaces.
 * https://prometheus.io/docs/prometheus/latest/configuration/template_reference/
 * Anything else is rejected when the rule is loaded, never at alert time.
 */
import { labelsToString } from '../model/labels.js';

type Operand = { k: 'label'; name: string } | { k: 'labels' } | { k: 'value' } | { k: 'str'; v: string } | { k: 'num'; v: number };
interface Action {
  printf?: { format: string; args: Operand[] };
  operand?: Operand;
  funcs: string[];
}
type Node = { k: 'text'; v: string } | { k: 'action'; a: Action };

export interface AlertTemplate {
  nodes: Node[];
}

export interface TemplateData {
  labels: Record<string, string>;
  value: number;
}

const FUNCS = new Set(['humanize', 'humanizePercentage', 'toUpper', 'toLower', 'title']);

function tokenize(body: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < body.length && body[j] !== c) j += c === '"' && body[j] === '\\' ? 2 : 1;
      if (j >= body.length) throw new Error(`unterminated string in {{${body}}}`);
      out.push(body.slice(i, j + 1));
      i = j + 1;
    } else if (c === '|') {
      out.push('|');
      i++;
    } else {
      let j = i;
      while (j < body.length && !/[\s|"`]/.test(body[j])) j++;
      out.push(body.slice(i, j));
      i = j;
    }
  }
  return out;
}

function operand(tok: string): Operand {
  if (tok === '$value' || tok === '.Value') return { k: 'value' };
  if (tok === '$labels' || tok === '.Labels') return { k: 'labels' };
  const m = /^(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(tok);
  if (m) return { k: 'label', name: m[1] };
  if (tok.startsWith('"')) return { k: 'str', v: JSON.parse(tok) as string };
  if (tok.startsWith('`')) return { k: 'str', v: tok.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(tok)) return { k: 'num', v: Number(tok) };
  throw new Error(`unsupported term ${JSON.stringify(tok)} (use $labels.<name>, $value, or a string)`);
}

function parseAction(body: string): Action {
  const toks = tokenize(body);
  const stages: string[][] = [[]];
  for (const t of toks) {
    if (t === '|') stages.push([]);
    else stages[stages.length - 1].push(t);
  }
  if (stages.some((s) => s.length === 0)) throw new Error(`missing command in {{${body}}}`);
  const [first, ...rest] = stages;
  const a: Action = { funcs: [] };
  if (first[0] === 'printf') {
    if (first.length < 2 || !first[1].startsWith('"')) throw new Error(`printf needs a format string in {{${body}}}`);
    a.printf = { format: JSON.parse(first[1]) as string, args: first.slice(2).map(operand) };
  } else if (FUNCS.has(first[0]) && first.length === 2) {
    a.operand = operand(first[1]);
    a.funcs.push(first[0]);
  } else {
    if (first.length !== 1) throw new Error(`unsupported action {{${body}}}`);
    a.operand = operand(first[0]);
  }
  for (const st of rest) {
    if (st.length !== 1 || !FUNCS.has(st[0])) throw new Error(`function ${JSON.stringify(st.join(' '))} not defined`);
    a.funcs.push(st[0]);
  }
  return a;
}

export function parseAlertTemplate(src: string): AlertTemplate {
  const nodes: Node[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      nodes.push({ k: 'text', v: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start++;
    }
    if (text) nodes.push({ k: 'text', v: text });
    const close = src.indexOf('}}', start);
    if (close < 0) throw new Error('unclosed action: missing "}}"');
    let body = src.slice(start, close);
    let next = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      while (next < src.length && /\s/.test(src[next])) next++;
    }
    const trimmed = body.trim();
    if (!(trimmed.startsWith('/*') && trimmed.endsWith('*/'))) nodes.push({ k: 'action', a: parseAction(trimmed) });
    i = next;
  }
  return { nodes };
}

/** Go's `%g`-like printing of a sample value, as Prometheus prints `$value`. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v) || Math.abs(v) >= 1 && Math.abs(v) < 1000) return formatValue(Number.isInteger(v) ? v : Number(v.toPrecision(4)));
  const big = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  const small = ['', 'm', 'u', 'n', 'p', 'f'];
  let x = v;
  let i = 0;
  if (Math.abs(x) >= 1) {
    while (Math.abs(x) >= 1000 && i < big.length - 1) {
      x /= 1000;
      i++;
    }
    return `${Number(x.toPrecision(4))}${big[i]}`;
  }
  while (Math.abs(x) < 1 && i < small.length - 1) {
    x *= 1000;
    i++;
  }
  return `${Number(x.toPrecision(4))}${small[i]}`;
}

function sprintf(format: string, args: Array<string | number>): string {
  let n = 0;
  return format.replace(/%([-+ 0]*)(\d+)?(?:\.(\d+))?([sdfgvq%])/g, (_m, _flags: string, _width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const a = args[n++];
    if (a === undefined) return `%!${verb}(MISSING)`;
    switch (verb) {
      case 'd':
        return String(Math.trunc(Number(a)));
      case 'f':
        return Number(a).toFixed(prec === undefined ? 6 : Number(prec));
      case 'g':
        return prec === undefined ? formatValue(Number(a)) : String(Number(Number(a).toPrecision(Math.max(1, Number(prec)))));
      case 'q':
        return JSON.stringify(String(a));
      default:
        return typeof a === 'number' ? formatValue(a) : a;
    }
  });
}

function evalOperand(o: Operand, d: TemplateData): string | number {
  switch (o.k) {
    case 'label':
      return d.labels[o.name] ?? '';
    case 'labels':
      return labelsToString(d.labels);
    case 'value':
      return d.value;
    case 'str':
    case 'num':
      return o.v;
  }
}

export function renderAlertTemplate(t: AlertTemplate, d: TemplateData): string {
  let out = '';
  for (const n of t.nodes) {
    if (n.k === 'text') {
      out += n.v;
      continue;
    }
    const a = n.a;
    let v: string | number = a.printf ? sprintf(a.printf.format, a.printf.args.map((x) => evalOperand(x, d))) : evalOperand(a.operand!, d);
    for (const f of a.funcs) {
      switch (f) {
        case 'humanize':
          v = humanize(Number(v));
          break;
        case 'humanizePercentage':
          v = `${Number((Number(v) * 100).toPrecision(4))}%`;
          break;
        case 'toUpper':
          v = String(v).toUpperCase();
          break;
        case 'toLower':
          v = String(v).toLowerCase();
          break;
        case 'title':
          v = String(v).replace(/\b\w/g, (c) => c.toUpperCase());
          break;
      }
    }
    out += typeof v === 'number' ? formatValue(v) : v;
  }
  return out;
}

/** Renders a map of templates; a template that fails to render keeps its source text. */
export function renderTemplates(src: Record<string, string>, d: TemplateData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(src)) {
    if (!v.includes('{{')) {
      out[k] = v;
      continue;
    }
    try {
      out[k] = renderAlertTemplate(parseAlertTemplate(v), d);
    } catch {
      out[k] = v;
    }
  }
  return out;
}
