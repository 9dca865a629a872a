/**
 * Splits a log line into tokens for the Drain miner, so that a template can be printed back as a
 * LogQL pattern (`|> "..."`) that matches the lines it came from, byte for byte outside `<_>`.
 *
 * Tokens are separated by single spaces (U+0020 only: tabs and newlines stay inside tokens, so
 * printing joins with exactly what was there). Inside a space-separated word, three more
 * boundaries make `key=value` and JSON keep their keys constant while their values vary:
 * after `=`, after `":`, and before `,`, `}` and `]`. A token produced by such a boundary is *glued*: it is
 * printed without a space before it.
 *
 * Lines are cut at `maxTokens`; the rest of the line becomes one last token that is always
 * variable (`<_>`), so a long line costs a bounded amount of work and memory.
 */

/** The wildcard of Loki's pattern syntax; any run of characters. */
export const VAR = '<_>';

export interface Tokens {
  /** The tokens, in order. */
  words: string[];
  /** Bit i set: token i follows token i-1 without a space. */
  glued: Uint8Array;
  /** Bit i set: token i is a key (`name=`, `"name":`), which the miner treats as structure. */
  keys: Uint8Array;
  /** True when the line was cut at maxTokens (the last token is the rest of the line). */
  cut: boolean;
}

const EQ = 61; // =
const QUOTE = 34; // "
const COLON = 58; // :
const COMMA = 44; // ,
const RBRACE = 125; // }
const RBRACKET = 93; // ]
const SPACE = 32;

/** Tokenizes `line` (see the module comment). Never returns zero tokens: "" is one empty token. */
export function tokenize(line: string, maxTokens: number): Tokens {
  const words: string[] = [];
  const glue: number[] = [];
  const keys: number[] = [];
  let start = 0;
  let gluedNext = 0;
  const n = line.length;
  let i = 0;
  for (; i < n; i++) {
    if (words.length === maxTokens - 1) break;
    const c = line.charCodeAt(i);
    if (c === SPACE) {
      words.push(line.slice(start, i));
      glue.push(gluedNext);
      keys.push(0);
      start = i + 1;
      gluedNext = 0;
    } else if (c === EQ || (c === COLON && i > start && line.charCodeAt(i - 1) === QUOTE)) {
      // Boundary after the separator, unless it ends the word (`a=` alone stays one token).
      if (i + 1 < n && line.charCodeAt(i + 1) !== SPACE) {
        words.push(line.slice(start, i + 1));
        glue.push(gluedNext);
        keys.push(1);
        start = i + 1;
        gluedNext = 1;
      }
    } else if ((c === COMMA || c === RBRACE || c === RBRACKET) && i > start) {
      words.push(line.slice(start, i));
      glue.push(gluedNext);
      keys.push(0);
      start = i;
      gluedNext = 1;
    }
  }
  const cut = i < n;
  words.push(line.slice(start));
  glue.push(gluedNext);
  keys.push(0);
  return { words, glued: Uint8Array.from(glue), keys: Uint8Array.from(keys), cut };
}

/**
 * Prints tokens as a pattern: glued tokens without a space, and runs of `<_>` with nothing
 * between them collapsed into one (Loki's pattern syntax refuses consecutive captures).
 */
export function render(words: readonly string[], glued: Uint8Array): string {
  let out = '';
  let lastVar = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const sep = i === 0 || glued[i] === 1 ? '' : ' ';
    if (w === VAR && lastVar && sep === '') continue;
    out += sep + w;
    lastVar = w === VAR;
  }
  return out;
}

/** Whether a token holds a digit: Drain routes such tokens through the wildcard branch of the tree. */
export function hasDigit(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}
