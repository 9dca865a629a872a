/**
 * Checks the dashboards against a running stack: every PromQL expression parses, names only
 * metrics that Prometheus has (as samples, or as target metadata for families without samples
 * yet) and evaluates without error; every LogQL target parses with LogSentinel's parser and runs
 * on LogSentinel over the last 15 minutes, noting which returned data; every query variable
 * finds values. scripts/check-stack.ts is the command line; test/deploy runs it on a live stack.
 *
 * A finding is a failure when a query cannot parse, names a missing metric, or is refused by the
 * server; a query that runs but returns nothing is "no data" (a failure only for LogQL with
 * `requireData`, since many Prometheus panels are legitimately empty, e.g. cache figures on a
 * single node).
 */
import { resolve } from 'node:path';
import {
  checkLogQL,
  checkPromQL,
  isExposed,
  loadDashboards,
  panelQueries,
  regexAlternation,
  variableQueries,
  type DashboardJson,
  type Language,
  type PanelQuery,
  type VariableQuery,
} from './queries.js';

export const DEFAULT_DASHBOARDS_DIR = resolve(import.meta.dirname, '../dashboards');

export interface StackCheckOptions {
  prometheusUrl: string;
  logsentinelUrl: string;
  /** Sent to LogSentinel as `Authorization: Bearer <token>`. */
  token?: string;
  dashboardsDir?: string;
  /** Look-back of LogQL range queries, seconds; default 900. */
  rangeSeconds?: number;
  /** LogQL queries without data are failures. */
  requireData?: boolean;
  /** Template variable values instead of "All" (e.g. `{ service: 'api-gateway' }`). */
  variables?: Record<string, string>;
}

export type FindingStatus = 'ok' | 'no-data' | 'failed';

export interface Finding {
  dashboard: string;
  /** Panel title, or `$name` for a template variable. */
  what: string;
  refId: string;
  language: Language;
  expr: string;
  status: FindingStatus;
  /** Series/streams found, the missing metrics, or the server's error. */
  detail: string;
}

export interface StackReport {
  findings: Finding[];
  failures: Finding[];
}

interface HttpAnswer {
  status: number;
  body: unknown;
  text: string;
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const r = await fetch(url, { headers, signal: AbortSignal.timeout(60_000) });
  const text = await r.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: an error page or plain-text error, kept in `text`
  }
  return { status: r.status, body, text };
}

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

/** What Prometheus knows: metric names with samples, and metric families from target metadata. */
export interface PrometheusNames {
  names: Set<string>;
  families: Map<string, string>;
}

export async function prometheusNames(prometheusUrl: string): Promise<PrometheusNames> {
  const u = base(prometheusUrl);
  const n = await getJson(`${u}/api/v1/label/__name__/values`);
  const values = (n.body as { data?: unknown } | undefined)?.data;
  if (n.status !== 200 || !Array.isArray(values)) throw new Error(`cannot list metric names of Prometheus at ${u}: HTTP ${n.status}: ${n.text.slice(0, 200)}`);
  const m = await getJson(`${u}/api/v1/targets/metadata`);
  const meta = (m.body as { data?: unknown } | undefined)?.data;
  if (m.status !== 200 || !Array.isArray(meta)) throw new Error(`cannot read target metadata of Prometheus at ${u}: HTTP ${m.status}: ${m.text.slice(0, 200)}`);
  const families = new Map<string, string>();
  for (const e of meta as Array<{ metric?: string; type?: string }>) if (e.metric && e.type) families.set(e.metric, e.type);
  return { names: new Set(values as string[]), families };
}

/** Names of `metrics` that Prometheus has neither as samples nor as a metadata family. */
export function missingMetrics(metrics: readonly string[], known: PrometheusNames): string[] {
  return metrics.filter((name) => !known.names.has(name) && !isExposed(name, known.families));
}

function seriesCount(body: unknown): number {
  const result = (body as { data?: { result?: unknown } } | undefined)?.data?.result;
  return Array.isArray(result) ? result.length : 0;
}

function errorText(a: HttpAnswer): string {
  const b = a.body as { error?: string; message?: string } | undefined;
  return `HTTP ${a.status}: ${(b?.error ?? b?.message ?? a.text).slice(0, 300)}`;
}

