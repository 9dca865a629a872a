/**
 * Recursive-descent LogQL parser (the grammar of Loki 3.x as Grafana speaks it).
 *
 * Errors are `LogQLParseError`s worded like Loki's goyacc parser
 * (`syntax error: unexpected IDENTIFIER, expecting STRING`) at the offending token's position.
 * Everything that can be checked without data is checked here (regexes compile, templates parse,
 * patterns are valid, unwrap only where allowed), so a query that parses can be executed.
 *
 * Operator precedence follows PromQL: `^` (right-assoc) > `* / %` > `+ -` > comparisons >
 * `and unless` > `or`.
 */
import { LogQLParseError } from '../errors.js';
import { describeToken, tokenize, type Token } from './lexer.js';
import {
  GROUPING_RANGE_OPS,
  RANGE_OPS,
  UNWRAP_RANGE_OPS,
  VECTOR_OPS,
  type BinaryOp,
  type ComparisonOp,
  type Expr,
  type Grouping,
  type LabelExtraction,
  type LabelFilterExpr,
  type LabelFormatOp,
  type LabelMatcher,
  type LabelSpec,
  type LineFilterOp,
  type LogRangeExpr,
  type LogSelectorExpr,
  type MatchOp,
  type MetricExpr,
  type RangeOp,
  type Stage,
  type Unwrap,
  type UnwrapConversion,
  type VectorMatching,
  type VectorOp,
} from './ast.js';
import { compileRegex, regexError } from './regex.js';
import { validateSelector } from './validate.js';
import { parseTemplate } from './template/parse.js';
import { logfmtExpressionError } from './stages/logfmt.js';
import { parseIPPattern } from './stages/ip.js';
import { compilePattern } from './stages/pattern-matcher.js';
import { parseJsonPath } from './json-path.js';

const LINE_FILTER_OPS = new Set(['|=', '!=', '|~', '!~', '|>', '!>']);
const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);
const CMP_OPS = new Set(['==', '=', '!=', '>', '>=', '<', '<=']);
const STAGE_WORDS = new Set(['json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format', 'label_format', 'drop', 'keep', 'decolorize', 'unwrap']);
const RANGE_OP_SET: ReadonlySet<string> = new Set(RANGE_OPS);
const VECTOR_OP_SET: ReadonlySet<string> = new Set(VECTOR_OPS);

const BIN_PREC: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '>=': 3,
  '<': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};
const COMPARISONS = new Set(['==', '!=', '>', '>=', '<', '<=']);

/** Parses any LogQL query: a log query or a metric query. */
export function parseExpr(query: string): Expr {
  return new Parser(query).parseTop();
}

/** Parses a log query (`{...} | stages`); metric queries are rejected. */
export function parseLogSelector(query: string): LogSelectorExpr {
  const e = parseExpr(query);
  if (e.type !== 'log_selector') throw new LogQLParseError('syntax error: expected a log query, got a metric query', 1, 1);
  return e;
}

/** Parses a metric query; log queries are rejected. */
export function parseMetricExpr(query: string): MetricExpr {
  const e = parseExpr(query);
  if (e.type === 'log_selector') throw new LogQLParseError('syntax error: expected a metric query, got a log query', 1, 1);
  return e;
}

class Parser {
  private readonly toks: Token[];
  private pos = 0;

  constructor(input: string) {
    this.toks = tokenize(input);
  }

  parseTop(): Expr {
    if (this.peek().kind === 'EOF') this.fail(this.peek(), 'syntax error: unexpected $end');
    const e = this.parseBinary(0);
    this.expectEOF();
    return e;
  }

  // ------------------------------------------------------------ token helpers

