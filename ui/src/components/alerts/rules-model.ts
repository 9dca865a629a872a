/**
 * The Prometheus-style rules and alerts answers (src/api/routes/rules.ts) and what the Alerts
 * page derives from them: one flat list of rules with their group, filtering by state and name,
 * and the Explore link for a rule or an alert. Pure.
 */
import { exploreHref, innerLogQuery } from './log-query.js';
import { parseIsoMs } from '../overview/format.js';

export type RuleState = 'inactive' | 'pending' | 'firing';

export interface AlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: RuleState;
  activeAt: string;
  value: string;
}

interface RuleCommon {
  name: string;
  query: string;
  labels?: Record<string, string>;
  health: 'ok' | 'err' | 'unknown' | string;
  lastError?: string;
  lastEvaluation: string;
  evaluationTime: number;
}
export interface AlertingRuleJson extends RuleCommon {
  type: 'alerting';
  state: RuleState;
  duration: number;
  keepFiringFor?: number;
  annotations?: Record<string, string>;
  alerts: AlertJson[];
}
export interface RecordingRuleJson extends RuleCommon {
  type: 'recording';
}
export type RuleJson = AlertingRuleJson | RecordingRuleJson;

export interface RuleGroupJson {
  name: string;
  file: string;
  rules: RuleJson[];
  interval: number;
  limit?: number;
  lastEvaluation: string;
  evaluationTime: number;
}

export interface RulesResponse {
  status: string;
  data: { groups: RuleGroupJson[] };
}
export interface AlertsResponse {
  status: string;
  data: { alerts: AlertJson[] };
}

/** A rule with the group it belongs to. */
export interface RuleRow {
  key: string;
  group: string;
  file: string;
  rule: RuleJson;
  /** The rule's state; recording rules have none. */
  state: RuleState | 'recording';
}

export type StateFilter = 'all' | RuleState | 'recording';
export const STATE_FILTERS: StateFilter[] = ['all', 'firing', 'pending', 'inactive', 'recording'];

export function isStateFilter(s: string | null): s is StateFilter {
  return s !== null && (STATE_FILTERS as string[]).includes(s);
}

export function ruleRows(groups: RuleGroupJson[]): RuleRow[] {
  const rows: RuleRow[] = [];
  for (const g of groups) {
    g.rules.forEach((r, i) => {
      rows.push({ key: `${g.file}/${g.name}/${i}/${r.name}`, group: g.name, file: g.file, rule: r, state: r.type === 'alerting' ? r.state : 'recording' });
    });
  }
  return rows;
}

/** The built-in critical-entries rule (src/api/routes/rules.ts lists it beside the ruler's). */
export function isBuiltInRule(r: Pick<RuleRow, 'file' | 'group'>): boolean {
  return r.file === 'logsentinel' && r.group === 'critical-log-entries';
}

/** Counts by state, firing first (what the page's summary and filter buttons show). */
export function countStates(rows: RuleRow[]): Record<StateFilter, number> {
  const c: Record<StateFilter, number> = { all: rows.length, firing: 0, pending: 0, inactive: 0, recording: 0 };
  for (const r of rows) c[r.state]++;
  return c;
}

/** Active alerts by state: one rule may fire many alerts (one per label set). */
export function countAlerts(alerts: AlertJson[]): { firing: number; pending: number } {
  const c = { firing: 0, pending: 0 };
  for (const a of alerts) if (a.state === 'firing' || a.state === 'pending') c[a.state]++;
  return c;
}

const STATE_ORDER: Record<RuleRow['state'], number> = { firing: 0, pending: 1, inactive: 2, recording: 3 };

/**
 * The rows in `state` whose rule name, group, namespace or label values contain `text`
 * (case-insensitive); firing first, then pending, then by name.
 */
export function filterRules(rows: RuleRow[], state: StateFilter, text: string): RuleRow[] {
  const t = text.trim().toLowerCase();
  return rows
    .filter((r) => state === 'all' || r.state === state)
    .filter((r) => !t || [r.rule.name, r.group, r.file, ...Object.values(r.rule.labels ?? {})].some((s) => s.toLowerCase().includes(t)))
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.rule.name.localeCompare(b.rule.name) || a.key.localeCompare(b.key));
}

/** Alerts in `state` whose labels contain `text`; firing first, then the longest active. */
export function filterAlerts(alerts: AlertJson[], state: StateFilter, text: string): AlertJson[] {
  const t = text.trim().toLowerCase();
  return alerts
    .filter((a) => state === 'all' || a.state === state)
    .filter((a) => !t || Object.values(a.labels).some((s) => s.toLowerCase().includes(t)))
    .sort((a, b) => (a.state === b.state ? a.activeAt.localeCompare(b.activeAt) : a.state === 'firing' ? -1 : 1));
}

/** The range of a metric expression's first `[5m]`, in seconds (0 when it has none). */
export function rangeSecondsOf(expr: string): number {
  const m = /\[\s*(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)\s*\]/.exec(expr);
  if (!m) return 0;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  return Number(m[1]) * unit[m[2]];
}

/**
 * The Explore link showing the logs a rule looks at: its inner log query over the last hour
 * (or, for an alert, from one rule range before the alert became active). Undefined when the
 * expression has no log selector (the built-in critical-entries rule).
 */
export function exploreLinkForRule(expr: string, alert?: AlertJson): string | undefined {
  const query = innerLogQuery(expr);
  if (!query) return undefined;
  const activeMs = alert ? parseIsoMs(alert.activeAt) : undefined;
  if (activeMs === undefined) return exploreHref(query, 'now-1h');
  const lookbackMs = Math.max(rangeSecondsOf(expr) * 1000, 5 * 60_000);
  return exploreHref(query, String(Math.floor(activeMs - lookbackMs)));
}
