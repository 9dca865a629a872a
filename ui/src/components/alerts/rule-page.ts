/**
 * What the page of one rule (`/alerts/rule/<namespace>/<group>/<rule name>`) derives from the
 * rules answer: its path and how to read it back, which rule a path or an alert names, the
 * window its chart shows, the expression and threshold charted, the series, and its Explore
 * links. Pure.
 *
 * A path names a rule by namespace (the answer's `file`), group and name; names are
 * percent-encoded, so one may hold `/`. Prometheus allows several rules of one name in a group:
 * the second and later of them carry `?n=2`, `?n=3`, … (their order in the answer).
 */
import type { MatrixResult } from '../../api.js';
import type { ChartSeries } from '../../types.js';
import { chooseStep } from '../../time.js';
import { bucketGrid, bucketMs, seriesName } from '../explore/volume.js';
import { exploreHref, innerLogQuery, maskStrings } from './log-query.js';
import { parseIsoMs } from '../overview/format.js';
import type { AlertJson, AlertingRuleJson, RuleGroupJson, RuleRow } from './rules-model.js';
import { ruleRows } from './rules-model.js';

export const RULE_PATH_PREFIX = '/alerts/rule/';

/** A rule as a page path names it; `n` counts rules of the same name in the group, from 1. */
export interface RuleRef {
  file: string;
  group: string;
  name: string;
  n: number;
}

export function isRulePath(pathname: string): boolean {
  return pathname.startsWith(RULE_PATH_PREFIX);
}

function sameRule(a: Pick<RuleRow, 'file' | 'group'> & { rule: { name: string } }, file: string, group: string, name: string): boolean {
  return a.file === file && a.group === group && a.rule.name === name;
}

/** The page path of `row`, one of `rows` (all rules of the answer, for the `n` of a repeated name). */
export function ruleHref(row: RuleRow, rows: readonly RuleRow[]): string {
  const n = rows.filter((r) => sameRule(r, row.file, row.group, row.rule.name)).indexOf(row) + 1;
  const path = RULE_PATH_PREFIX + [row.file, row.group, row.rule.name].map(encodeURIComponent).join('/');
  return n > 1 ? `${path}?n=${n}` : path;
}

/** Reads a rule page's path and `n` parameter; undefined when the path is not one. */
export function parseRulePath(pathname: string, nParam: string | null): RuleRef | undefined {
  if (!isRulePath(pathname)) return undefined;
  const parts = pathname.slice(RULE_PATH_PREFIX.length).split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  let decoded: string[];
  try {
    decoded = parts.map(decodeURIComponent);
  } catch {
    return undefined; // a malformed %-escape
  }
  const n = nParam !== null && /^[1-9]\d{0,5}$/.test(nParam) ? Number(nParam) : 1;
  return { file: decoded[0], group: decoded[1], name: decoded[2], n };
}

/** The rule `ref` names in the rules answer, or undefined when there is none. */
export function findRule(groups: RuleGroupJson[], ref: RuleRef): RuleRow | undefined {
  return ruleRows(groups).filter((r) => sameRule(r, ref.file, ref.group, ref.name))[ref.n - 1];
}

function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The page of the rule that fired `alert`: the rule listing an alert with the same labels, else
 * the only rule named like its `alertname`. Undefined for alerts of no listed rule (new log
 * patterns) and when the name is ambiguous.
 */
export function ruleHrefForAlert(alert: AlertJson, rows: readonly RuleRow[]): string | undefined {
  const key = labelsKey(alert.labels);
  const owner = rows.find((r) => r.rule.type === 'alerting' && r.rule.alerts.some((a) => labelsKey(a.labels) === key));
  if (owner) return ruleHref(owner, rows);
  const named = rows.filter((r) => r.rule.type === 'alerting' && r.rule.name === alert.labels.alertname);
  return named.length === 1 ? ruleHref(named[0], rows) : undefined;
}

