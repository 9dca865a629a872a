/**
 * A small JSON scanner for the json and unpack parsers. Unlike `JSON.parse` it keeps numbers
 * as written (`1.0` stays `1.0`, big integers keep every digit, as Loki extracts them), emits
 * flattened keys while scanning (no intermediate tree) and can skip values it does not need.
 * Content after the top-level value is ignored, as Loki's jsonparser does.
 */
import type { JsonPath } from '../json-path.js';

export class JsonSyntaxError extends Error {}

export class JsonScanner {
  i = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    throw new JsonSyntaxError(`${msg} at offset ${this.i}`);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  /** Reads a string starting at the opening quote; returns its unescaped value. */
  string(): string {
    const s = this.s;
    if (s[this.i] !== '"') this.fail('expected string');
    let start = ++this.i;
    let out = '';
    for (;;) {
      const q = s.indexOf('"', this.i);
      const b = s.indexOf('\\', this.i);
      if (q < 0) this.fail('unterminated string');
      if (b < 0 || q < b) {
        out += s.slice(start, q);
        this.i = q + 1;
        return out;
      }
      out += s.slice(start, b);
      const e = s[b + 1];
      this.i = b + 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = s.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid unicode escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          this.fail('invalid escape');
      }
      start = this.i;
    }
  }

  /** Reads a number/true/false/null literal; returns its text. */
  literal(): string {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === ',' || c === '}' || c === ']' || c === ' ' || c === '\n' || c === '\t' || c === '\r') break;
      this.i++;
    }
    const t = s.slice(start, this.i);
    if (t === 'true' || t === 'false' || t === 'null' || /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(t)) return t;
    this.i = start;
    return this.fail(`invalid literal ${JSON.stringify(t.slice(0, 20))}`);
  }

  /** Skips any value (validating it). */
  skip(): void {
    this.ws();
    const c = this.s[this.i];
    if (c === '"') this.string();
    else if (c === '{') this.object(() => this.skip());
    else if (c === '[') this.array(() => this.skip());
    else this.literal();
  }

  /** Iterates an object's members; `onValue(key)` must consume the value. */
  object(onValue: (key: string) => void): void {
    this.i++; // {
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail('expected ":"');
      this.i++;
      this.ws();
      onValue(key);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return;
      if (c !== ',') {
        this.i--;
        this.fail('expected "," or "}"');
      }
    }
  }

  array(onValue: (index: number) => void): void {
    this.i++; // [
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (let idx = 0; ; idx++) {
      this.ws();
      onValue(idx);
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return;
      if (c !== ',') {
        this.i--;
        this.fail('expected "," or "]"');
      }
    }
  }
}

/**
 * Walks a JSON object, calling `emit(path, value)` for every string, number and boolean leaf
 * (nested objects are descended, arrays and nulls skipped). `path` is the list of keys.
 * Throws `JsonSyntaxError` when the line is not a JSON object.
 */
export function walkJsonObject(line: string, onKey: (prefix: string, key: string) => string | undefined, emit: (key: string, value: string) => void): void {
  const sc = new JsonScanner(line);
  sc.ws();
  if (line[sc.i] !== '{') sc.fail('Value is not an object');
  const visit = (prefix: string): void => {
    sc.object((key) => {
      const c = line[sc.i];
      if (c === '{') {
        const p = onKey(prefix, key);
        if (p === undefined) sc.skip();
        else visit(p);
      } else if (c === '"') {
        const v = sc.string();
        const k = onKey(prefix, key);
        if (k !== undefined) emit(k, v);
      } else if (c === '[') {
        sc.skip();
      } else {
        const t = sc.literal();
        if (t === 'null') return;
        const k = onKey(prefix, key);
        if (k !== undefined) emit(k, t);
      }
    });
  };
  visit('');
}

/**
 * Resolves each path in the JSON text: strings unescaped, numbers and booleans as written,
 * null as "", objects and arrays as their JSON text; undefined when the path is absent.
 * Throws `JsonSyntaxError` on malformed JSON along the way.
 */
export function extractJsonPaths(line: string, paths: JsonPath[]): Array<string | undefined> {
  const out: Array<string | undefined> = new Array(paths.length).fill(undefined);
  const sc = new JsonScanner(line);
  const resolve = (active: number[], depth: number): void => {
    sc.ws();
    const c = line[sc.i];
    const done = active.filter((p) => paths[p].length === depth);
    const deeper = active.filter((p) => paths[p].length > depth);
    const start = sc.i;
    if (deeper.length > 0 && c === '{') {
      sc.object((key) => {
        const sub = deeper.filter((p) => paths[p][depth] === key);
        if (sub.length) resolve(sub, depth + 1);
        else sc.skip();
      });
    } else if (deeper.length > 0 && c === '[') {
      sc.array((idx) => {
        const sub = deeper.filter((p) => paths[p][depth] === idx);
        if (sub.length) resolve(sub, depth + 1);
        else sc.skip();
      });
    } else if (c === '"') {
      const v = sc.string();
      for (const p of done) out[p] = v;
      return;
    } else if (c === '{' || c === '[') {
      sc.skip();
    } else {
      const t = sc.literal();
      for (const p of done) out[p] = t === 'null' ? '' : t;
      return;
    }
    const raw = line.slice(start, sc.i);
    for (const p of done) out[p] = raw;
  };
  sc.ws();
  const c = line[sc.i];
  if (c !== '{' && c !== '[') sc.fail('Value is not an object');
  resolve(paths.map((_, i) => i), 0);
  return out;
}
