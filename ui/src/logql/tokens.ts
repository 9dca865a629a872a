/**
 * A forgiving LogQL tokenizer for the editor's syntax highlighting and completion. Unlike the
 * server's lexer it never throws: unfinished strings, stray characters and half-typed queries
 * still give tokens that cover every character of the input, in order, so the highlighted overlay
 * lines up with the textarea exactly (`tokens.map(t => t.text).join('') === input`).
 *
 * Imports nothing, so node:test can load it without a DOM.
 */

export type HighlightKind =
  | 'space'
  | 'comment'
  | 'string'
  | 'number'
  | 'duration'
  | 'brace'
  | 'paren'
  | 'operator'
  | 'pipe'
  | 'label'
  | 'function'
  | 'parser'
  | 'keyword'
  | 'ident'
  | 'error';

export interface HighlightToken {
  kind: HighlightKind;
  text: string;
  /** Offset of the first character in the input. */
  start: number;
  /** A string token whose closing quote is missing. */
  unterminated?: boolean;
}

export const RANGE_FUNCTIONS = [
  'count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time', 'sum_over_time', 'avg_over_time',
  'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'first_over_time',
  'last_over_time', 'rate_counter',
];
export const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'approx_topk', 'bottomk', 'sort', 'sort_desc'];
export const OTHER_FUNCTIONS = ['label_replace', 'vector', 'bytes', 'duration', 'duration_seconds', 'ip'];
export const PARSERS = ['json', 'logfmt', 'regexp', 'pattern', 'unpack'];
export const STAGES = ['line_format', 'label_format', 'drop', 'keep', 'decolorize', 'unwrap'];
export const KEYWORDS = ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset'];

const FUNCTIONS = new Set([...RANGE_FUNCTIONS, ...AGGREGATIONS, ...OTHER_FUNCTIONS]);
const PARSER_SET = new Set(PARSERS);
const STAGE_SET = new Set(STAGES);
const KEYWORD_SET = new Set(KEYWORDS);

// Longest first, so `|=` wins over `|` and `!~` over `!`.
const OPERATORS = ['|=', '|~', '|>', '!=', '!~', '!>', '=~', '==', '>=', '<=', '=', '>', '<', '+', '-', '*', '/', '%', '^', ',', '.'];

const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Splits `input` into highlight tokens covering every character. */
export function highlightTokens(input: string): HighlightToken[] {
  const out: HighlightToken[] = [];
  let i = 0;
  // Inside `{...}` an identifier is a label name; the depth tells whether we are there.
  let braceDepth = 0;
  const n = input.length;
  const push = (kind: HighlightKind, start: number, end: number, unterminated?: boolean): void => {
    const t: HighlightToken = { kind, text: input.slice(start, end), start };
    if (unterminated) t.unterminated = true;
    out.push(t);
  };
  while (i < n) {
    const c = input[i];
    const start = i;
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(input[i])) i++;
      push('space', start, i);
      continue;
    }
    if (c === '#') {
      while (i < n && input[i] !== '\n') i++;
      push('comment', start, i);
      continue;
    }
    if (c === '"' || c === '`') {
      i++;
      let closed = false;
      while (i < n) {
        const d = input[i];
        if (c === '"' && d === '\\' && i + 1 < n) {
          i += 2;
          continue;
        }
        if (c === '"' && d === '\n') break;
        i++;
        if (d === c) {
          closed = true;
          break;
        }
      }
      push('string', start, i, !closed);
      continue;
    }
    if (c === '{' || c === '}') {
      braceDepth = Math.max(0, braceDepth + (c === '{' ? 1 : -1));
      i++;
      push('brace', start, i);
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      i++;
      push('paren', start, i);
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(input[i + 1]))) {
      while (i < n && /[0-9A-Za-z_.]/.test(input[i])) i++;
      const text = input.slice(start, i);
      push(/^[0-9.]+(e[-+]?\d+)?$/i.test(text) ? 'number' : 'duration', start, i);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(input[i])) i++;
      const word = input.slice(start, i);
      let kind: HighlightKind = 'ident';
      if (braceDepth > 0) kind = 'label';
      else if (PARSER_SET.has(word) || STAGE_SET.has(word)) kind = 'parser';
      else if (FUNCTIONS.has(word)) kind = 'function';
      else if (KEYWORD_SET.has(word)) kind = 'keyword';
      push(kind, start, i);
      continue;
    }
    if (c === '|' && !['=', '~', '>'].includes(input[i + 1] ?? '')) {
      i++;
      push('pipe', start, i);
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op) {
      i += op.length;
      push('operator', start, i);
      continue;
    }
    i++;
    push('error', start, i);
  }
  return out;
}