/** Runs one LogQL query the way the panel does (instant or range over the look-back). */
export async function runLogQL(
  logsentinelUrl: string,
  q: Pick<PanelQuery, 'expr' | 'instant'>,
  opts: { token?: string; rangeSeconds?: number; nowMs?: number } = {},
): Promise<{ ok: boolean; series: number; detail: string }> {
  const now = opts.nowMs ?? Date.now();
  const range = opts.rangeSeconds ?? 900;
  const headers: Record<string, string> = opts.token ? { Authorization: `Bearer ${opts.token}` } : {};
  const params = q.instant
    ? new URLSearchParams({ query: q.expr, time: String(now * 1e6) })
    : new URLSearchParams({ query: q.expr, start: String((now - range * 1000) * 1e6), end: String(now * 1e6), step: '60', limit: '100' });
  const path = q.instant ? '/loki/api/v1/query' : '/loki/api/v1/query_range';
  const a = await getJson(`${base(logsentinelUrl)}${path}?${params}`, headers);
  if (a.status !== 200) return { ok: false, series: 0, detail: errorText(a) };
  const n = seriesCount(a.body);
  return { ok: true, series: n, detail: `${n} series from ${q.instant ? 'query' : 'query_range'}` };
}

async function checkPromPanel(q: PanelQuery, promUrl: string, known: PrometheusNames): Promise<Finding> {
  const f = { dashboard: q.dashboard, what: q.panel, refId: q.refId, language: q.language, expr: q.expr };
  const c = checkPromQL(q.expr);
  if (c.errors.length > 0) return { ...f, status: 'failed', detail: `cannot parse: ${c.errors.join('; ')}` };
  const missing = missingMetrics(c.metrics, known);
  if (missing.length > 0) return { ...f, status: 'failed', detail: `metrics not in Prometheus: ${missing.join(', ')}` };
  const a = await getJson(`${base(promUrl)}/api/v1/query?${new URLSearchParams({ query: q.expr })}`);
  if (a.status !== 200) return { ...f, status: 'failed', detail: `Prometheus refused it: ${errorText(a)}` };
  const n = seriesCount(a.body);
  return { ...f, status: n > 0 ? 'ok' : 'no-data', detail: `${n} series now` };
}

async function checkLokiPanel(q: PanelQuery, o: StackCheckOptions): Promise<Finding> {
  const f = { dashboard: q.dashboard, what: q.panel, refId: q.refId, language: q.language, expr: q.expr };
  const err = checkLogQL(q.expr);
  if (err !== undefined) return { ...f, status: 'failed', detail: `cannot parse: ${err}` };
  const r = await runLogQL(o.logsentinelUrl, q, { token: o.token, rangeSeconds: o.rangeSeconds });
  if (!r.ok) return { ...f, status: 'failed', detail: `LogSentinel refused it: ${r.detail}` };
  if (r.series === 0) return { ...f, status: o.requireData ? 'failed' : 'no-data', detail: 'no data in the last 15 minutes' };
  return { ...f, status: 'ok', detail: r.detail };
}

