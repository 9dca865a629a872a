/**
 * Every user regular expression (selectors, `|~`, `| regexp`, label filters, label_replace,
 * template regex functions) is compiled here, with re2js: RE2 semantics and Go syntax
 * (`(?P<name>...)`, `(?i)`), linear-time matching, so no query can backtrack catastrophically.
 * Compiled patterns are cached because the same query text is parsed and planned repeatedly.
 */
import { RE2JS } from 're2js';

const MAX_CACHE = 2000;
const cache = new Map<string, RE2JS>();

/** Compiles an RE2 pattern (cached). Throws the re2js syntax error (its message is RE2's). */
export function compileRegex(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = RE2JS.compile(pattern);
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/**
 * Compiles a pattern that must match the whole value, as Prometheus label matchers do
 * (`^(?s:re)$`: anchored, and `.` also matches a newline).
 */
export function compileAnchoredRegex(pattern: string): RE2JS {
  return compileRegex('^(?s:' + pattern + ')$');
}

/** Returns the RE2 syntax error of `pattern`, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    compileRegex(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** True when `pattern` has no regex metacharacters, so it can be matched as a plain substring. */
export function isLiteralPattern(pattern: string): boolean {
  return !/[\\.+*?()|[\]{}^$]/.test(pattern);
}

/**
 * Expands a Go `Regexp.Expand` template (`$1`, `${1}`, `$name`, `${name}`, `$$`) for one match.
 * `groups[i]` is the text of group i (undefined when it did not participate); `names` maps
 * group names to indexes. Unknown names and out-of-range indexes expand to "" as in Go.
 */
export function expandTemplate(template: string, groups: ArrayLike<string | undefined>, names: Record<string, number>): string {
  if (template.indexOf('$') < 0) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      if (close < 0) {
        out += c;
        continue;
      }
      name = template.slice(i + 2, close);
      if (!/^\w+$/.test(name)) {
        out += c;
        continue;
      }
      i = close;
    } else {
      const m = /^\w+/.exec(template.slice(i + 1));
      if (!m) {
        out += c;
        continue;
      }
      name = m[0];
      i += name.length;
    }
    const idx = /^\d+$/.test(name) ? Number(name) : names[name];
    if (idx !== undefined && idx < groups.length) out += groups[idx] ?? '';
  }
  return out;
}

/**
 * Go's `Regexp.ReplaceAllString`: every match of `re` in `s` is replaced by `template` expanded
 * per match. With `literal`, the template is inserted as is (`ReplaceAllLiteralString`).
 */
export function regexReplaceAll(re: RE2JS, s: string, template: string, literal = false, onReplacement?: (length: number) => void): string {
  const names = re.namedGroups();
  return re.matcher(s).replaceAll((...args: unknown[]) => {
    if (literal) {
      onReplacement?.(template.length);
      return template;
    }
    // The replacer receives (match, g1..gn, offset, input[, groups]) like String.prototype.replace.
    const n = re.groupCount();
    const groups: Array<string | undefined> = [];
    for (let i = 0; i <= n; i++) groups.push(args[i] as string | undefined);
    const out = expandTemplate(template, groups, names);
    // Lets a caller refuse a result that grows past a limit while it is being built.
    onReplacement?.(out.length);
    return out;
  });
}
