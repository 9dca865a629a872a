/**
 * The LogQL abstract syntax tree. Nodes are plain data (no classes) so that two parses of the
 * same query deep-equal each other; `formatExpr` (format.ts) prints any node back to LogQL and
 * `parseExpr(formatExpr(parseExpr(q)))` deep-equals `parseExpr(q)`.
 *
 * Parentheses are not kept: the formatter adds them where precedence needs them.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** A stream selector matcher, `name op "value"`. */
export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

// ---------------------------------------------------------------- log pipeline stages

export type LineFilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

/**
 * `|= "a"`, or `|= "a" or "b"` (several values). For the negative ops Loki reads `or` as
 * "none of them": `!= "a" or "b"` keeps lines containing neither.
 */
export interface LineFilterStage {
  type: 'line_filter';
  op: LineFilterOp;
  values: string[];
  /** `|= ip("192.168.0.0/16")` / `!= ip(...)`: `values` holds one ip() pattern (only `|=` and `!=`). */
  ip?: true;
}

/** `name="expression"` parameter of `| json` and `| logfmt`. */
export interface LabelExtraction {
  name: string;
  expr: string;
}

export interface JsonStage {
  type: 'json';
  params: LabelExtraction[];
}

export interface LogfmtStage {
  type: 'logfmt';
  strict: boolean;
  keepEmpty: boolean;
  params: LabelExtraction[];
}

export interface RegexpStage {
  type: 'regexp';
  pattern: string;
}

export interface PatternStage {
  type: 'pattern';
  pattern: string;
}

export interface UnpackStage {
  type: 'unpack';
}

export type ComparisonOp = '==' | '=' | '!=' | '>' | '>=' | '<' | '<=';

export type LabelFilterExpr =
  | { type: 'and' | 'or'; left: LabelFilterExpr; right: LabelFilterExpr }
  | { type: 'string'; name: string; op: MatchOp; value: string }
  | { type: 'number'; name: string; op: ComparisonOp; value: number }
  /** `value` in nanoseconds; `text` is the literal as written (`1m30s`). */
  | { type: 'duration'; name: string; op: ComparisonOp; value: number; text: string }
  /** `value` in bytes; `text` is the literal as written (`20MB`). */
  | { type: 'bytes'; name: string; op: ComparisonOp; value: number; text: string }
  /** `addr = ip("10.0.0.0/8")` / `addr != ip(...)`: single address, CIDR or `a-b` range. */
  | { type: 'ip'; name: string; op: '=' | '!='; pattern: string };

export interface LabelFilterStage {
  type: 'label_filter';
  filter: LabelFilterExpr;
}

export interface LineFormatStage {
  type: 'line_format';
  template: string;
}

/** `dst=src` renames (kind `rename`, `value` = source label); `dst="{{...}}"` templates. */
export interface LabelFormatOp {
  dst: string;
  kind: 'rename' | 'template';
  value: string;
}

export interface LabelFormatStage {
  type: 'label_format';
  ops: LabelFormatOp[];
}

/** A label named by `| drop` / `| keep`, optionally only when it matches (`b="v"`). */
export interface LabelSpec {
  name: string;
  matcher?: { op: MatchOp; value: string };
}

export interface DropStage {
  type: 'drop';
  labels: LabelSpec[];
}

export interface KeepStage {
  type: 'keep';
  labels: LabelSpec[];
}

export interface DecolorizeStage {
  type: 'decolorize';
}

export type Stage =
  | LineFilterStage
  | JsonStage
  | LogfmtStage
  | RegexpStage
  | PatternStage
  | UnpackStage
  | LabelFilterStage
  | LineFormatStage
  | LabelFormatStage
  | DropStage
  | KeepStage
  | DecolorizeStage;

/** `{matchers} stages...` — a log query on its own, or the inside of a range aggregation. */
export interface LogSelectorExpr {
  type: 'log_selector';
  matchers: LabelMatcher[];
  stages: Stage[];
}

