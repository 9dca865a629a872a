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
  /** The tokens, in order (a fresh copy; the miner's hot path uses the offsets instead). */
  readonly words: string[];
  /** 1 at i: token i follows token i-1 without a space. */
  readonly glued: Uint8Array;
  /** 1 at i: token i is a key (`name=`, `"name":`), which the miner treats as structure. */
  readonly keys: Uint8Array;
  /** True when the line was cut at maxTokens (the last token is the rest of the line). */
  readonly cut: boolean;
}

const EQ = 61; // =
const QUOTE = 34; // "
const COLON = 58; // :
const COMMA = 44; // ,
const RBRACE = 125; // }
const RBRACKET = 93; // ]
const SPACE = 32;

/**
 * A tokenizer that reuses its buffers and allocates nothing: `run` records where each token of
 * the line starts and ends (valid up to `n`, until the next `run`); `word(i)` cuts one out and
 * `equals(i, w)` compares one with a string without cutting. The miner's hot path tokenizes
 * every committed line, and most lines only need comparing with a template.
 */
export class Tokenizer {
  line = '';
  n = 0;
  cut = false;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly glued: Uint8Array;
  readonly keys: Uint8Array;

  constructor(private readonly maxTokens: number) {
    this.starts = new Int32Array(maxTokens);
    this.ends = new Int32Array(maxTokens);
    this.glued = new Uint8Array(maxTokens);
    this.keys = new Uint8Array(maxTokens);
  }

  /** Tokenizes `line` (see the module comment). Never zero tokens: "" is one empty token. */
  run(line: string): this {
    const { starts, ends, glued, keys } = this;
    const last = this.maxTokens - 1;
    let k = 0;
    let start = 0;
    let gluedNext = 0;
    const n = line.length;
    let i = 0;
    for (; i < n; i++) {
      if (k === last) break;
      const c = line.charCodeAt(i);
      if (c === SPACE) {
        starts[k] = start;
        ends[k] = i;
        glued[k] = gluedNext;
        keys[k++] = 0;
        start = i + 1;
        gluedNext = 0;
      } else if (c === EQ || (c === COLON && i > start && line.charCodeAt(i - 1) === QUOTE)) {
        // Boundary after the separator, unless it ends the word (`a=` alone stays one token).
        if (i + 1 < n && line.charCodeAt(i + 1) !== SPACE) {
          starts[k] = start;
          ends[k] = i + 1;
          glued[k] = gluedNext;
          keys[k++] = 1;
          start = i + 1;
          gluedNext = 1;
        }
      } else if ((c === COMMA || c === RBRACE || c === RBRACKET) && i > start) {
        starts[k] = start;
        ends[k] = i;
        glued[k] = gluedNext;
        keys[k++] = 0;
        start = i;
        gluedNext = 1;
      }
    }
    this.cut = i < n;
    starts[k] = start;
    ends[k] = n;
    glued[k] = gluedNext;
    keys[k++] = 0;
    this.n = k;
    this.line = line;
    return this;
  }

  word(i: number): string {
    return this.line.slice(this.starts[i], this.ends[i]);
  }

  equals(i: number, w: string): boolean {
    const s = this.starts[i];
    return this.ends[i] - s === w.length && this.line.startsWith(w, s);
  }
}

/** Tokenizes `line` into fresh arrays (see the module comment). */
export function tokenize(line: string, maxTokens: number): Tokens {
  const t = new Tokenizer(maxTokens).run(line);
  const words: string[] = [];
  for (let i = 0; i < t.n; i++) words.push(t.word(i));
  return { words, glued: t.glued.slice(0, t.n), keys: t.keys.slice(0, t.n), cut: t.cut };
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
