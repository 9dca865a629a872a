/**
 * `| logfmt [--strict] [--keep-empty] [a="key", ...]`, as Loki 3's decoder (derived from
 * go-logfmt) reads lines: keys end at `=`, whitespace or `"`; bare values end at whitespace
 * and may not contain `=` or `"`; quoted values use JSON escapes and may hold raw newlines.
 * A key containing U+FFFD (invalid UTF-8) is an "invalid key": that pair is dropped, never
 * rewritten. Error positions count bytes, as Loki's do.
 *
 * Without `--strict` malformed pairs are skipped and decoding continues; with it decoding stops
 * at the first one and `__error__="LogfmtParserErr"` is set. U+FFFD in a value becomes a space.
 * Empty values and standalone keys are dropped unless `--keep-empty`. The first value of a
 * duplicated key wins. With parameters, only the named keys are extracted, under the
 * parameter's name; every parameter gets a label ("" when its key is absent), and a value
 * holding U+FFFD reads as "".
 */
import type { LogfmtStage } from '../ast.js';
import { unescapeJson } from './json-scan.js';
import { cleanValue, ERR_LOGFMT, extractLabel, parsedName, sanitizeLabelKey, type StageRunner } from './stage.js';

export class LogfmtDecoder {
  pos = 0;
  key = '';
  value = '';
  err = '';
  constructor(private line: string) {}

  eol(): boolean {
    return this.pos >= this.line.length;
  }

  private error(msg: string): void {
    const bytePos = Buffer.byteLength(this.line.slice(0, this.pos));
    this.err = `logfmt syntax error at pos ${bytePos + 1} : ${msg}`;
  }

  /** Skips to the next whitespace after an error. */
  private skipValue(): false {
    const l = this.line;
    while (this.pos < l.length && l.charCodeAt(this.pos) > 32) this.pos++;
    return false;
  }

  /** Scans the next pair; false on error or end of line (check `err` / `eol()`). */
  scan(): boolean {
    const l = this.line;
    this.key = '';
    this.value = '';
    while (this.pos < l.length && l.charCodeAt(this.pos) <= 32) this.pos++;
    if (this.pos >= l.length) return false;
    const start = this.pos;
    for (;;) {
      if (this.pos >= l.length) {
        this.key = l.slice(start);
        return this.validKey();
      }
      const c = l.charCodeAt(this.pos);
      if (c === 61 /* = */) {
        if (this.pos === start) {
          this.error(`unexpected '='`);
          return this.skipValue();
        }
        this.key = l.slice(start, this.pos);
        if (!this.validKey()) return this.skipValue();
        this.pos++;
        break;
      }
      if (c === 34 /* " */) {
        this.error(`unexpected '"'`);
        return this.skipValue();
      }
      if (c <= 32) {
        this.key = l.slice(start, this.pos);
        return this.validKey();
      }
      this.pos++;
    }
    if (this.pos >= l.length || l.charCodeAt(this.pos) <= 32) return true;
    if (l.charCodeAt(this.pos) === 34) return this.quoted();
    const vs = this.pos;
    while (this.pos < l.length) {
      const c = l.charCodeAt(this.pos);
      if (c === 61 || c === 34) {
        this.error(`unexpected '${l[this.pos]}'`);
        return this.skipValue();
      }
      if (c <= 32) break;
      this.pos++;
    }
    this.value = l.slice(vs, this.pos);
    return true;
  }

  /** A key holding U+FFFD is refused (Loki: "invalid key"). */
  private validKey(): boolean {
    if (!this.key.includes('\uFFFD')) return true;
    this.error('invalid key');
    this.key = '';
    return false;
  }

  private quoted(): boolean {
    const l = this.line;
    const start = this.pos;
    let esc = false;
    let hasEsc = false;
    for (let i = this.pos + 1; i < l.length; i++) {
      const c = l[i];
      if (esc) esc = false;
      else if (c === '\\') hasEsc = esc = true;
      else if (c === '"') {
        this.pos = i + 1;
        if (!hasEsc) {
          this.value = l.slice(start + 1, i);
          return true;
        }
        const v = unescapeJson(l.slice(start + 1, i));
        if (v === undefined) {
          this.error('invalid quoted value');
          return false;
        }
        this.value = v;
        return true;
      }
    }
    this.pos = l.length;
    this.error('unterminated quoted value');
    return false;
  }
}

export function logfmtStage(stage: LogfmtStage): StageRunner {
  if (stage.params.length > 0) return logfmtExpressionStage(stage);
  const { strict, keepEmpty } = stage;
  const keyCache = new Map<string, string>();
  return {
    keepsLabels: false,
    process(line, labels) {
      const dec = new LogfmtDecoder(line);
      while (!dec.eol()) {
        if (!dec.scan()) {
          if (strict && dec.err) break;
          continue;
        }
        let name = keyCache.get(dec.key);
        if (name === undefined) {
          name = sanitizeLabelKey(dec.key, true);
          if (keyCache.size > 10000) keyCache.clear();
          keyCache.set(dec.key, name);
        }
        if (name === '') continue;
        const value = cleanValue(dec.value);
        if (!keepEmpty && value === '') continue;
        extractLabel(labels, name, value);
      }
      if (strict && dec.err) labels.setErr(ERR_LOGFMT, dec.err);
      return line;
    },
  };
}

function logfmtExpressionStage(stage: LogfmtStage): StageRunner {
  const { strict } = stage;
  const byKey = new Map<string, string>(); // logfmt key -> parameter name
  for (const p of stage.params) byKey.set(p.expr, p.name);
  const ids = stage.params.map((p) => p.name);
  return {
    keepsLabels: false,
    process(line, labels) {
      for (const id of ids) if (!labels.collides(id)) labels.set(id, '');
      const dec = new LogfmtDecoder(line);
      let seen: Set<string> | undefined;
      while (!dec.eol()) {
        if (!dec.scan()) {
          if (strict && dec.err) break;
          continue;
        }
        const id = byKey.get(sanitizeLabelKey(dec.key, true));
        if (id === undefined) continue;
        if (seen === undefined) seen = new Set();
        else if (seen.has(id)) continue; // the first value of a duplicated key wins
        seen.add(id);
        labels.set(parsedName(labels, id), dec.value.includes('\uFFFD') ? '' : dec.value);
      }
      if (strict && dec.err) labels.setErr(ERR_LOGFMT, dec.err);
      return line;
    },
  };
}

/**
 * Checks a `| logfmt name="expr"` expression as Loki's logfmt expression grammar does: one
 * identifier. Returns Loki's error text, or undefined when it is valid (an empty one is).
 */
export function logfmtExpressionError(expr: string): string | undefined {
  const trimmed = expr.replace(/^[ \t\n]+|[ \t\n]+$/g, '');
  if (trimmed === '') return undefined;
  const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(trimmed);
  const wrap = (msg: string): string => `cannot parse expression [${expr}]: ${msg}`;
  if (m === null) return wrap(`unexpected char ${[...trimmed][0]}`);
  const rest = trimmed.slice(m[0].length);
  if (rest === '') return undefined;
  const next = rest.replace(/^[ \t\n]+/, '');
  if (/^[a-zA-Z_]/.test(next)) return wrap('syntax error: unexpected KEY');
  if (next[0] === '"') return wrap('syntax error: unexpected STRING');
  return wrap(`unexpected char ${[...next][0]}`);
}
