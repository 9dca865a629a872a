/**
 * Translates an RE2 pattern (LogQL's `|~`) into a PostgreSQL regular expression (ARE) that
 * matches AT LEAST every line the RE2 pattern matches — a necessary condition PostgreSQL can
 * evaluate to narrow the rows, which JavaScript then rechecks with RE2 itself. Exactness is not
 * attempted: ARE and RE2 differ (`.` and newline, Unicode `\w`/`\s`, case folding, `\b` being a
 * backspace in ARE), so only constructs whose ARE meaning is the same or broader are translated,
 * and anything else gives `undefined` (nothing pushed down). Matching existence does not depend
 * on greedy versus lazy preferences, so those are kept as written.
 *
 * https://github.com/google/re2/wiki/Syntax, https://www.postgresql.org/docs/15/functions-matching.html#POSIX-SYNTAX-DETAILS
 */

/** ARE repetition counts stop at 255 (DUPMAX). */
const MAX_REPEAT = 255;

export function toPostgresRegexSuperset(pattern: string): string | undefined {
  let i = 0;
  let out = '';
  let fold = false;
  // Leading flags only: (?i) and (?s) (ARE's `.` already matches a newline), in any combination.
  const lead = /^\(\?([is]+)\)/.exec(pattern);
  if (lead) {
    fold = lead[1].includes('i');
    i = lead[0].length;
    if (fold) out = '(?i)';
  }
  const n = pattern.length;
  while (i < n) {
    const ch = pattern[i];
    switch (ch) {
      case '\\': {
        const e = pattern[i + 1];
        if (e === undefined) return undefined;
        const esc = escape(e, false);
        if (esc === undefined) return undefined;
        out += esc;
        i += 2;
        break;
      }
      case '(': {
        if (pattern[i + 1] !== '?') {
          out += '(';
          i++;
        } else if (pattern[i + 2] === ':') {
          out += '(?:';
          i += 3;
        } else {
          const named = /^\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(pattern.slice(i));
          if (!named) return undefined; // inline flags and anything else
          out += '(';
          i += named[0].length;
        }
        break;
      }
      case '[': {
        const end = bracket(pattern, i + 1, fold);
        if (end === undefined) return undefined;
        out += end.are;
        i = end.next;
        break;
      }
      case '{': {
        const rep = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (!rep) {
          out += '\\{'; // RE2 reads a `{` that starts no repetition as a literal
          i++;
          break;
        }
        if (Number(rep[1]) > MAX_REPEAT || (rep[3] !== undefined && rep[3] !== '' && Number(rep[3]) > MAX_REPEAT)) return undefined;
        out += rep[0];
        i += rep[0].length;
        break;
      }
      case ')':
      case '|':
      case '*':
      case '+':
      case '?':
      case '.':
      case '^':
      case '$':
        out += ch;
        i++;
        break;
      default: {
        const cp = pattern.codePointAt(i)!;
        const s = String.fromCodePoint(cp);
        if (fold && cp > 0x7f) return undefined; // Unicode case folding differs
        // RE2 folds k to the Kelvin sign and s to the long s; ARE does not.
        if (fold && (s === 'k' || s === 'K')) out += '[kK\u212A]';
        else if (fold && (s === 's' || s === 'S')) out += '[sS\u017F]';
        else out += s;
        i += s.length;
      }
    }
  }
  return out;
}

/** An escape outside (`inBracket` false) or inside a bracket expression; undefined when not translatable. */
function escape(e: string, inBracket: boolean): string | undefined {
  switch (e) {
    case 'd':
      return inBracket ? '0-9' : '[0-9]';
    case 'w':
      return inBracket ? undefined : '\\w'; // ARE \w ⊇ RE2 \w ([0-9A-Za-z_])
    case 's':
      return inBracket ? undefined : '\\s'; // ARE \s ⊇ RE2 \s ([\t\n\f\r ])
    case 'n':
    case 't':
    case 'r':
    case 'f':
      return '\\' + e;
    default:
      // A backslash before ASCII punctuation is that character in both dialects.
      return /^[!-/:-@[-`{-~]$/.test(e) ? '\\' + e : undefined;
  }
}

/** A bracket expression from just after `[`: translated only when made of literals, ranges and \d. */
function bracket(p: string, start: number, fold: boolean): { are: string; next: number } | undefined {
  if (fold) return undefined;
  let i = start;
  let are = '[';
  if (p[i] === '^') {
    are += '^';
    i++;
  }
  if (p[i] === ']') return undefined;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === ']') return are.length > 1 && are !== '[^' ? { are: are + ']', next: i + 1 } : undefined;
    if (c === '[') return undefined; // [:alpha:] and friends
    if (c === '\\') {
      const e = escape(p[i + 1] ?? '', true);
      if (e === undefined) return undefined;
      are += e;
      i++;
      continue;
    }
    const cp = p.codePointAt(i)!;
    if (cp > 0xffff) {
      are += String.fromCodePoint(cp);
      i++;
      continue;
    }
    are += c;
  }
  return undefined;
}
