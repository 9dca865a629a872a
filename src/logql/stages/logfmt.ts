/**
 * `| logfmt [--strict] [--keep-empty] [a="key", ...]`. Decodes `key=value key2="quoted \"v\""`
 * pairs as Loki's decoder does (derived from go-logfmt): keys end at `=`, whitespace or `"`;
 * bare values end at whitespace and may not contain `=` or `"`; quoted values use JSON escapes.
 * Without `--strict` malformed pairs are skipped and decoding continues; with it decoding stops
 * at the first one and `__error__="LogfmtParserErr"` is set. Empty values and standalone keys
 * are dropped unless `--keep-empty`. With parameters, only the named keys are extracted,
 * under the parameter's name.
 */
import type { LogfmtStage } from '../ast.js';
import { ERR_LOGFMT, parsedName, sanitizeLabelKey, type StageRunner } from './stage.js';

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
    this.err = `logfmt syntax error at pos ${this.pos + 1} : ${msg}`;
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
        return true;
      }
      const c = l.charCodeAt(this.pos);
      if (c === 61 /* = */) {
        if (this.pos === start) {
          this.error(`unexpected '='`);
          return this.skipValue();
        }
        this.key = l.slice(start, this.pos);
        this.pos++;
        break;
      }
      if (c === 34 /* " */) {
        this.error(`unexpected '"'`);
        return this.skipValue();
      }
      if (c <= 32) {
        this.key = l.slice(start, this.pos);
        return true;
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
        try {
          this.value = JSON.parse(l.slice(start, i + 1)) as string;
          return true;
        } catch {
          this.error('invalid quoted value');
          return false;
        }
      }
    }
    this.pos = l.length;
    this.error('unterminated quoted value');
    return false;
  }
}

export function logfmtStage(stage: LogfmtStage): StageRunner {
  const { strict, keepEmpty } = stage;
  const byKey = new Map<string, string>(); // logfmt key -> parameter name
  for (const p of stage.params) byKey.set(p.expr, p.name);
  const withParams = byKey.size > 0;
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
        if (!keepEmpty && dec.value === '') continue;
        let name: string | undefined;
        if (withParams) {
          name = byKey.get(dec.key);
          if (name === undefined) continue;
        } else {
          name = keyCache.get(dec.key);
          if (name === undefined) {
            name = sanitizeLabelKey(dec.key, true);
            if (keyCache.size > 10000) keyCache.clear();
            keyCache.set(dec.key, name);
          }
          if (name === '') continue;
        }
        labels.set(parsedName(labels, name), dec.value.includes('\uFFFD') ? '' : dec.value);
      }
      if (strict && dec.err) labels.setErr(ERR_LOGFMT, dec.err);
      return line;
    },
  };
}
