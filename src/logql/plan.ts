/**
 * The planner: splits a log query into what storage can do (stream matchers, level set, a line
 * predicate) and the pipeline that runs in JavaScript over the rows storage returns.
 *
 * Push-down rules
 * - Line filters (`|=`, `!=`, `|~`, `!~`, with `or`) before the first parser or format stage
 *   become the `LinePredicate`; pattern filters (`|>`) stay in the pipeline. Pushed line filters
 *   are removed from the pipeline: the storage contract says the backend applies them exactly
 *   (RE2 semantics for regexes). `recheckLine: true` keeps them in the pipeline as well, which
 *   is harmless (they are pure) for backends whose regex dialect differs.
 * - `level` is a column, not a stream label: selector matchers on `level` and leading label
 *   filters on `level` (before any stage that can change labels, made only of string matchers on
 *   `level`) become the set of allowed levels and leave the matchers / the pipeline.
 *   With `streamHasLevelLabel`, the streams carry a real `level` label, so nothing about level is
 *   pushed down and the matchers stay stream matchers.
 */
import { LEVELS, type Level } from '../model/level.js';
import type { LabelFilterExpr, LineFilterStage, LogSelectorExpr, Stage } from './ast.js';
import { buildPipeline, type Pipeline } from './pipeline.js';
import { matchValue, type Matcher } from './matcher.js';

export type { Matcher } from './matcher.js';
export { matchesLabels } from './matcher.js';

/** A predicate over the raw line, pushed down into the backend's query language (the storage contract's `SelectPlan.line`). */
export type LinePredicate =
  | { type: 'contains'; value: string }
  /** RE2 syntax, unanchored (matches anywhere in the line), as LogQL's `|~`. */
  | { type: 'regex'; pattern: string }
  | { type: 'not'; expr: LinePredicate }
  | { type: 'and'; exprs: LinePredicate[] }
  | { type: 'or'; exprs: LinePredicate[] };

export interface LogQueryPlan {
  /** Stream matchers (never on `level`, unless `streamHasLevelLabel`). Empty = every stream of the tenant. */
  matchers: Matcher[];
  /** Allowed levels; undefined = all. May be empty (the query can match nothing). */
  levels?: Level[];
  /** Pushed-down line predicate; undefined = every line. */
  line?: LinePredicate;
  /** the stages NOT pushed down */
  pipeline: Pipeline;
  /** The stages of `pipeline`, for explain output and tests. */
  stages: Stage[];
}

export interface PlanOptions {
  /** The selected streams have a real `level` stream label: do not treat `level` as a column. */
  streamHasLevelLabel?: boolean;
  /** Keep pushed-down line filters in the JS pipeline too. */
  recheckLine?: boolean;
}

const LABEL_CHANGING = new Set<Stage['type']>(['json', 'logfmt', 'regexp', 'pattern', 'unpack', 'label_format', 'drop', 'keep']);
const LINE_CHANGING_OR_PARSER = new Set<Stage['type']>(['json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format', 'label_format', 'decolorize', 'drop', 'keep']);

function linePredicateOf(s: LineFilterStage): LinePredicate | undefined {
  if (s.op === '|>' || s.op === '!>' || s.ip) return undefined;
  const isRegex = s.op === '|~' || s.op === '!~';
  const one = (v: string): LinePredicate => (isRegex ? { type: 'regex', pattern: v } : { type: 'contains', value: v });
  const pos = s.values.length === 1 ? one(s.values[0]) : { type: 'or' as const, exprs: s.values.map(one) };
  return s.op[0] === '!' ? { type: 'not', expr: pos } : pos;
}

/** Whether a filter only uses string matchers on `level` (so it can be evaluated per level). */
function onlyLevel(f: LabelFilterExpr): boolean {
  if (f.type === 'and' || f.type === 'or') return onlyLevel(f.left) && onlyLevel(f.right);
  return f.type === 'string' && f.name === 'level';
}

function evalLevel(f: LabelFilterExpr, level: string): boolean {
  switch (f.type) {
    case 'and':
      return evalLevel(f.left, level) && evalLevel(f.right, level);
    case 'or':
      return evalLevel(f.left, level) || evalLevel(f.right, level);
    case 'string':
      return matchValue(f.op, f.value, level);
    default:
      return false;
  }
}

export function planLogQuery(expr: LogSelectorExpr, opts: PlanOptions = {}): LogQueryPlan {
  const levelIsColumn = !opts.streamHasLevelLabel;
  const matchers: Matcher[] = [];
  let allowed: Set<Level> | undefined;
  const restrict = (ok: (l: Level) => boolean): void => {
    const next = new Set<Level>();
    for (const l of allowed ?? LEVELS) if (ok(l)) next.add(l);
    allowed = next;
  };
  for (const m of expr.matchers) {
    if (levelIsColumn && m.name === 'level') restrict((l) => matchValue(m.op, m.value, l));
    else matchers.push({ name: m.name, op: m.op, value: m.value });
  }

  const lines: LinePredicate[] = [];
  const rest: Stage[] = [];
  let lineOpen = true;
  let labelsOpen = true;
  for (const s of expr.stages) {
    if (s.type === 'line_filter' && lineOpen) {
      const p = s.values.every((v) => v === '') && (s.op === '|=' || s.op === '|~') ? null : linePredicateOf(s);
      if (p === null) continue; // `|= ""` keeps every line
      if (p !== undefined) {
        lines.push(p);
        if (opts.recheckLine) rest.push(s);
        continue;
      }
    }
    if (s.type === 'label_filter' && labelsOpen && levelIsColumn && onlyLevel(s.filter)) {
      const f = s.filter;
      restrict((l) => evalLevel(f, l));
      continue;
    }
    if (LINE_CHANGING_OR_PARSER.has(s.type)) lineOpen = false;
    if (LABEL_CHANGING.has(s.type)) labelsOpen = false;
    rest.push(s);
  }

  const plan: LogQueryPlan = { matchers, pipeline: buildPipeline(rest), stages: rest };
  if (allowed !== undefined) plan.levels = LEVELS.filter((l) => allowed!.has(l));
  if (lines.length === 1) plan.line = lines[0];
  else if (lines.length > 1) plan.line = { type: 'and', exprs: lines };
  return plan;
}

/** Evaluates a `LinePredicate` in memory (for backends and tests that need the reference semantics). */
export function evalLinePredicate(p: LinePredicate, line: string, regex: (pattern: string) => { test(s: string): boolean }): boolean {
  switch (p.type) {
    case 'contains':
      return line.includes(p.value);
    case 'regex':
      return regex(p.pattern).test(line);
    case 'not':
      return !evalLinePredicate(p.expr, line, regex);
    case 'and':
      return p.exprs.every((e) => evalLinePredicate(e, line, regex));
    case 'or':
      return p.exprs.some((e) => evalLinePredicate(e, line, regex));
  }
}