// ---------------------------------------------------------------- metric expressions

export type UnwrapConversion = 'bytes' | 'duration' | 'duration_seconds';

/** `| unwrap label`, `| unwrap bytes(label)`, followed by optional label filters (`| __error__=""`). */
export interface Unwrap {
  label: string;
  conversion?: UnwrapConversion;
  postFilters: LabelFilterExpr[];
}

/** `{...} | stages [5m] offset 1h` with an optional unwrap (inside a range aggregation only). */
export interface LogRangeExpr {
  selector: LogSelectorExpr;
  rangeMs: number;
  /** 0 when there is no `offset`. */
  offsetMs: number;
  unwrap?: Unwrap;
}

export const RANGE_OPS = [
  'count_over_time',
  'rate',
  'rate_counter',
  'bytes_over_time',
  'bytes_rate',
  'absent_over_time',
  'sum_over_time',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'first_over_time',
  'last_over_time',
] as const;
export type RangeOp = (typeof RANGE_OPS)[number];

/**
 * Range aggregations that work on unwrapped sample values and so require `| unwrap`. With `rate`
 * and `absent_over_time` they make the ops Loki accepts after an unwrap.
 */
export const UNWRAP_RANGE_OPS: ReadonlySet<RangeOp> = new Set<RangeOp>([
  'rate_counter',
  'sum_over_time',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'first_over_time',
  'last_over_time',
]);

/** Range aggregations that take `by (...)` / `without (...)` (Loki 3 refuses it on the others). */
export const GROUPING_RANGE_OPS: ReadonlySet<RangeOp> = new Set<RangeOp>([
  'avg_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'max_over_time',
  'min_over_time',
  'first_over_time',
  'last_over_time',
]);

export interface Grouping {
  without: boolean;
  labels: string[];
}

export interface RangeAggregationExpr {
  type: 'range_aggregation';
  op: RangeOp;
  /** The φ of `quantile_over_time(φ, ...)`. */
  param?: number;
  range: LogRangeExpr;
  grouping?: Grouping;
}

export const VECTOR_OPS = ['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'sort', 'sort_desc', 'approx_topk'] as const;
export type VectorOp = (typeof VECTOR_OPS)[number];

export interface VectorAggregationExpr {
  type: 'vector_aggregation';
  op: VectorOp;
  /** The k of `topk(k, ...)` / `bottomk(k, ...)` / `approx_topk(k, ...)`. */
  param?: number;
  expr: MetricExpr;
  grouping?: Grouping;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonBinOp = '==' | '!=' | '>' | '>=' | '<' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonBinOp | SetOp;

/** `on(...)` / `ignoring(...)` and `group_left(...)` / `group_right(...)`. */
export interface VectorMatching {
  on: boolean;
  labels: string[];
  card: 'one-to-one' | 'many-to-one' | 'one-to-many';
  /** Labels named in `group_left(...)` / `group_right(...)`. */
  include: string[];
}

export interface BinaryOpExpr {
  type: 'binary';
  op: BinaryOp;
  /** `bool` modifier of comparisons. */
  returnBool: boolean;
  matching?: VectorMatching;
  left: MetricExpr;
  right: MetricExpr;
}

export interface LabelReplaceExpr {
  type: 'label_replace';
  expr: MetricExpr;
  dst: string;
  replacement: string;
  src: string;
  regex: string;
}

export interface LiteralExpr {
  type: 'literal';
  value: number;
}

/** `vector(1)`. */
export interface VectorExpr {
  type: 'vector';
  value: number;
}

export type MetricExpr =
  | RangeAggregationExpr
  | VectorAggregationExpr
  | BinaryOpExpr
  | LabelReplaceExpr
  | LiteralExpr
  | VectorExpr;

export type Expr = LogSelectorExpr | MetricExpr;

export function isLogSelector(e: Expr): e is LogSelectorExpr {
  return e.type === 'log_selector';
}
