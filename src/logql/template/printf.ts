/**
 * Go's `fmt.Sprintf` for the template `printf` function: verbs `%s %v %d %f %e %g %t %q %x %X
 * %o %b %c %%` with flags `- + 0 space #`, width and precision (also `*`). Values that do not
 * fit a verb print as Go does: `%!d(string=abc)`.
 */
import { GoTime } from './go-time.js';
import { F64, toText } from './values.js';
import { checkTemplateSize, execLimits } from '../exec-limits.js';

function goType(v: unknown): string {
  if (v instanceof F64) return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoTime) return 'time.Time';
  return '<nil>';
}

function padTo(s: string, width: number | undefined, left: boolean, zero: boolean): string {
  if (width === undefined || !(s.length < width)) return s;
  // Checked before padding: `%999999999s` must not allocate a gigabyte first.
  checkTemplateSize(width, 'printf width');
  if (left) return s.padEnd(width, ' ');
  if (zero) {
    const sign = /^[-+ ]/.test(s) ? s[0] : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width, ' ');
}

export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let ai = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^([-+# 0]*)(\*|\d+)?(?:\.(\*|\d+)?)?([a-zA-Z%])/.exec(format.slice(i + 1));
    if (!m) {
      out += '%!(NOVERB)';
      break;
    }
    i += m[0].length;
    const flags = m[1];
    let width = m[2] === '*' ? Number(args[ai++]) : m[2] !== undefined ? Number(m[2]) : undefined;
    const hasPrec = m[0].includes('.');
    const prec = m[3] === '*' ? Number(args[ai++]) : m[3] !== undefined ? Number(m[3]) : hasPrec ? 0 : undefined;
    const verb = m[4];
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const raw = args[ai++];
    const isFloat = raw instanceof F64;
    const v = isFloat ? (raw as F64).v : raw;
    const left = flags.includes('-');
    const zero = flags.includes('0') && !left;
    const plus = flags.includes('+');
    const space = flags.includes(' ');
    const sign = (n: number, s: string): string => (n >= 0 && !s.startsWith('-') ? (plus ? '+' : space ? ' ' : '') : '') + s;
    let s: string;
    const bad = (): string => `%!${verb}(${goType(raw)}=${toText(raw)})`;
    switch (verb) {
      case 's':
      case 'v':
        if (verb === 'v' && typeof v === 'number' && prec !== undefined) s = v.toFixed(prec);
        else {
          s = toText(raw);
          if (verb === 's' && prec !== undefined) s = s.slice(0, prec);
        }
        if (verb === 'v' && typeof v === 'number') s = sign(v, s);
        break;
      case 'q':
        s = JSON.stringify(toText(v));
        break;
      case 't':
        s = typeof v === 'boolean' ? String(v) : bad();
        break;
      case 'd':
        s = typeof v === 'number' && Number.isInteger(v) && !isFloat ? sign(v, String(v)) : bad();
        break;
      case 'c':
        s = typeof v === 'number' ? String.fromCodePoint(v) : bad();
        break;
      case 'x':
      case 'X':
      case 'o':
      case 'b': {
        const base = verb === 'o' ? 8 : verb === 'b' ? 2 : 16;
        if (typeof v === 'number' && Number.isInteger(v)) s = sign(v, v.toString(base));
        else if (typeof v === 'string' && base === 16) s = Buffer.from(v, 'utf8').toString('hex');
        else s = bad();
        if (flags.includes('#') && base === 16) s = '0x' + s;
        if (verb === 'X') s = s.toUpperCase();
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (typeof v !== 'number') {
          s = bad();
          break;
        }
        const p = prec ?? 6;
        if (verb === 'f' || verb === 'F') s = v.toFixed(p);
        else if (verb === 'e' || verb === 'E') s = v.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
        else s = prec === undefined ? String(v) : String(Number(v.toPrecision(p || 1)));
        if (verb === 'E' || verb === 'G') s = s.toUpperCase();
        s = sign(v, s);
        break;
      }
      default:
        s = `%!${verb}(${goType(v)}=${toText(v)})`;
    }
    if (width !== undefined && width < 0) width = -width;
    out += padTo(s, width, left, zero && verb !== 's' && verb !== 'q');
    if (out.length > execLimits().maxTemplateOutput) checkTemplateSize(out.length, 'printf');
  }
  if (ai < args.length) out += '%!(EXTRA ' + args.slice(ai).map((a) => `${goType(a)}=${toText(a)}`).join(', ') + ')';
  return out;
}
