/**
 * Finds every query in a Grafana dashboard JSON and checks it offline: PromQL with the Prometheus
 * project's own Lezer grammar (`@prometheus-io/lezer-promql`), LogQL with LogSentinel's parser
 * (`src/logql`). Grafana's variables are substituted first, the way Grafana does before it
 * sends a query: built-ins (`$__rate_interval`, `$__auto`, `$__range`, ...) by fixed durations,
 * template variables by their "All" value (or the caller's values).
 *
 * Used by test/deploy and by scripts/check-stack.ts (which adds the live checks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parseExpr } from '../../../src/logql/index.js';

export type Language = 'promql' | 'logql';

export interface DataSourceRefJson {
  type?: string;
  uid?: string;
}

/** The parts of Grafana's dashboard JSON (schema v39+) these checks read. */
export interface DashboardJson {
  uid?: string;
  title?: string;
  panels?: PanelJson[];
  templating?: { list?: VariableJson[] };
  annotations?: { list?: Array<{ datasource?: DataSourceRefJson | null }> };
}

export interface PanelJson {
  id?: number;
  type?: string;
  title?: string;
  datasource?: DataSourceRefJson | null;
  targets?: TargetJson[];
  /** Panels inside a collapsed row. */
  panels?: PanelJson[];
}

export interface TargetJson {
  refId?: string;
  expr?: string;
  datasource?: DataSourceRefJson | null;
  queryType?: string;
  instant?: boolean;
  hide?: boolean;
}

export interface VariableJson {
  type?: string;
  name?: string;
  datasource?: DataSourceRefJson | null;
  query?: unknown;
  includeAll?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
}

/** One panel query, as Grafana would send it. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  language: Language;
  datasourceUid: string;
  /** Instant query (one value) rather than a range query. */
  instant: boolean;
  /** As written in the dashboard. */
  raw: string;
  /** After variable substitution. */
  expr: string;
}

/** A query template variable: `label_values(<selector>, <label>)` on Prometheus, label values on Loki. */
export interface VariableQuery {
  dashboard: string;
  variable: string;
  language: Language;
  datasourceUid: string;
  label: string;
  /** Prometheus: the series selector after substitution (a PromQL vector selector); Loki: the stream selector or ''. */
  selector: string;
}

/**
 * Stand-ins for Grafana's built-in variables. Durations are what Grafana computes for a 15-minute
 * range at ~1000 px; any valid duration would do for a syntax check.
 */
export const BUILTIN_VARIABLES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '30s',
  __interval_ms: '30000',
  __auto: '1m',
  __range: '15m',
  __range_s: '900',
  __range_ms: '900000',
};

/** Metrics Prometheus itself writes for every scrape target; no target exports them. */
export const PROMETHEUS_SCRAPE_METRICS: ReadonlySet<string> = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]);

/** Every `*.json` file of a folder, parsed, by file name. */
export function loadDashboards(dir: string): Map<string, DashboardJson> {
  const out = new Map<string, DashboardJson>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    out.set(f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as DashboardJson);
  }
  return out;
}

/** Top-level panels and the panels of collapsed rows, rows themselves excluded. */
export function allPanels(d: DashboardJson): PanelJson[] {
  const out: PanelJson[] = [];
  for (const p of d.panels ?? []) {
    if (p.type !== 'row') out.push(p);
    for (const inner of p.panels ?? []) out.push(inner);
  }
  return out;
}

/**
 * Each variable's default value as Grafana substitutes it: the custom "All" value, or its current
 * value. A variable at "All" without a custom value stands for the regex of all its values, known
 * only on a live stack (stack-check.ts resolves them); offline it is `.+`.
 */
export function defaultVariableValues(d: DashboardJson): Record<string, string> {
  const values: Record<string, string> = {};
  for (const v of d.templating?.list ?? []) {
    if (!v.name) continue;
    const current = Array.isArray(v.current?.value) ? v.current.value[0] : v.current?.value;
    if (v.includeAll && (current === undefined || current === '$__all')) values[v.name] = v.allValue ?? '.+';
    else values[v.name] = current ?? '';
  }
  return values;
}

