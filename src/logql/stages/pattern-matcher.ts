/**
 * Loki's pattern expressions (`<ip> - <_> [<ts>] "<method> <path> <_>"`): `<name>` captures,
 * `<_>` matches without capturing, everything else is literal text. Matching is left to right:
 * a capture runs up to the first occurrence of the next literal (or to the end of the line for
 * a trailing capture). Used by `| pattern` and by the pattern line filters `|>` / `!>`.
 */

type Node = { lit: string } | { cap: string };

export interface PatternMatcher {
  /** Names of the named captures, in order. */
  readonly names: string[];
  /** Values of the named captures that matched (a prefix of `names` when the line stops matching). */
  matches(line: string): string[];
  /** Whether the whole line matches the pattern. */
  test(line: string): boolean;
}

const CAPTURE = /^<(_|[a-zA-Z_][a-zA-Z0-9_]*)>/;

/**
 * Compiles a pattern. With `filterOnly` (line filters) only `<_>` captures need be present;
 * otherwise at least one named capture is required. Throws Loki-worded errors.
 */
export function compilePattern(pattern: string, opts: { filterOnly: boolean }): PatternMatcher {
  const nodes: Node[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern[i] === '<') {
      const m = CAPTURE.exec(pattern.slice(i));
      if (m) {
        if (lit) nodes.push({ lit });
        lit = '';
        nodes.push({ cap: m[1] });
        i += m[0].length;
        continue;
      }
    }
    lit += pattern[i++];
  }
  if (lit) nodes.push({ lit });
  const names: string[] = [];
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k];
    if (!('cap' in n)) continue;
    const prev = nodes[k - 1];
    if (prev && 'cap' in prev) throw new Error(`invalid expression: found consecutive capture '<${n.cap}>'`);
    if (n.cap === '_') continue;
    if (names.includes(n.cap)) throw new Error(`invalid expression: duplicate capture name (${n.cap})`);
    names.push(n.cap);
  }
  // Line filters take any pattern; `|> ""` matches only empty lines (Loki's ParseLineFilter).
  if (!opts.filterOnly && names.length === 0) throw new Error('invalid expression: at least one capture is required');

  /** Walks the line; calls `onCap` for each capture; returns whether everything matched. */
  const walk = (line: string, onCap: ((name: string, v: string) => void) | undefined): boolean => {
    let i = 0;
    for (let k = 0; k < nodes.length; k++) {
      const n = nodes[k];
      if ('lit' in n) {
        if (!line.startsWith(n.lit, i)) return false;
        i += n.lit.length;
        continue;
      }
      const next = nodes[k + 1] as { lit: string } | undefined;
      let end: number;
      if (next === undefined) end = line.length;
      else {
        end = line.indexOf(next.lit, i);
        if (end < 0) return false;
      }
      if (onCap && n.cap !== '_') onCap(n.cap, line.slice(i, end));
      i = end;
    }
    return i === line.length;
  };

  return {
    names,
    matches(line: string): string[] {
      const out: string[] = [];
      walk(line, (_n, v) => out.push(v));
      return out;
    },
    test(line: string): boolean {
      return walk(line, undefined);
    },
  };
}
