/**
 * A small JSON scanner for the json and unpack parsers. Unlike `JSON.parse` it keeps numbers
 * as written (`1.0` stays `1.0`, big integers keep every digit, as Loki extracts them), emits
 * flattened keys while scanning (no intermediate tree) and can skip values it does not need.
 * It is as lenient as the jsonparser library Loki uses: content after the top-level value is
 * ignored, numbers are not validated (`1x` is a number), control characters inside strings are
 * accepted, and a string value whose escapes are invalid reads as "". Errors carry jsonparser's
 * texts, which Loki shows in `__error_details__`.
 */
import type { JsonPath } from '../json-path.js';

export class JsonSyntaxError extends Error {}

/** jsonparser's error texts. */
export const JSON_ERR = {
  object: "Value looks like object, but can't find closing '}' symbol",
  string: `Value is string, but can't find closing '"' symbol`,
  array: "Value is array, but can't find closing ']' symbol",
  json: 'Malformed JSON error',
  unknown: 'Unknown value type',
  escape: 'Encountered an invalid escape sequence in a string',
} as const;

/** Unescapes the inside of a JSON string; undefined when an escape is invalid. */
export function unescapeJson(raw: string): string | undefined {
  if (!raw.includes('\\')) return raw;
  let out = '';
  let i = 0;
  for (;;) {
    const b = raw.indexOf('\\', i);
    if (b < 0) return out + raw.slice(i);
    out += raw.slice(i, b);
    const e = raw[b + 1];
    i = b + 2;
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
        const hex = raw.slice(i, i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        return undefined;
    }
  }
}

export class JsonScanner {
  i = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    throw new JsonSyntaxError(msg);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  /** Reads a string starting at the opening quote; returns its raw (still escaped) content. */
  rawString(): string {
    const s = this.s;
    if (s[this.i] !== '"') this.fail(JSON_ERR.string);
    const start = this.i + 1;
    let j = start;
    for (;;) {
      const q = s.indexOf('"', j);
      if (q < 0) {
        this.i = s.length;
        this.fail(JSON_ERR.string);
      }
      // The quote is escaped when an odd number of backslashes precede it.
      let k = q - 1;
      while (k >= start && s.charCodeAt(k) === 92) k--;
      if ((q - 1 - k) % 2 === 0) {
        this.i = q + 1;
        return s.slice(start, q);
      }
      j = q + 1;
    }
  }

  /** Reads a string value; "" when its escapes are invalid (as Loki's unescape does). */
  string(): string {
    return unescapeJson(this.rawString()) ?? '';
  }

  /** Reads an object key; fails on an unterminated key or invalid escapes as jsonparser does. */
  key(): string {
    let raw: string;
    try {
      raw = this.rawString();
    } catch {
      return this.fail(JSON_ERR.json);
    }
    const v = unescapeJson(raw);
    if (v === undefined) this.fail(JSON_ERR.escape);
    return v as string;
  }

  /** Reads a number/true/false/null literal; returns its text. */
  literal(): string {
    const s = this.s;
    const start = this.i;
    if (start >= s.length) this.fail(JSON_ERR.json);
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === ',' || c === '}' || c === ']' || c === ' ' || c === '\n' || c === '\t' || c === '\r') break;
      this.i++;
    }
    const t = s.slice(start, this.i);
    const c0 = t.charCodeAt(0);
    // jsonparser: true/false/null must be exact; anything starting with a digit or '-' is a number.
    if (t === 'true' || t === 'false' || t === 'null' || c0 === 45 || (c0 >= 48 && c0 <= 57)) return t;
    this.i = start;
    return this.fail(JSON_ERR.unknown);
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
    // Error texts follow jsonparser's ObjectEach step by step.
    this.i++; // {
    this.ws();
    if (this.i >= this.s.length) this.fail(JSON_ERR.json);
    for (;;) {
      const k = this.s[this.i];
      if (k === '}') {
        this.i++;
        return;
      }
      if (k !== '"') this.fail(JSON_ERR.object);
      const key = this.key();
      this.ws();
      if (this.s[this.i] !== ':') this.fail(JSON_ERR.json);
      this.i++;
      this.ws();
      const v = this.s[this.i];
      if (v === '{' && blockEnd(this.s, this.i, '{', '}') < 0) this.fail(JSON_ERR.object);
      if (v === '[' && blockEnd(this.s, this.i, '[', ']') < 0) this.fail(JSON_ERR.array);
      onValue(key);
      this.ws();
      if (this.i >= this.s.length) this.fail(JSON_ERR.array); // sic: jsonparser's text
      const c = this.s[this.i++];
      if (c === '}') return;
      if (c !== ',') {
        this.i--;
        this.fail(JSON_ERR.object);
      }
      this.ws();
      if (this.i >= this.s.length) this.fail(JSON_ERR.array);
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
        this.fail(JSON_ERR.array);
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
  if (line[sc.i] !== '{') sc.fail(JSON_ERR.object);
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
 * Throws `JsonSyntaxError` on malformed JSON along the way; its `partial` holds the values
 * resolved before the error. The first occurrence of a duplicated key wins.
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
      for (const p of done) if (out[p] === undefined) out[p] = v;
      return;
    } else if (c === '{' || c === '[') {
      sc.skip();
    } else {
      const t = sc.literal();
      for (const p of done) if (out[p] === undefined) out[p] = t === 'null' ? '' : t;
      return;
    }
    const raw = line.slice(start, sc.i);
    for (const p of done) if (out[p] === undefined) out[p] = raw;
  };
  try {
    sc.ws();
    const c = line[sc.i];
    if (c !== '{' && c !== '[') sc.fail(JSON_ERR.object);
    resolve(paths.map((_, i) => i), 0);
  } catch (err) {
    // Callers may keep what was resolved before the error (Loki's EachKey does).
    if (err instanceof JsonSyntaxError) Object.assign(err, { partial: out });
    throw err;
  }
  return out;
}

/** Index just past the block opened at `i` (brackets counted outside strings), or -1. */
function blockEnd(s: string, i: number, open: string, close: string): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"') {
      for (j++; j < s.length && s[j] !== '"'; j++) if (s[j] === '\\') j++;
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return -1;
}