/**
 * Several values of a variable as Grafana's Prometheus and Loki data sources write them into a
 * regex matcher: each value's regex metacharacters escaped (inside a double-quoted string, so the
 * backslash is doubled), joined as `(a|b)`; one value alone.
 */
export function regexAlternation(values: readonly string[]): string {
  const escaped = values.map((v) => v.replace(/[\\$^*+?.()|{}[\]]/g, '\\\\$&'));
  return escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
}

// `${name}`, `${name:format}`, `[[name]]`, `[[name:format]]`, `$name` — Grafana's variable syntaxes.
const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;

/**
 * Replaces Grafana variables by `values` (then the built-ins). A name found in neither throws:
 * a typo such as `$jobb` would otherwise reach Grafana and be sent verbatim.
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(VARIABLE, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    const v = Object.hasOwn(values, name) ? values[name] : BUILTIN_VARIABLES[name];
    if (v === undefined) throw new Error(`cannot substitute ${whole} in ${JSON.stringify(expr)}: no such variable`);
    return v;
  });
}

function languageOf(ds: DataSourceRefJson | null | undefined): Language | undefined {
  if (ds?.type === 'prometheus') return 'promql';
  if (ds?.type === 'loki') return 'logql';
  return undefined;
}

/**
 * Every visible panel query of a dashboard with variables substituted (`overrides` first, then
 * the dashboard's defaults). Queries of other data source types are not returned; a test checks
 * separately that there are none.
 */
export function panelQueries(file: string, d: DashboardJson, overrides: Readonly<Record<string, string>> = {}): PanelQuery[] {
  const values = { ...defaultVariableValues(d), ...overrides };
  const out: PanelQuery[] = [];
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      if (t.hide || typeof t.expr !== 'string') continue;
      const ds = t.datasource ?? p.datasource;
      const language = languageOf(ds);
      if (!language) continue;
      out.push({
        dashboard: file,
        panel: p.title ?? `panel ${p.id}`,
        refId: t.refId ?? '',
        language,
        datasourceUid: ds?.uid ?? '',
        instant: t.instant === true || t.queryType === 'instant',
        raw: t.expr,
        expr: substituteVariables(t.expr, values),
      });
    }
  }
  return out;
}

const LABEL_VALUES = /^\s*label_values\(\s*(?:(.*\S)\s*,\s*)?([a-zA-Z_]\w*)\s*\)\s*$/s;

/** The query variables of a dashboard (Prometheus `label_values(...)` strings, Loki label-values objects). */
export function variableQueries(file: string, d: DashboardJson, overrides: Readonly<Record<string, string>> = {}): VariableQuery[] {
  const values = { ...defaultVariableValues(d), ...overrides };
  const out: VariableQuery[] = [];
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query' || !v.name) continue;
    const language = languageOf(v.datasource);
    const base = { dashboard: file, variable: v.name, datasourceUid: v.datasource?.uid ?? '' };
    if (language === 'promql') {
      const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
      const m = q === undefined ? null : LABEL_VALUES.exec(q);
      if (!m) throw new Error(`cannot read variable $${v.name} of ${file}: expected label_values(<selector>, <label>), got ${JSON.stringify(v.query)}`);
      out.push({ ...base, language, label: m[2], selector: substituteVariables(m[1] ?? '', values) });
    } else if (language === 'logql') {
      const q = v.query as { type?: number; label?: string; stream?: string } | undefined;
      if (q?.type !== 1 || !q.label) throw new Error(`cannot read variable $${v.name} of ${file}: expected a Loki label values query, got ${JSON.stringify(v.query)}`);
      out.push({ ...base, language, label: q.label, selector: substituteVariables(q.stream ?? '', values) });
    }
  }
  return out;
}

