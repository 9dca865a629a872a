/**
 * The LogQL lexer: turns query text into tokens with 1-based line and column.
 *
 * Words are not classified as keywords here: whether `rate` or `json` is a function, a stage or
 * a label name depends on where it appears, so the parser decides (this lets `{json="x"}` work).
 * A word that starts with a digit is a NUMBER (`1`, `0.5`, `1e3`), else a DURATION
 * (`5m`, `1h30m`, `250ms`, `1d`), else BYTES (`20MB`, `1KiB`); anything else is an error.
 * `#` starts a comment that runs to the end of the line, as in Loki.
 * Numbers are what Go's scanner and strconv.ParseFloat take together, as in Loki: decimal
 * (`1`, `0.5`, `1e3`) and hexadecimal floating point (`0x1p-2`, `0x1.8p1`); a hexadecimal integer
 * without a `p` exponent (`0x10`) fails as ParseFloat fails on it.
 */
import { LogQLParseError } from '../errors.js';
import { tryParseGoDuration, tryParsePromDuration } from './duration.js';
import { tryParseBytes } from './bytes.js';

export type TokenKind = 'IDENTIFIER' | 'STRING' | 'NUMBER' | 'DURATION' | 'BYTES' | 'FLAG' | 'OP' | 'EOF';

export interface Token {
  kind: TokenKind;
  /** Source text (for STRING the decoded value is in `value`). */
  text: string;
  /** STRING: decoded value. */
  value: string;
  /** NUMBER: the number; DURATION: nanoseconds; BYTES: bytes. */
  num: number;
  offset: number;
  line: number;
  col: number;
}

// Longest first so that `|=` wins over `|`.
const OPS = ['|=', '|~', '|>', '!=', '!~', '!>', '=~', '==', '>=', '<=', '{', '}', '(', ')', '[', ']', ',', '|', '=', '>', '<', '+', '-', '*', '/', '%', '^', '.'];

const NUMBER_RE = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Describes a token the way Loki's (goyacc) errors do: `IDENTIFIER`, `STRING`, `$end`, `}`. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'EOF':
      return '$end';
    case 'OP':
      return t.text;
    default:
      return t.kind;
  }
}