/** When the first of the rule's alerts became active (epoch ms), or undefined when none is. */
export function earliestActiveMs(rule: AlertingRuleJson): number | undefined {
  let min: number | undefined;
  for (const a of rule.alerts) {
    const t = parseIsoMs(a.activeAt);
    if (t !== undefined && (min === undefined || t < min)) min = t;
  }
  return min;
}

export const AROUND_MS = 30 * 60_000;
export const QUIET_WINDOW_MS = 60 * 60_000;

export interface ChartWindow {
  startMs: number;
  endMs: number;
  /** Where the chart marks the firing time; undefined for a rule with no active alert. */
  activeAtMs?: number;
}

/**
 * The chart's window: from 30 minutes before the first alert became active to now, or to 30
 * minutes after it when that is earlier (an old alert is shown ±30 minutes); the last hour for a
 * rule with no active alert. An activeAt ahead of the browser's clock counts as now.
 */
export function chartWindow(activeAtMs: number | undefined, nowMs: number): ChartWindow {
  if (activeAtMs === undefined) return { startMs: nowMs - QUIET_WINDOW_MS, endMs: nowMs };
  const at = Math.min(activeAtMs, nowMs);
  return { startMs: at - AROUND_MS, endMs: Math.min(nowMs, at + AROUND_MS), activeAtMs: at };
}

/** The chart's step (seconds): about 120 points over the window. */
export function chartStepS(w: ChartWindow): number {
  return chooseStep(w.endMs - w.startMs, 120);
}

export interface Threshold {
  op: '>' | '>=' | '<' | '<=' | '==' | '!=';
  value: number;
}

/**
 * Splits `<metric query> <op> <number>` into what the chart draws — the query's values, and the
 * threshold as a line — since charting the comparison itself leaves only the points past it.
 * Anything else (a comparison between two queries, a number on the left, `and`/`unless`) is
 * charted whole, with no threshold. String literals never match.
 */
export function splitThreshold(expr: string): { query: string; threshold?: Threshold } {
  const m = /^([\s\S]*\))\s*(>=|<=|==|!=|>|<)\s*(?:bool\s+)?([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/.exec(maskStrings(expr));
  if (!m) return { query: expr.trim() };
  return { query: expr.slice(0, m[1].length).trim(), threshold: { op: m[2] as Threshold['op'], value: Number(m[3]) } };
}

/**
 * The charted query's answer as series over every bucket of the window. A missing bucket of a
 * count or rate means no lines, so it is 0; of an `unwrap` aggregation it means no value, so it
 * stays a gap. The threshold, when there is one, is a series of its own.
 */
export function ruleSeries(result: MatrixResult[], query: string, w: ChartWindow, threshold?: Threshold): ChartSeries[] {
  const stepS = chartStepS(w);
  const grid = bucketGrid(result, w.startMs / 1000, w.endMs / 1000, stepS);
  const zeroFill = !/\|\s*unwrap\b/.test(maskStrings(query));
  const series: ChartSeries[] = result.map((m) => {
    const byBucket = new Map(m.values.map(([t, v]) => [bucketMs(t), Number(v)]));
    const points = zeroFill ? grid.map((t) => [t, byBucket.get(bucketMs(t)) ?? 0] as [number, number]) : m.values.map(([t, v]) => [t, Number(v)] as [number, number]);
    return { name: seriesName(m.metric, query), points };
  });
  if (threshold) series.push({ name: `threshold ${threshold.op} ${threshold.value}`, color: 'var(--danger)', points: grid.map((t) => [t, threshold.value] as [number, number]) });
  return series;
}

/** Explore over the chart's window: the rule's whole expression, and the log query inside it (if it has one). */
export function ruleExploreLinks(expr: string, w: ChartWindow): { expression: string; logs?: string } {
  const from = String(Math.floor(w.startMs));
  const to = String(Math.ceil(w.endMs));
  const logs = innerLogQuery(expr);
  return { expression: exploreHref(expr.trim(), from, to), logs: logs === undefined ? undefined : exploreHref(logs, from, to) };
}