/** Every data source reference in a dashboard: panels, targets, variables, annotations. */
export function datasourceRefs(d: DashboardJson): Array<{ where: string; ref: DataSourceRefJson | null | undefined }> {
  const out: Array<{ where: string; ref: DataSourceRefJson | null | undefined }> = [];
  for (const p of d.panels ?? []) {
    const panels = [p, ...(p.panels ?? [])];
    for (const q of panels) {
      if (q.type === 'row') continue;
      out.push({ where: `panel "${q.title}"`, ref: q.datasource });
      for (const t of q.targets ?? []) out.push({ where: `panel "${q.title}" target ${t.refId}`, ref: t.datasource ?? q.datasource });
    }
  }
  for (const v of d.templating?.list ?? []) if (v.type === 'query') out.push({ where: `variable $${v.name}`, ref: v.datasource });
  for (const a of d.annotations?.list ?? []) if (a.datasource) out.push({ where: 'annotation', ref: a.datasource });
  return out;
}

export interface PromQLCheck {
  /** Empty when the expression parses. */
  errors: string[];
  /** Metric names the expression selects, sorted, without duplicates. */
  metrics: string[];
}

function unquote(s: string): string {
  try {
    return JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1).replace(/"/g, '\\"')}"` : s.startsWith('`') ? JSON.stringify(s.slice(1, -1)) : s) as string;
  } catch {
    return s.slice(1, -1);
  }
}

/** Parses PromQL and lists its error nodes and the metric names of its selectors. */
export function checkPromQL(expr: string): PromQLCheck {
  const errors: string[] = [];
  const metrics = new Set<string>();
  if (expr.trim() === '') return { errors: ['empty expression'], metrics: [] };
  const tree = promqlParser.parse(expr);
  tree.iterate({
    enter(n) {
      if (n.type.isError) {
        const at = n.from;
        errors.push(`syntax error at column ${at + 1}: ${JSON.stringify(expr.slice(Math.max(0, at - 20), at))} ⟨here⟩ ${JSON.stringify(expr.slice(at, at + 20))}`);
        return;
      }
      if (n.name !== 'VectorSelector') return;
      const node = n.node;
      const id = node.getChild('Identifier');
      if (id) metrics.add(expr.slice(id.from, id.to));
      // {__name__="x"} and {"x"} (Prometheus 3 quoted names).
      const matchers = node.getChild('LabelMatchers');
      for (const m of matchers?.getChildren('UnquotedLabelMatcher') ?? []) {
        const name = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (name && op && value && expr.slice(name.from, name.to) === '__name__' && expr.slice(op.from, op.to) === '=') metrics.add(unquote(expr.slice(value.from, value.to)));
      }
      for (const q of matchers?.getChildren('QuotedLabelName') ?? []) {
        const s = q.getChild('StringLiteral');
        if (s) metrics.add(unquote(expr.slice(s.from, s.to)));
      }
    },
  });
  return { errors, metrics: [...metrics].sort() };
}

/** Parses LogQL with LogSentinel's parser; the error message, or undefined when it parses. */
export function checkLogQL(expr: string): string | undefined {
  try {
    parseExpr(expr);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** `# TYPE <family> <type>` of a Prometheus text exposition, as family → type. */
export function exposedFamilies(exposition: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of exposition.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

const SUFFIXES: Array<[string, readonly string[]]> = [
  ['_bucket', ['histogram']],
  ['_sum', ['histogram', 'summary']],
  ['_count', ['histogram', 'summary']],
  ['_total', ['counter']],
];

/**
 * Whether a metric name used in a query is a series of one of the exposed families: the family
 * itself (not a histogram, whose samples all carry a suffix), `<histogram>_bucket|_sum|_count`,
 * `<summary>_sum|_count`, or `<counter>_total` where the family is named without it
 * (OpenMetrics style).
 */
export function isExposed(name: string, families: ReadonlyMap<string, string>): boolean {
  const own = families.get(name);
  if (own !== undefined && own !== 'histogram') return true;
  for (const [suffix, types] of SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const t = families.get(name.slice(0, -suffix.length));
    if (t !== undefined && types.includes(t)) return true;
  }
  return false;
}
