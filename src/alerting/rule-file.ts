/**
 * Rule files in the Prometheus/Loki ruler format: `groups:` of `name`, `interval`, `rules:` with
 * `alert` or `record`, `expr` (LogQL), `for`, `keep_firing_for`, `labels`, `annotations`.
 * https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
 * https://grafana.com/docs/loki/latest/alert/
 *
 * A file is validated as a whole and every problem is reported with the group, the rule and the
 * reason; `expr` must parse as a LogQL *metric* query (a log query has no value to compare).
 * Unknown keys are rejected, as Prometheus' rulefmt does, so a typo never silently disables a rule.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseExpr } from '../logql/index.js';
import { parseDuration } from '../logql/duration.js';
import { isValidLabelName } from '../model/labels.js';
import { parseAlertTemplate } from './template.js';

/** A rule as written in YAML (kept to answer the rules API with what the user wrote). */
export interface RuleSpec {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroupSpec {
  name: string;
  interval?: string;
  limit?: number;
  rules: RuleSpec[];
}

export interface AlertingRule {
  kind: 'alert';
  name: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RecordingRule {
  kind: 'record';
  name: string;
  expr: string;
  labels: Record<string, string>;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  /** Undefined: the ruler's default evaluation interval. */
  intervalMs?: number;
  /** Most alerts (or series) a rule may produce per evaluation; 0 = no limit. */
  limit: number;
  rules: Rule[];
  spec: RuleGroupSpec;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const GROUP_KEYS = new Set(['name', 'interval', 'limit', 'rules']);
const RULE_KEYS = new Set(['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function duration(v: unknown, what: string, errs: string[]): number {
  if (v === undefined || v === null) return 0;
  try {
    const ms = parseDuration(String(v));
    if (ms < 0) throw new Error('negative');
    return ms;
  } catch {
    errs.push(`invalid ${what} ${JSON.stringify(v)}: not a duration like 5m`);
    return 0;
  }
}

function stringMap(v: unknown, what: string, errs: string[], templated: boolean): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    errs.push(`${what} must be a map of names to strings`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, raw] of Object.entries(v)) {
    if (!isValidLabelName(k)) errs.push(`invalid ${what} name ${JSON.stringify(k)}`);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      errs.push(`${what} ${k} must be a string`);
      continue;
    }
    out[k] = String(raw);
    if (templated) {
      try {
        parseAlertTemplate(out[k]);
      } catch (err) {
        errs.push(`cannot parse template of ${what} ${k}: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

/** Validates one rule; returns it or pushes reasons (without the location prefix) to `errs`. */
function validateRule(raw: unknown, errs: string[]): Rule | undefined {
  if (!isObject(raw)) {
    errs.push('a rule must be a map');
    return undefined;
  }
  for (const k of Object.keys(raw)) if (!RULE_KEYS.has(k)) errs.push(`unknown field ${JSON.stringify(k)}`);
  const hasAlert = raw.alert !== undefined && raw.alert !== null;
  const hasRecord = raw.record !== undefined && raw.record !== null;
  if (hasAlert === hasRecord) {
    errs.push('a rule has exactly one of "alert" and "record"');
    return undefined;
  }
  const expr = typeof raw.expr === 'string' ? raw.expr.trim() : typeof raw.expr === 'number' ? String(raw.expr) : '';
  if (expr === '') errs.push('field "expr" must be set');
  else {
    try {
      const e = parseExpr(expr);
      if (e.type === 'log_selector') errs.push(`expr ${JSON.stringify(expr)} is a log query; alerting and recording rules need a metric query such as count_over_time(...[5m]) > 0`);
    } catch (err) {
      errs.push(`cannot parse expr ${JSON.stringify(expr)}: ${(err as Error).message}`);
    }
  }
  if (hasRecord) {
    const name = String(raw.record);
    if (!METRIC_NAME.test(name)) errs.push(`invalid recording rule name ${JSON.stringify(name)}: must be a metric name [a-zA-Z_:][a-zA-Z0-9_:]*`);
    if (raw.for !== undefined) errs.push('field "for" is only for alerting rules');
    if (raw.keep_firing_for !== undefined) errs.push('field "keep_firing_for" is only for alerting rules');
    if (raw.annotations !== undefined) errs.push('field "annotations" is only for alerting rules');
    const labels = stringMap(raw.labels, 'label', errs, false);
    return { kind: 'record', name, expr, labels };
  }
  const name = String(raw.alert);
  if (name.trim() === '') errs.push('field "alert" must not be empty');
  return {
    kind: 'alert',
    name,
    expr,
    forMs: duration(raw.for, 'for', errs),
    keepFiringForMs: duration(raw.keep_firing_for, 'keep_firing_for', errs),
    labels: stringMap(raw.labels, 'label', errs, true),
    annotations: stringMap(raw.annotations, 'annotation', errs, true),
  };
}

/**
 * Validates one group (a parsed YAML value). Throws `cannot load rule group ...` listing every
 * problem, each with its rule (`rule 2 (alert "HighErrors")`).
 */
export function validateGroup(raw: unknown, where = 'rule group'): RuleGroup {
  const problems: string[] = [];
  const group = checkGroup(raw, problems);
  if (problems.length > 0 || !group) throw new Error(`cannot load ${where}: ${problems.join('; ')}`);
  return group;
}

function checkGroup(raw: unknown, problems: string[]): RuleGroup | undefined {
  if (!isObject(raw)) {
    problems.push('a group must be a map with "name" and "rules"');
    return undefined;
  }
  const gname = typeof raw.name === 'string' ? raw.name : '';
  const at = gname ? `group ${JSON.stringify(gname)}` : 'group';
  if (!gname) problems.push(`${at}: field "name" must be set`);
  for (const k of Object.keys(raw)) if (!GROUP_KEYS.has(k)) problems.push(`${at}: unknown field ${JSON.stringify(k)}`);
  const gerrs: string[] = [];
  const intervalMs = raw.interval === undefined || raw.interval === null ? undefined : duration(raw.interval, 'interval', gerrs);
  if (intervalMs === 0) gerrs.push('interval must be greater than 0');
  const limit = raw.limit === undefined ? 0 : Number(raw.limit);
  if (!Number.isInteger(limit) || limit < 0) gerrs.push(`invalid limit ${JSON.stringify(raw.limit)}`);
  for (const e of gerrs) problems.push(`${at}: ${e}`);
  if (!Array.isArray(raw.rules)) {
    problems.push(`${at}: field "rules" must be a list`);
    return undefined;
  }
  const rules: Rule[] = [];
  raw.rules.forEach((r: unknown, i: number) => {
    const errs: string[] = [];
    const rule = validateRule(r, errs);
    const label = isObject(r) && r.alert !== undefined ? ` (alert ${JSON.stringify(String(r.alert))})` : isObject(r) && r.record !== undefined ? ` (record ${JSON.stringify(String(r.record))})` : '';
    for (const e of errs) problems.push(`${at} rule ${i + 1}${label}: ${e}`);
    if (rule) rules.push(rule);
  });
  return { name: gname, intervalMs, limit, rules, spec: raw as unknown as RuleGroupSpec };
}

/** Parses a whole rule file (`groups: [...]`). Throws naming the file, group, rule and reason. */
export function parseRuleFile(text: string, file: string): RuleGroup[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`cannot load rule file ${file}: invalid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (doc === null || doc === undefined) return [];
  if (!isObject(doc) || !Array.isArray(doc.groups)) throw new Error(`cannot load rule file ${file}: expected a map with a "groups" list`);
  for (const k of Object.keys(doc)) if (k !== 'groups') throw new Error(`cannot load rule file ${file}: unknown field ${JSON.stringify(k)}`);
  const problems: string[] = [];
  const groups: RuleGroup[] = [];
  const seen = new Set<string>();
  for (const raw of doc.groups) {
    const g = checkGroup(raw, problems);
    if (!g) continue;
    if (seen.has(g.name)) problems.push(`group ${JSON.stringify(g.name)}: groupname must be unique within a file`);
    seen.add(g.name);
    groups.push(g);
  }
  if (problems.length > 0) throw new Error(`cannot load rule file ${file}: ${problems.join('; ')}`);
  return groups;
}

/** Parses one group as the rules API receives it (a YAML body with `name`, `interval`, `rules`). */
export function parseGroupYaml(text: string): RuleGroup {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`cannot load rule group: invalid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  return validateGroup(doc);
}

/** The YAML of a namespace file, as stored under the rules directory. */
export function formatRuleFile(groups: RuleGroupSpec[]): string {
  return stringifyYaml({ groups }, { lineWidth: 0 });
}

export function formatYaml(v: unknown): string {
  return stringifyYaml(v, { lineWidth: 0 });
}