export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = input.length;
  const fail = (msg: string, at: number): never => {
    // Compute line/col of `at`.
    let l = 1;
    let ls = 0;
    for (let k = 0; k < at; k++) {
      if (input[k] === '\n') {
        l++;
        ls = k + 1;
      }
    }
    throw new LogQLParseError(msg, l, at - ls + 1);
  };
  const push = (kind: TokenKind, start: number, text: string, value = '', num = 0): void => {
    out.push({ kind, text, value, num, offset: start, line, col: start - lineStart + 1 });
  };
  while (i < n) {
    const c = input[i];
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && input[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '"') {
      i++;
      let v = '';
      for (;;) {
        if (i >= n || input[i] === '\n') fail('literal not terminated', start);
        const ch = input[i];
        if (ch === '"') {
          i++;
          break;
        }
        if (ch !== '\\') {
          v += ch;
          i++;
          continue;
        }
        const e = input[i + 1];
        i += 2;
        switch (e) {
          case 'a': v += '\x07'; break;
          case 'b': v += '\b'; break;
          case 'f': v += '\f'; break;
          case 'n': v += '\n'; break;
          case 'r': v += '\r'; break;
          case 't': v += '\t'; break;
          case 'v': v += '\v'; break;
          case '\\': v += '\\'; break;
          case '"': v += '"'; break;
          case 'x':
          case 'u':
          case 'U': {
            const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
            const hex = input.slice(i, i + len);
            if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) fail('invalid char escape', i - 2);
            const cp = parseInt(hex, 16);
            if (cp > 0x10ffff) fail('invalid char escape', i - 2);
            // \x is a byte in Go; bytes >= 0x80 alone are not valid UTF-8, keep them as code points.
            v += String.fromCodePoint(cp);
            i += len;
            break;
          }
          default:
            if (e !== undefined && e >= '0' && e <= '7') {
              const oct = input.slice(i - 1, i + 2);
              if (!/^[0-7]{3}$/.test(oct)) fail('invalid char escape', i - 2);
              v += String.fromCharCode(parseInt(oct, 8));
              i += 2;
              break;
            }
            fail('invalid char escape', i - 2);
        }
      }
      push('STRING', start, input.slice(start, i), v);
      continue;
    }
    if (c === '`') {
      const end = input.indexOf('`', i + 1);
      if (end < 0) fail('literal not terminated', start);
      const v = input.slice(i + 1, end);
      i = end + 1;
      push('STRING', start, input.slice(start, i), v);
      // Raw strings may span lines.
      for (let k = start; k < i; k++) {
        if (input[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(input[i])) i++;
      push('IDENTIFIER', start, input.slice(start, i));
      continue;
    }
    if (c === '0' && (input[i + 1] === 'x' || input[i + 1] === 'X')) {
      i += 2;
      while (i < n && (/[0-9a-fA-F_.]/.test(input[i]) || ((input[i] === 'p' || input[i] === 'P') && /^[+-]?\d/.test(input.slice(i + 1, i + 3))))) {
        if (input[i] === 'p' || input[i] === 'P') {
          i++;
          if (input[i] === '+' || input[i] === '-') i++;
          while (i < n && /[0-9_]/.test(input[i])) i++;
          break;
        }
        i++;
      }
      const word = input.slice(start, i);
      const v = parseHexFloat(word);
      if (v === undefined) fail(`unable to parse literal as a float: strconv.ParseFloat: parsing ${JSON.stringify(word)}: invalid syntax`, start);
      push('NUMBER', start, word, '', v!);
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(input[i + 1]))) {
      while (i < n && (isIdentPart(input[i]) || input[i] === '.' || input[i] === 'µ' || input[i] === 'μ')) {
        // Exponent sign: `1e-3`.
        if ((input[i] === 'e' || input[i] === 'E') && (input[i + 1] === '-' || input[i + 1] === '+') && isDigit(input[i + 2]) && /^[\d.]+$/.test(input.slice(start, i))) {
          i += 2;
          continue;
        }
        i++;
      }
      const word = input.slice(start, i);
      if (NUMBER_RE.test(word)) {
        push('NUMBER', start, word, '', Number(word));
        continue;
      }
      const goNs = tryParseGoDuration(word);
      if (goNs !== undefined) {
        push('DURATION', start, word, '', goNs);
        continue;
      }
      const promMs = tryParsePromDuration(word);
      if (promMs !== undefined) {
        push('DURATION', start, word, '', promMs * 1e6);
        continue;
      }
      const b = tryParseBytes(word);
      if (b !== undefined) {
        push('BYTES', start, word, '', b);
        continue;
      }
      fail(`syntax error: unexpected ${JSON.stringify(word)}: not a number, duration or byte size`, start);
    }
    if (c === '-' && input[i + 1] === '-' && isIdentStart(input[i + 2] ?? '')) {
      i += 2;
      while (i < n && (isIdentPart(input[i]) || input[i] === '-')) i++;
      push('FLAG', start, input.slice(start, i));
      continue;
    }
    let op: string | undefined;
    for (const o of OPS) {
      if (input.startsWith(o, i)) {
        op = o;
        break;
      }
    }
    if (op === undefined) fail(`syntax error: unexpected character ${JSON.stringify(c)}`, start);
    i += op!.length;
    push('OP', start, op!);
  }
  out.push({ kind: 'EOF', text: '', value: '', num: 0, offset: n, line, col: n - lineStart + 1 });
  return out;
}

/**
 * Go's hexadecimal floating-point literal (`0x1.8p-3`, digits may be separated by `_`), the only
 * hexadecimal form strconv.ParseFloat accepts: the `p` exponent is required.
 */
export function parseHexFloat(word: string): number | undefined {
  const m = /^0[xX]((?:_?[0-9a-fA-F])*)(?:\.([0-9a-fA-F]*(?:_?[0-9a-fA-F])*))?[pP]([+-]?\d+(?:_?\d)*)$/.exec(word);
  if (!m) return undefined;
  const intPart = m[1].replace(/_/g, '');
  const frac = (m[2] ?? '').replace(/_/g, '');
  if (intPart === '' && frac === '') return undefined;
  let mant = 0;
  for (const d of intPart + frac) mant = mant * 16 + parseInt(d, 16);
  return mant * Math.pow(2, Number(m[3].replace(/_/g, '')) - 4 * frac.length);
}