/** Checks one query variable and answers the values it finds. */
async function checkVariable(v: VariableQuery, o: StackCheckOptions, known: PrometheusNames): Promise<{ finding: Finding; values: string[] }> {
  const f = { dashboard: v.dashboard, what: `$${v.variable}`, refId: '', language: v.language, expr: v.selector ? `label_values(${v.selector}, ${v.label})` : `label_values(${v.label})` };
  const failed = (detail: string): { finding: Finding; values: string[] } => ({ finding: { ...f, status: 'failed', detail }, values: [] });
  let a: HttpAnswer;
  if (v.language === 'promql') {
    const c = checkPromQL(v.selector);
    if (c.errors.length > 0) return failed(`cannot parse: ${c.errors.join('; ')}`);
    const missing = missingMetrics(c.metrics, known);
    if (missing.length > 0) return failed(`metrics not in Prometheus: ${missing.join(', ')}`);
    a = await getJson(`${base(o.prometheusUrl)}/api/v1/label/${encodeURIComponent(v.label)}/values?${new URLSearchParams({ 'match[]': v.selector })}`);
    if (a.status !== 200) return failed(`Prometheus refused it: ${errorText(a)}`);
  } else {
    const now = Date.now();
    const range = o.rangeSeconds ?? 900;
    const params = new URLSearchParams({ start: String((now - range * 1000) * 1e6), end: String(now * 1e6) });
    if (v.selector) params.set('query', v.selector);
    const headers: Record<string, string> = o.token ? { Authorization: `Bearer ${o.token}` } : {};
    a = await getJson(`${base(o.logsentinelUrl)}/loki/api/v1/label/${encodeURIComponent(v.label)}/values?${params}`, headers);
    if (a.status !== 200) return failed(`LogSentinel refused it: ${errorText(a)}`);
  }
  const data = (a.body as { data?: unknown } | undefined)?.data;
  const values = Array.isArray(data) ? data.map(String) : [];
  // Prometheus variables without data are "no data" even with requireData: a label the stack does
  // not have yet (e.g. the demo's) is not a broken dashboard.
  const status: FindingStatus = values.length > 0 ? 'ok' : o.requireData && v.language === 'logql' ? 'failed' : 'no-data';
  return { finding: { ...f, status, detail: `${values.length} values` }, values };
}

/**
 * Checks a dashboard's variables in order, then its panels with the variables set as Grafana
 * would set them at "All": a custom All value as is, otherwise the regex of the values found
 * (so `instance` is looked up with the `job` values found before it).
 */
async function checkDashboard(file: string, d: DashboardJson, o: StackCheckOptions, known: PrometheusNames): Promise<Finding[]> {
  const findings: Finding[] = [];
  const values: Record<string, string> = { ...o.variables };
  const defs = d.templating?.list ?? [];
  for (let i = 0; i < defs.length; i++) {
    const def = defs[i];
    const v = variableQueries(file, d, values).find((x) => x.variable === def.name);
    if (!v || !def.name) continue;
    const r = await checkVariable(v, o, known);
    findings.push(r.finding);
    if (!Object.hasOwn(o.variables ?? {}, def.name) && def.allValue === undefined && r.values.length > 0) values[def.name] = regexAlternation(r.values);
  }
  for (const q of panelQueries(file, d, values)) findings.push(q.language === 'promql' ? await checkPromPanel(q, o.prometheusUrl, known) : await checkLokiPanel(q, o));
  return findings;
}

/** Runs every check; throws only when Prometheus cannot be asked for its metric names at all. */
export async function checkStack(o: StackCheckOptions): Promise<StackReport> {
  const known = await prometheusNames(o.prometheusUrl);
  const findings: Finding[] = [];
  for (const [file, d] of loadDashboards(o.dashboardsDir ?? DEFAULT_DASHBOARDS_DIR)) {
    try {
      findings.push(...(await checkDashboard(file, d, o, known)));
    } catch (err) {
      findings.push({ dashboard: file, what: '(dashboard)', refId: '', language: 'promql', expr: '', status: 'failed', detail: (err as Error).message });
    }
  }
  return { findings, failures: findings.filter((f) => f.status === 'failed') };
}

const LABEL: Record<FindingStatus, string> = { ok: 'ok     ', 'no-data': 'no data', failed: 'FAILED ' };

/** One line per finding, then the failures again with their expressions, then a count. */
export function formatReport(r: StackReport): string {
  const lines = r.findings.map((f) => `${LABEL[f.status]}  ${f.language.padEnd(6)} ${f.dashboard} / ${f.what}${f.refId ? ` [${f.refId}]` : ''}: ${f.detail}`);
  if (r.failures.length > 0) {
    lines.push('', `${r.failures.length} failed:`);
    for (const f of r.failures) lines.push(`  - ${f.dashboard} / ${f.what}${f.refId ? ` [${f.refId}]` : ''}: ${f.detail}`, `      ${f.expr}`);
  }
  const count = (s: FindingStatus): number => r.findings.filter((f) => f.status === s).length;
  lines.push('', `${r.findings.length} queries checked: ${count('ok')} ok, ${count('no-data')} without data, ${count('failed')} failed`);
  return lines.join('\n') + '\n';
}