  private peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.toks[this.pos];
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  private isOp(t: Token, op: string): boolean {
    return t.kind === 'OP' && t.text === op;
  }
  private isWord(t: Token, w: string): boolean {
    return t.kind === 'IDENTIFIER' && t.text === w;
  }
  private fail(t: Token, msg: string): never {
    throw new LogQLParseError(msg, t.line, t.col);
  }
  private unexpected(t: Token, expecting?: string): never {
    this.fail(t, `syntax error: unexpected ${describeToken(t)}` + (expecting ? `, expecting ${expecting}` : ''));
  }
  private expectOp(op: string): Token {
    const t = this.next();
    if (!this.isOp(t, op)) this.unexpected(t, op);
    return t;
  }
  private expectKind(kind: Token['kind']): Token {
    const t = this.next();
    if (t.kind !== kind) this.unexpected(t, kind);
    return t;
  }
  private expectString(): Token {
    return this.expectKind('STRING');
  }
  private expectEOF(): void {
    const t = this.peek();
    if (t.kind !== 'EOF') this.unexpected(t);
  }
  private checkRegex(t: Token, pattern: string): void {
    const err = regexError(pattern);
    if (err !== undefined) this.fail(t, err);
  }
  /** Checks a regex used as a fully anchored matcher (reports errors on the user's text). */
  private checkAnchored(t: Token, pattern: string): void {
    this.checkRegex(t, pattern);
    this.checkRegex(t, '^(?s:' + pattern + ')$');
  }

  // ------------------------------------------------------------ metric expressions

