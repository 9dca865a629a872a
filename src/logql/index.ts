/**
 * LogQL, the query language of Loki, as LogSentinel speaks it: lexer → parser → AST →
 * validation → planner (push-down to storage) → log pipeline stages.
 *
 * Invariants
 * - Pure: imports only `src/model`, `src/errors` and storage *types*; never storage
 *   implementations or API code.
 * - `parseExpr(formatExpr(parseExpr(q)))` deep-equals `parseExpr(q)`.
 * - Every user regular expression is compiled with RE2 (re2js): linear time, no catastrophic
 *   backtracking.
 * - Parse errors are `LogQLParseError` with 1-based line and column, worded like Loki's.
 */
export * from './ast.js';
export { parseExpr, parseLogSelector, parseMetricExpr } from './parser.js';
export { formatExpr, formatLabelFilter, formatLogSelector, formatStage } from './format.js';
export { buildPipeline, type Pipeline, type PipelineResult } from './pipeline.js';
export { planLogQuery, evalLinePredicate, type LogQueryPlan, type PlanOptions } from './plan.js';
export { matchesLabels, matchValue, type Matcher } from './matcher.js';
export { parseDuration, parseGoDuration, formatDuration } from './duration.js';
export { parseBytes } from './bytes.js';
export { compileRegex } from './regex.js';
export { EMPTY_SELECTOR_ERROR } from './validate.js';
