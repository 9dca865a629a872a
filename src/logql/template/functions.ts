/**
 * The template function table of Loki's `line_format` / `label_format` (Go text/template
 * builtins, Loki's own functions and the sprig subset Loki exposes). In a pipeline the previous
 * value is passed as the last argument, so `{{ .a | replace "x" "y" }}` = `replace "x" "y" .a`.
 * A function throws to fail the template (the stage then sets `__error__`).
 */
import { compileRegex, regexReplaceAll } from '../regex.js';
import { GoTime, formatGoTime, parseGoTime } from './go-time.js';
import { sprintf } from './printf.js';
import { F64, toFloat, toInt, toStr, toText, truthy, type TValue } from './values.js';
import { checkTemplateSize, execLimits } from '../exec-limits.js';
import { tryParseBytes } from '../bytes.js';
import { tryParseGoDuration } from '../duration.js';
import { decimalOp, sprigRound } from './decimal.js';
import { zoneOffsetSeconds } from './zones.js';

export type TemplateFunction = (...args: TValue[]) => TValue;

function arity(name: string, args: TValue[], n: number): void {
  if (args.length !== n) throw new Error(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function cmpValues(name: string, a: TValue, b: TValue): number {
  if (a instanceof F64) a = a.v;
  if (b instanceof F64) b = b.v;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean' && (name === 'eq' || name === 'ne')) return a === b ? 0 : 1;
  throw new Error(`error calling ${name}: incompatible types for comparison`);
}

function trimSet(s: string, cut: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  if (left) while (a < b && cut.includes(s[a])) a++;
  if (right) while (b > a && cut.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function timeArg(name: string, v: TValue): GoTime {
  if (v instanceof GoTime) return v;
  if (v instanceof F64) v = v.v;
  if (typeof v === 'number') return new GoTime(BigInt(Math.trunc(v)) * 1_000_000_000n);
  throw new Error(`error calling ${name}: expected a time, got ${toText(v)}`);
}

function intOp(name: string, f: (a: number, b: number) => number): TemplateFunction {
  return (...args) => {
    arity(name, args, 2);
    return f(toInt(args[0]), toInt(args[1]));
  };
}
function floatOp(name: string, f: (a: number, b: number) => number): TemplateFunction {
  return (...args) => {
    if (args.length < 1) throw new Error(`wrong number of args for ${name}`);
    let acc = toFloat(args[0]);
    for (let i = 1; i < args.length; i++) acc = f(acc, toFloat(args[i]));
    return new F64(acc);
  };
}

/** Occurrences of `sub` in `s` (non-overlapping, as split counts them); "" occurs between every character. */
function occurrences(s: string, sub: string): number {
  if (sub === '') return s.length + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Refuses a replacement whose result would pass the template output limit, before building it. */
function checkReplace(name: string, s: string, from: string, to: string, limit = Infinity): void {
  if (to.length <= from.length) return;
  const n = Math.min(occurrences(s, from), limit);
  checkTemplateSize(s.length + n * (to.length - from.length), name);
}

/** `pad` + each line of `s` prefixed by `pad`: refused before it is built when too large. */
function indentLines(name: string, n: number, s: string, leadingNewline: boolean): string {
  const width = Math.max(0, n);
  const lines = occurrences(s, '\n') + 1;
  checkTemplateSize(s.length + width * lines + (leadingNewline ? 1 : 0), name);
  const pad = ' '.repeat(width);
  return (leadingNewline ? '\n' : '') + pad + s.split('\n').join('\n' + pad);
}

/**
 * Counts what a regex replacement adds, match by match, and refuses it once the result could
 * pass the limit: an empty pattern replaces between every character.
 */
function replaceBudget(name: string, s: string): (added: number) => void {
  let total = s.length;
  const max = execLimits().maxTemplateOutput;
  return (added) => {
    total += added;
    if (total > max) checkTemplateSize(total, name);
  };
}

function goSeconds(name: string, s: string): number {
  const ns = tryParseGoDuration(s);
  if (ns === undefined) throw new Error(`error calling ${name}: time: invalid duration ${JSON.stringify(s)}`);
  return ns / 1e9;
}

const s1 = (name: string, f: (s: string) => TValue): TemplateFunction => (...args) => {
  arity(name, args, 1);
  return f(toStr(args[0]));
};

export const TEMPLATE_FUNCTIONS: Record<string, TemplateFunction> = {
  // Go text/template builtins
  and: (...args) => {
    for (const a of args) if (!truthy(a)) return a;
    return args[args.length - 1];
  },
  or: (...args) => {
    for (const a of args) if (truthy(a)) return a;
    return args[args.length - 1];
  },
  not: (...args) => {
    arity('not', args, 1);
    return !truthy(args[0]);
  },
  len: (...args) => {
    arity('len', args, 1);
    const v = args[0];
    if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
    if (v && typeof v === 'object' && !(v instanceof GoTime)) return Object.keys(v).length;
    throw new Error(`error calling len: len of type ${typeof v}`);
  },
  eq: (...args) => {
    if (args.length < 2) throw new Error('wrong number of args for eq: want at least 2');
    for (let i = 1; i < args.length; i++) if (cmpValues('eq', args[0], args[i]) === 0) return true;
    return false;
  },
  ne: (...args) => (arity('ne', args, 2), cmpValues('ne', args[0], args[1]) !== 0),
  lt: (...args) => (arity('lt', args, 2), cmpValues('lt', args[0], args[1]) < 0),
  le: (...args) => (arity('le', args, 2), cmpValues('le', args[0], args[1]) <= 0),
  gt: (...args) => (arity('gt', args, 2), cmpValues('gt', args[0], args[1]) > 0),
  ge: (...args) => (arity('ge', args, 2), cmpValues('ge', args[0], args[1]) >= 0),
  print: (...args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + toText(a)).join(''),
  println: (...args) => args.map((a) => toText(a)).join(' ') + '\n',
  printf: (...args) => {
    if (args.length < 1) throw new Error('wrong number of args for printf');
    return sprintf(toStr(args[0]), args.slice(1));
  },

  // Go strings functions as Loki exposes them (subject first)
  ToLower: s1('ToLower', (s) => s.toLowerCase()),
  ToUpper: s1('ToUpper', (s) => s.toUpperCase()),
  Replace: (...args) => {
    arity('Replace', args, 4);
    const [s, from, to] = [toStr(args[0]), toStr(args[1]), toStr(args[2])];
    let n = toInt(args[3]);
    checkReplace('Replace', s, from, to, n < 0 ? Infinity : n);
    if (n < 0) return s.split(from).join(to);
    let out = '';
    let rest = s;
    while (n-- > 0) {
      const i = rest.indexOf(from);
      if (i < 0) break;
      out += rest.slice(0, i) + to;
      rest = rest.slice(i + from.length);
    }
    return out + rest;
  },
  Trim: (...args) => (arity('Trim', args, 2), trimSet(toStr(args[0]), toStr(args[1]), true, true)),
  TrimLeft: (...args) => (arity('TrimLeft', args, 2), trimSet(toStr(args[0]), toStr(args[1]), true, false)),
  TrimRight: (...args) => (arity('TrimRight', args, 2), trimSet(toStr(args[0]), toStr(args[1]), false, true)),
  TrimPrefix: (...args) => {
    arity('TrimPrefix', args, 2);
    const [s, p] = [toStr(args[0]), toStr(args[1])];
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  TrimSuffix: (...args) => {
    arity('TrimSuffix', args, 2);
    const [s, p] = [toStr(args[0]), toStr(args[1])];
    return p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  TrimSpace: s1('TrimSpace', (s) => s.trim()),

  // sprig (subject last)
  lower: s1('lower', (s) => s.toLowerCase()),
  upper: s1('upper', (s) => s.toUpperCase()),
  title: s1('title', (s) => s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase())),
  trim: s1('trim', (s) => s.trim()),
  trimAll: (...args) => (arity('trimAll', args, 2), trimSet(toStr(args[1]), toStr(args[0]), true, true)),
  trimPrefix: (...args) => {
    arity('trimPrefix', args, 2);
    const [p, s] = [toStr(args[0]), toStr(args[1])];
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  trimSuffix: (...args) => {
    arity('trimSuffix', args, 2);
    const [p, s] = [toStr(args[0]), toStr(args[1])];
    return p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  trunc: (...args) => {
    arity('trunc', args, 2);
    const n = toInt(args[0]);
    const s = toStr(args[1]);
    if (n < 0) return -n < s.length ? s.slice(s.length + n) : s;
    return n < s.length ? s.slice(0, n) : s;
  },
  substr: (...args) => {
    arity('substr', args, 3);
    let start = toInt(args[0]);
    let end = toInt(args[1]);
    const s = toStr(args[2]);
    if (start < 0) start = 0;
    if (end < 0 || end > s.length) end = s.length;
    if (start > end) return '';
    return s.slice(start, end);
  },
  replace: (...args) => {
    arity('replace', args, 3);
    const [from, to, s] = [toStr(args[0]), toStr(args[1]), toStr(args[2])];
    checkReplace('replace', s, from, to);
    return s.split(from).join(to);
  },
  contains: (...args) => (arity('contains', args, 2), toStr(args[1]).includes(toStr(args[0]))),
  hasPrefix: (...args) => (arity('hasPrefix', args, 2), toStr(args[1]).startsWith(toStr(args[0]))),
  hasSuffix: (...args) => (arity('hasSuffix', args, 2), toStr(args[1]).endsWith(toStr(args[0]))),
  repeat: (...args) => {
    arity('repeat', args, 2);
    const n = Math.max(0, toInt(args[0]));
    const s = toStr(args[1]);
    checkTemplateSize(n * s.length, 'repeat');
    return s.repeat(s.length === 0 ? 0 : n);
  },
  indent: (...args) => (arity('indent', args, 2), indentLines('indent', toInt(args[0]), toStr(args[1]), false)),
  nindent: (...args) => (arity('nindent', args, 2), indentLines('nindent', toInt(args[0]), toStr(args[1]), true)),
  default: (...args) => {
    if (args.length < 1 || args.length > 2) throw new Error('wrong number of args for default: want 2');
    if (args.length === 1) return args[0];
    return truthy(args[1]) ? args[1] : args[0];
  },
  regexReplaceAll: (...args) => (arity('regexReplaceAll', args, 3), regexReplaceAll(compileRegex(toStr(args[0])), toStr(args[1]), toStr(args[2]), false, replaceBudget('regexReplaceAll', toStr(args[1])))),
  regexReplaceAllLiteral: (...args) => (arity('regexReplaceAllLiteral', args, 3), regexReplaceAll(compileRegex(toStr(args[0])), toStr(args[1]), toStr(args[2]), true, replaceBudget('regexReplaceAllLiteral', toStr(args[1])))),
  count: (...args) => {
    arity('count', args, 2);
    const re = compileRegex(toStr(args[0]));
    let n = 0;
    for (const _m of re.matchAll(toStr(args[1]))) n++;
    return n;
  },
  urlencode: s1('urlencode', (s) => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())),
  urldecode: s1('urldecode', (s) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new Error(`error calling urldecode: invalid URL escape in ${JSON.stringify(s)}`);
    }
  }),
  b64enc: s1('b64enc', (s) => Buffer.from(s, 'utf8').toString('base64')),
  b64dec: s1('b64dec', (s) => Buffer.from(s, 'base64').toString('utf8')),
  alignLeft: (...args) => {
    arity('alignLeft', args, 2);
    const n = toInt(args[0]);
    const s = toStr(args[1]);
    checkTemplateSize(n, 'alignLeft');
    return n < 0 ? s : s.length > n ? s.slice(0, n) : s.padEnd(n, ' ');
  },
  alignRight: (...args) => {
    arity('alignRight', args, 2);
    const n = toInt(args[0]);
    const s = toStr(args[1]);
    checkTemplateSize(n, 'alignRight');
    return n < 0 ? s : s.length > n ? s.slice(s.length - n) : s.padStart(n, ' ');
  },

  // math (sprig: integer ops convert with toInt64, *f ops with toFloat64)
  add: intOp('add', (a, b) => a + b),
  sub: intOp('sub', (a, b) => a - b),
  mul: intOp('mul', (a, b) => a * b),
  div: intOp('div', (a, b) => {
    if (b === 0) throw new Error('error calling div: runtime error: integer divide by zero');
    return Math.trunc(a / b);
  }),
  mod: intOp('mod', (a, b) => {
    if (b === 0) throw new Error('error calling mod: runtime error: integer divide by zero');
    return a % b;
  }),
  // sprig computes these in decimal (shopspring/decimal), so `addf 1.1 2.2` is 3.3, not 3.3000000000000003.
  addf: floatOp('addf', (a, b) => decimalOp('+', a, b)),
  subf: floatOp('subf', (a, b) => decimalOp('-', a, b)),
  mulf: floatOp('mulf', (a, b) => decimalOp('*', a, b)),
  divf: floatOp('divf', (a, b) => {
    if (b === 0) throw new Error('error calling divf: decimal division by 0');
    return decimalOp('/', a, b);
  }),
  max: (...args) => Math.max(...args.map(toInt)),
  min: (...args) => Math.min(...args.map(toInt)),
  maxf: (...args) => new F64(Math.max(...args.map(toFloat))),
  minf: (...args) => new F64(Math.min(...args.map(toFloat))),
  ceil: (...args) => (arity('ceil', args, 1), new F64(Math.ceil(toFloat(args[0])))),
  floor: (...args) => (arity('floor', args, 1), new F64(Math.floor(toFloat(args[0])))),
  round: (...args) => {
    if (args.length < 2 || args.length > 3) throw new Error(`wrong number of args for round: want 2 got ${args.length}`);
    return new F64(sprigRound(toFloat(args[0]), toInt(args[1]), args.length === 3 ? toFloat(args[2]) : 0.5));
  },
  int: (...args) => (arity('int', args, 1), toInt(args[0])),
  float64: (...args) => (arity('float64', args, 1), new F64(toFloat(args[0]))),

  // time
  now: (...args) => (arity('now', args, 0), new GoTime(BigInt(Date.now()) * 1_000_000n)),
  date: (...args) => (arity('date', args, 2), formatGoTime(timeArg('date', args[1]).ns, toStr(args[0]))),
  toDate: (...args) => {
    arity('toDate', args, 2);
    try {
      return new GoTime(parseGoTime(toStr(args[0]), toStr(args[1])));
    } catch {
      // sprig's toDate returns the zero time on error.
      return new GoTime(-62135596800n * 1_000_000_000n);
    }
  },
  unixEpoch: (...args) => (arity('unixEpoch', args, 1), String(timeArg('unixEpoch', args[0]).ns / 1_000_000_000n)),
  unixEpochMillis: (...args) => (arity('unixEpochMillis', args, 1), String(timeArg('unixEpochMillis', args[0]).ns / 1_000_000n)),
  unixEpochNanos: (...args) => (arity('unixEpochNanos', args, 1), String(timeArg('unixEpochNanos', args[0]).ns)),
  toDateInZone: (...args) => {
    arity('toDateInZone', args, 3);
    const layout = toStr(args[0]);
    const zone = toStr(args[1]);
    const value = toStr(args[2]);
    try {
      const wall = parseGoTime(layout, value);
      // A value with its own offset keeps it; otherwise it is wall-clock time in `zone` (UTC when unknown).
      if (/Z07|[-+]07|MST/.test(layout)) return new GoTime(wall);
      return new GoTime(wall - BigInt(zoneOffsetSeconds(zone, wall)) * 1_000_000_000n);
    } catch {
      return new GoTime(-62135596800n * 1_000_000_000n);
    }
  },
  // Loki's unwrap conversions, as template functions: float64 bytes and seconds.
  bytes: s1('bytes', (s) => {
    const n = tryParseBytes(s);
    if (n === undefined) throw new Error(`error calling bytes: strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
    return new F64(n);
  }),
  duration: s1('duration', (s) => new F64(goSeconds('duration', s))),
  duration_seconds: s1('duration_seconds', (s) => new F64(goSeconds('duration_seconds', s))),
  unixToTime: s1('unixToTime', (s) => {
    // Loki: seconds (10 digits or fewer), milliseconds (13), microseconds (16) or nanoseconds (19).
    if (!/^\d+$/.test(s)) throw new Error(`error calling unixToTime: invalid epoch ${JSON.stringify(s)}`);
    const n = BigInt(s);
    if (s.length <= 10) return new GoTime(n * 1_000_000_000n);
    if (s.length <= 13) return new GoTime(n * 1_000_000n);
    if (s.length <= 16) return new GoTime(n * 1_000n);
    return new GoTime(n);
  }),
};