  private parseBinary(minPrec: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      const opText = t.kind === 'OP' || t.kind === 'IDENTIFIER' ? t.text : '';
      const prec = BIN_PREC[opText];
      if (prec === undefined || prec < minPrec) break;
      if (t.kind === 'IDENTIFIER' && opText !== 'and' && opText !== 'or' && opText !== 'unless') break;
      if (left.type === 'log_selector') this.unexpected(t);
      this.next();
      const op = opText as BinaryOp;
      let returnBool = false;
      if (this.isWord(this.peek(), 'bool')) {
        const b = this.next();
        if (!COMPARISONS.has(op)) this.fail(b, 'syntax error: bool modifier can only be used on comparison operators');
        returnBool = true;
      }
      const matching = this.parseVectorMatching(op);
      const right = this.parseBinary(op === '^' ? prec : prec + 1);
      if (right.type === 'log_selector') this.fail(t, `syntax error: unexpected ${op}: a log query cannot be an operand`);
      left = { type: 'binary', op, returnBool, ...(matching ? { matching } : {}), left: left as MetricExpr, right };
    }
    return left;
  }

  private parseVectorMatching(op: BinaryOp): VectorMatching | undefined {
    const t = this.peek();
    if (!this.isWord(t, 'on') && !this.isWord(t, 'ignoring')) {
      if (this.isWord(t, 'group_left') || this.isWord(t, 'group_right')) this.unexpected(t);
      return undefined;
    }
    this.next();
    const labels = this.parseLabelList();
    const m: VectorMatching = { on: t.text === 'on', labels, card: 'one-to-one', include: [] };
    const g = this.peek();
    if (this.isWord(g, 'group_left') || this.isWord(g, 'group_right')) {
      if (op === 'and' || op === 'or' || op === 'unless') this.fail(g, `syntax error: no grouping allowed for "${op}" operation`);
      this.next();
      m.card = g.text === 'group_left' ? 'many-to-one' : 'one-to-many';
      if (this.isOp(this.peek(), '(')) m.include = this.parseLabelList();
    }
    return m;
  }

  private parseLabelList(): string[] {
    this.expectOp('(');
    const out: string[] = [];
    if (this.isOp(this.peek(), ')')) {
      this.next();
      return out;
    }
    for (;;) {
      out.push(this.expectKind('IDENTIFIER').text);
      const t = this.next();
      if (this.isOp(t, ')')) return out;
      if (!this.isOp(t, ',')) this.unexpected(t, ', or )');
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if ((this.isOp(t, '-') || this.isOp(t, '+')) && this.peek(1).kind === 'NUMBER') {
      this.next();
      const n = this.next();
      return { type: 'literal', value: t.text === '-' ? -n.num : n.num };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '{')) return this.parseLogSelectorExpr(false).selector;
    if (this.isOp(t, '(')) {
      this.next();
      const e = this.parseBinary(0);
      this.expectOp(')');
      return e;
    }
    if (t.kind === 'NUMBER') {
      this.next();
      return { type: 'literal', value: t.num };
    }
    if (t.kind === 'IDENTIFIER') {
      if (RANGE_OP_SET.has(t.text)) return this.parseRangeAggregation();
      if (VECTOR_OP_SET.has(t.text)) return this.parseVectorAggregation();
      if (t.text === 'label_replace') return this.parseLabelReplace();
      if (t.text === 'vector') {
        this.next();
        this.expectOp('(');
        const v = this.parseSignedNumber();
        this.expectOp(')');
        return { type: 'vector', value: v };
      }
    }
    this.unexpected(t);
  }

  private parseSignedNumber(): number {
    let sign = 1;
    if (this.isOp(this.peek(), '-')) {
      this.next();
      sign = -1;
    } else if (this.isOp(this.peek(), '+')) this.next();
    return sign * this.expectKind('NUMBER').num;
  }

  private parseGrouping(): Grouping | undefined {
    const t = this.peek();
    if (!this.isWord(t, 'by') && !this.isWord(t, 'without')) return undefined;
    this.next();
    return { without: t.text === 'without', labels: this.parseLabelList() };
  }

  private parseRangeAggregation(): MetricExpr {
    const nameTok = this.next();
    const op = nameTok.text as RangeOp;
    this.expectOp('(');
    let param: number | undefined;
    // As Loki's grammar: an unsigned NUMBER, parsed for any range op and refused but for quantile.
    if (this.peek().kind === 'NUMBER') {
      const pt = this.next();
      if (op !== 'quantile_over_time') this.fail(pt, `parameter ${pt.text} not supported for operation ${op}`);
      param = pt.num;
      this.expectOp(',');
    } else if (op === 'quantile_over_time') {
      // φ is an unsigned NUMBER in Loki's grammar: `-0.5` is a syntax error there too.
      if (this.isOp(this.peek(), '-') || this.isOp(this.peek(), '+')) this.unexpected(this.peek(), 'NUMBER');
      this.fail(this.peek(), `parameter required for operation ${op}`);
    }
    const range = this.parseLogRange();
    this.expectOp(')');
    const grouping = this.parseGrouping();
    // Loki's RangeAggregationExpr.validate(), checks and texts in its order.
    if (grouping && !GROUPING_RANGE_OPS.has(op)) this.fail(nameTok, `grouping not allowed for ${op} aggregation`);
    if (range.unwrap && !UNWRAP_RANGE_OPS.has(op) && op !== 'rate' && op !== 'absent_over_time') this.fail(nameTok, `invalid aggregation ${op} with unwrap`);
    if (!range.unwrap && UNWRAP_RANGE_OPS.has(op)) this.fail(nameTok, `invalid aggregation ${op} without unwrap`);
    return { type: 'range_aggregation', op, ...(param !== undefined ? { param } : {}), range, ...(grouping ? { grouping } : {}) };
  }

  /** `{..} | stages [5m] offset 1h`, `{..}[5m] | stages`, or `({..} | stages)[5m]`. */
  private parseLogRange(): LogRangeExpr {
    let sel: { selector: LogSelectorExpr; unwrap?: Unwrap };
    if (this.isOp(this.peek(), '(')) {
      this.next();
      sel = this.parseLogSelectorExpr(true);
      this.expectOp(')');
    } else {
      sel = this.parseLogSelectorExpr(true);
    }
    const rangeMs = this.parseRangeDuration();
    let offsetMs = 0;
    if (this.isWord(this.peek(), 'offset')) {
      this.next();
      // Loki's lexer reads `-5m` as one (negative) DURATION: a negative offset looks ahead.
      const neg = this.isOp(this.peek(), '-') && this.peek(1).kind === 'DURATION';
      if (neg) this.next();
      offsetMs = (neg ? -1 : 1) * (this.expectKind('DURATION').num / 1e6);
    }
    if (sel.selector.stages.length === 0 && !sel.unwrap && this.peek().kind === 'OP' && (this.peek().text === '|' || LINE_FILTER_OPS.has(this.peek().text))) {
      const more = this.parseStages(sel.selector, true);
      sel = { selector: sel.selector, ...(more ? { unwrap: more } : {}) };
    }
    return { selector: sel.selector, rangeMs, offsetMs, ...(sel.unwrap ? { unwrap: sel.unwrap } : {}) };
  }

  private parseRangeDuration(): number {
    this.expectOp('[');
    const d = this.next();
    if (d.kind !== 'DURATION') this.unexpected(d, 'DURATION');
    if (d.num <= 0) this.fail(d, 'syntax error: range must be positive');
    this.expectOp(']');
    return d.num / 1e6;
  }

  private parseVectorAggregation(): MetricExpr {
    const nameTok = this.next();
    const op = nameTok.text as VectorOp;
    let grouping = this.parseGrouping();
    this.expectOp('(');
    let param: number | undefined;
    const pt = this.peek();
    if (op === 'topk' || op === 'bottomk' || op === 'approx_topk') {
      // Loki's mustNewVectorAggregationExpr texts: k is an integer (strconv.Atoi) above 0.
      // `bottomk(he, …)`: Loki's grammar stops at the token before the comma.
      if (pt.kind !== 'NUMBER' && this.isOp(this.peek(1), ',')) this.unexpected(pt);
      if (pt.kind !== 'NUMBER' || !this.isOp(this.peek(1), ',')) this.fail(pt, `parameter required for operation ${op}`);
      this.next();
      this.expectOp(',');
      if (!/^[+-]?\d+$/.test(pt.text)) this.fail(pt, `invalid parameter ${op}(${pt.text},`);
      param = pt.num;
      if (param <= 0) this.fail(pt, `invalid parameter (must be greater than 0) ${op}(${pt.text}`);
    } else if (pt.kind === 'NUMBER' && this.isOp(this.peek(1), ',')) {
      this.fail(pt, `unsupported parameter for operation ${op}(${pt.text},`);
    }
    const inner = this.parseBinary(0);
    if (inner.type === 'log_selector') {
      // As Loki's grammar: `min({a="b"}[5m])` stops at the range, `stddev({a="b"})` at the `)`.
      if (this.isOp(this.peek(), '[')) this.fail(this.peek(), 'syntax error: unexpected RANGE');
      this.unexpected(this.peek());
    }
    this.expectOp(')');
    if (!grouping) grouping = this.parseGrouping();
    else if (this.isWord(this.peek(), 'by') || this.isWord(this.peek(), 'without')) this.unexpected(this.peek());
    if (grouping && (op === 'sort' || op === 'sort_desc')) this.fail(nameTok, `syntax error: grouping not allowed for ${op}`);
    if (grouping && op === 'approx_topk') this.fail(nameTok, `grouping not allowed for ${op} aggregation`);
    return { type: 'vector_aggregation', op, ...(param !== undefined ? { param } : {}), expr: inner, ...(grouping ? { grouping } : {}) };
  }

  private parseLabelReplace(): MetricExpr {
    this.next();
    this.expectOp('(');
    const inner = this.parseBinary(0);
    if (inner.type === 'log_selector') this.unexpected(this.peek());
    const args: string[] = [];
    let regexTok: Token | undefined;
    for (let i = 0; i < 4; i++) {
      this.expectOp(',');
      const s = this.expectString();
      if (i === 3) regexTok = s;
      args.push(s.value);
    }
    this.expectOp(')');
    // Loki compiles `^(?:regex)$` and reports the compiler's error on that wrapped form.
    const err = regexError('^(?:' + args[3] + ')$');
    if (err !== undefined) this.fail(regexTok!, `invalid regex in label_replace: ${err}`);
    return { type: 'label_replace', expr: inner, dst: args[0], replacement: args[1], src: args[2], regex: args[3] };
  }

  // ------------------------------------------------------------ log queries

  private parseLogSelectorExpr(allowUnwrap: boolean): { selector: LogSelectorExpr; unwrap?: Unwrap } {
    const open = this.expectOp('{');
    const matchers: LabelMatcher[] = [];
    if (!this.isOp(this.peek(), '}')) {
      for (;;) {
        const name = this.expectKind('IDENTIFIER');
        const opTok = this.next();
        if (opTok.kind !== 'OP' || !MATCH_OPS.has(opTok.text)) this.unexpected(opTok, '=, !=, =~ or !~');
        const v = this.expectString();
        if (opTok.text === '=~' || opTok.text === '!~') this.checkAnchored(v, v.value);
        matchers.push({ name: name.text, op: opTok.text as MatchOp, value: v.value });
        const t = this.next();
        if (this.isOp(t, '}')) break;
        if (!this.isOp(t, ',')) this.unexpected(t, ', or }');
      }
    } else {
      this.next();
    }
    const err = validateSelector(matchers);
    if (err !== undefined) this.fail(open, err);
    const selector: LogSelectorExpr = { type: 'log_selector', matchers, stages: [] };
    const unwrap = this.parseStages(selector, allowUnwrap);
    return unwrap ? { selector, unwrap } : { selector };
  }

  /** Parses `| stage` and line filters into `selector.stages`; returns the unwrap if any. */
  private parseStages(selector: LogSelectorExpr, allowUnwrap: boolean): Unwrap | undefined {
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'OP') return undefined;
      if (LINE_FILTER_OPS.has(t.text)) {
        selector.stages.push(this.parseLineFilter());
        continue;
      }
      if (t.text !== '|') return undefined;
      this.next();
      const w = this.peek();
      if (w.kind === 'IDENTIFIER' && STAGE_WORDS.has(w.text) && !(this.peek(1).kind === 'OP' && CMP_OPS.has(this.peek(1).text))) {
        if (w.text === 'unwrap') {
          if (!allowUnwrap) this.fail(w, 'syntax error: unexpected unwrap: unwrap is only allowed in range aggregations');
          return this.parseUnwrap();
        }
        selector.stages.push(this.parseNamedStage());
        continue;
      }
      if (w.kind === 'IDENTIFIER' || this.isOp(w, '(')) {
        selector.stages.push({ type: 'label_filter', filter: this.parseLabelFilterOr() });
        continue;
      }
      this.unexpected(w, 'IDENTIFIER');
    }
  }

  private parseLineFilter(): Stage {
    const opTok = this.next();
    const op = opTok.text as LineFilterOp;
    if (this.isWord(this.peek(), 'ip') && this.isOp(this.peek(1), '(')) return { type: 'line_filter', op, values: [this.parseIPCall(op === '|=' || op === '!=')], ip: true };
    const values: string[] = [this.parseLineFilterValue(op)];
    while (this.isWord(this.peek(), 'or') && this.peek(1).kind === 'STRING') {
      this.next();
      values.push(this.parseLineFilterValue(op));
    }
    return { type: 'line_filter', op, values };
  }

  private parseLineFilterValue(op: LineFilterOp): string {
    const s = this.expectString();
    if (op === '|~' || op === '!~') this.checkRegex(s, s.value);
    if (op === '|>' || op === '!>') {
      try {
        compilePattern(s.value, { filterOnly: true });
      } catch (err) {
        this.fail(s, (err as Error).message);
      }
    }
    return s.value;
  }

  /** `ip("pattern")`: returns the pattern; refuses a bad pattern or operator with Loki's texts. */
  private parseIPCall(opAllowed: boolean): string {
    const t = this.next(); // ip
    if (!opAllowed) this.fail(t, 'ip: invalid operation');
    this.expectOp('(');
    const s = this.expectString();
    this.expectOp(')');
    try {
      parseIPPattern(s.value);
    } catch (err) {
      this.fail(s, (err as Error).message);
    }
    return s.value;
  }

  private parseNamedStage(): Stage {
    const w = this.next();
    switch (w.text) {
      case 'json':
        return { type: 'json', params: this.parseExtractionParams('json') };
      case 'logfmt': {
        let strict = false;
        let keepEmpty = false;
        while (this.peek().kind === 'FLAG') {
          const f = this.next();
          if (f.text === '--strict') strict = true;
          else if (f.text === '--keep-empty') keepEmpty = true;
          else this.fail(f, `syntax error: unexpected ${f.text}, expecting --strict or --keep-empty`);
        }
        return { type: 'logfmt', strict, keepEmpty, params: this.parseExtractionParams('logfmt') };
      }
      case 'regexp': {
        const s = this.expectString();
        this.checkRegex(s, s.value);
        try {
          // Named groups are required; validated by building the stage's group table.
          validateRegexpStage(s.value);
        } catch (err) {
          this.fail(s, (err as Error).message);
        }
        return { type: 'regexp', pattern: s.value };
      }
      case 'pattern': {
        const s = this.expectString();
        try {
          compilePattern(s.value, { filterOnly: false });
        } catch (err) {
          this.fail(s, (err as Error).message);
        }
        return { type: 'pattern', pattern: s.value };
      }
      case 'unpack':
        return { type: 'unpack' };
      case 'decolorize':
        return { type: 'decolorize' };
      case 'line_format': {
        const s = this.expectString();
        this.checkTemplate(s);
        return { type: 'line_format', template: s.value };
      }
      case 'label_format':
        return { type: 'label_format', ops: this.parseLabelFormatOps() };
      case 'drop':
      case 'keep':
        return { type: w.text, labels: this.parseLabelSpecs() };
      default:
        this.unexpected(w);
    }
  }

  private checkTemplate(s: Token): void {
    try {
      parseTemplate(s.value);
    } catch (err) {
      this.fail(s, (err as Error).message);
    }
  }

  private parseExtractionParams(stage: 'json' | 'logfmt'): LabelExtraction[] {
    const out: LabelExtraction[] = [];
    if (this.peek().kind !== 'IDENTIFIER' || this.isWord(this.peek(), 'or') && this.peek(1).kind === 'STRING') return out;
    for (;;) {
      const name = this.expectKind('IDENTIFIER');
      let expr = name.text;
      if (this.isOp(this.peek(), '=')) {
        this.next();
        const s = this.expectString();
        expr = s.value;
        if (stage === 'json') {
          try {
            parseJsonPath(expr);
          } catch (err) {
            this.fail(s, (err as Error).message);
          }
        } else {
          const bad = logfmtExpressionError(expr);
          if (bad !== undefined) this.fail(s, bad);
        }
      }
      out.push({ name: name.text, expr });
      if (!this.isOp(this.peek(), ',')) return out;
      this.next();
    }
  }

  private parseLabelFormatOps(): LabelFormatOp[] {
    const out: LabelFormatOp[] = [];
    const seen = new Set<string>();
    for (;;) {
      const dst = this.expectKind('IDENTIFIER');
      this.expectOp('=');
      const v = this.next();
      if (seen.has(dst.text)) this.fail(dst, `syntax error: multiple label name '${dst.text}' appears in formatting`);
      seen.add(dst.text);
      if (v.kind === 'IDENTIFIER') out.push({ dst: dst.text, kind: 'rename', value: v.text });
      else if (v.kind === 'STRING') {
        this.checkTemplate(v);
        out.push({ dst: dst.text, kind: 'template', value: v.value });
      } else this.unexpected(v, 'IDENTIFIER or STRING');
      if (!this.isOp(this.peek(), ',')) return out;
      this.next();
    }
  }

  private parseLabelSpecs(): LabelSpec[] {
    const out: LabelSpec[] = [];
    for (;;) {
      const name = this.expectKind('IDENTIFIER');
      const t = this.peek();
      if (t.kind === 'OP' && MATCH_OPS.has(t.text)) {
        this.next();
        const v = this.expectString();
        if (t.text === '=~' || t.text === '!~') this.checkAnchored(v, v.value);
        out.push({ name: name.text, matcher: { op: t.text as MatchOp, value: v.value } });
      } else out.push({ name: name.text });
      if (!this.isOp(this.peek(), ',')) return out;
      this.next();
    }
  }

  private parseUnwrap(): Unwrap {
    this.next(); // unwrap
    const t = this.expectKind('IDENTIFIER');
    let label = t.text;
    let conversion: UnwrapConversion | undefined;
    if (this.isOp(this.peek(), '(')) {
      if (t.text !== 'bytes' && t.text !== 'duration' && t.text !== 'duration_seconds') this.fail(t, `syntax error: unexpected ${t.text}, expecting bytes, duration or duration_seconds`);
      conversion = t.text;
      this.next();
      label = this.expectKind('IDENTIFIER').text;
      this.expectOp(')');
    }
    const postFilters: LabelFilterExpr[] = [];
    while (this.isOp(this.peek(), '|')) {
      this.next();
      const w = this.peek();
      if (w.kind !== 'IDENTIFIER' && !this.isOp(w, '(')) this.unexpected(w, 'IDENTIFIER');
      if (w.kind === 'IDENTIFIER' && STAGE_WORDS.has(w.text) && !(this.peek(1).kind === 'OP' && CMP_OPS.has(this.peek(1).text))) {
        this.fail(w, `syntax error: unexpected ${w.text}: only label filters are allowed after unwrap`);
      }
      postFilters.push(this.parseLabelFilterOr());
    }
    return { label, ...(conversion ? { conversion } : {}), postFilters };
  }

  // ------------------------------------------------------------ label filters

  private parseLabelFilterOr(): LabelFilterExpr {
    let left = this.parseLabelFilterAnd();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { type: 'or', left, right: this.parseLabelFilterAnd() };
    }
    return left;
  }

  private parseLabelFilterAnd(): LabelFilterExpr {
    let left = this.parseLabelFilterPrimary();
    for (;;) {
      const t = this.peek();
      if (this.isWord(t, 'and') || this.isOp(t, ',')) {
        this.next();
      } else if (!(this.isOp(t, '(') || (t.kind === 'IDENTIFIER' && t.text !== 'or' && t.text !== 'offset' && this.peek(1).kind === 'OP' && CMP_OPS.has(this.peek(1).text)))) {
        return left;
      }
      left = { type: 'and', left, right: this.parseLabelFilterPrimary() };
    }
  }

  private parseLabelFilterPrimary(): LabelFilterExpr {
    const t = this.peek();
    if (this.isOp(t, '(')) {
      this.next();
      const e = this.parseLabelFilterOr();
      this.expectOp(')');
      return e;
    }
    const name = this.expectKind('IDENTIFIER').text;
    const opTok = this.next();
    if (opTok.kind !== 'OP' || !(CMP_OPS.has(opTok.text) || MATCH_OPS.has(opTok.text))) this.unexpected(opTok, 'a comparison operator');
    const op = opTok.text;
    let v = this.peek();
    if (this.isWord(v, 'ip') && this.isOp(this.peek(1), '(')) {
      // Loki's grammar has ip() label filters for `=` and `!=` only.
      if (op !== '=' && op !== '!=') this.fail(v, 'syntax error: unexpected IP');
      return { type: 'ip', name, op, pattern: this.parseIPCall(true) };
    }
    if (v.kind === 'STRING') {
      if (!MATCH_OPS.has(op)) this.unexpected(v, 'NUMBER or DURATION or BYTES');
      this.next();
      if (op === '=~' || op === '!~') this.checkAnchored(v, v.value);
      return { type: 'string', name, op: op as MatchOp, value: v.value };
    }
    if (op === '=~' || op === '!~') this.unexpected(v, 'STRING');
    let sign = 1;
    if (this.isOp(v, '-')) {
      this.next();
      sign = -1;
      v = this.peek();
    }
    this.next();
    const cop = op as ComparisonOp;
    switch (v.kind) {
      case 'NUMBER':
        return { type: 'number', name, op: cop, value: sign * v.num };
      case 'DURATION':
        return { type: 'duration', name, op: cop, value: sign * v.num, text: (sign < 0 ? '-' : '') + v.text };
      case 'BYTES':
        if (sign < 0) this.unexpected(v, 'NUMBER or DURATION');
        return { type: 'bytes', name, op: cop, value: v.num, text: v.text };
      default:
        this.unexpected(v, 'STRING or NUMBER or DURATION or BYTES');
    }
  }
}

function validateRegexpStage(pattern: string): void {
  const names = Object.keys(namedGroupsOf(pattern));
  if (names.length === 0) throw new Error('at least one named capture must be supplied');
  for (const n of names) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n)) throw new Error(`invalid extracted label name '${n}'`);
  }
}

function namedGroupsOf(pattern: string): Record<string, number> {
  return compileRegex(pattern).namedGroups();
}
