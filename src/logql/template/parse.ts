/**
 * A parser for the subset of Go's text/template that Loki's `line_format` and `label_format`
 * use: text, `{{ pipeline }}` actions with `{{-`/`-}}` trimming, comments, `if`/`else if`/
 * `else`/`end`, pipelines (`{{ .a | ToUpper }}`), parenthesised sub-pipelines, fields (`.a`),
 * `.`, `$`, and string, raw-string, number, bool and nil literals. `range`, `with`, `define`,
 * `template` and variables other than `$` are not supported and are rejected at parse time.
 *
 * Errors read like Go's: `template: line:1: function "foo" not defined`.
 */
import { TEMPLATE_FUNCTIONS } from './functions.js';

/** Where a node is, for Go's exec error prefix `template: line:1:9: executing "line" at <now>: `. */
export interface Loc {
  line: number;
  /** byte offset in its line (Go counts from 0) */
  col: number;
  /** the node as Go prints it (`now`, `.foo`) */
  text: string;
}

export type Arg =
  | { k: 'field'; path: string[]; loc?: Loc }
  | { k: 'dot' }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'nil' }
  | { k: 'fn'; name: string; loc?: Loc }
  | { k: 'pipe'; pipe: Pipe }
  /** `$name` or `$name.a.b` (`$` alone is the template's root, the labels). */
  | { k: 'var'; name: string; path: string[]; loc?: Loc }
  /** A command Go parses but cannot execute (a field or constant given arguments): fails when run. */
  | { k: 'err'; msg: string; loc?: Loc };

/** A command: its first arg may be a function, the rest are arguments. */
export type Cmd = Arg[];
export type Pipe = Cmd[];

export type TNode =
  | { t: 'text'; v: string }
  | { t: 'action'; pipe: Pipe }
  | { t: 'if'; branches: Array<{ cond: Pipe; body: TNode[] }>; otherwise?: TNode[] }
  /** `{{with [$v :=] pipe}}body{{else}}otherwise{{end}}`: body runs with dot = the value when it is true. */
  | { t: 'with'; vars: string[]; pipe: Pipe; body: TNode[]; otherwise?: TNode[] }
  /** `{{range [[$k,] $v :=] pipe}}`: over a map (sorted keys) or an int; `otherwise` when empty. */
  | { t: 'range'; vars: string[]; pipe: Pipe; body: TNode[]; otherwise?: TNode[] }
  /** `{{$x := pipe}}` (declare) or `{{$x = pipe}}` (assign): prints nothing. */
  | { t: 'assign'; name: string; declare: boolean; pipe: Pipe }
  | { t: 'break' | 'continue' }
  /** Parses in Go but always fails when executed (Loki: per-line TemplateFormatErr). */
  | { t: 'fail'; msg: string; loc?: Loc };

export interface Template {
  nodes: TNode[];
  /** True when the template is plain text (no actions): executing it returns `text`. */
  constant: boolean;
  text: string;
  /** Whether the template calls `__line__` / `__timestamp__` (the engine must provide them). */
  usesLine: boolean;
  usesTimestamp: boolean;
}

/** Functions provided per execution rather than from the static table. */
const DYNAMIC_FUNCTIONS = new Set(['__line__', '__timestamp__']);
const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

const cache = new Map<string, Template>();

/** Parses (and caches) a template. Throws an Error with Go's wording on bad syntax. */
export function parseTemplate(src: string): Template {
  const hit = cache.get(src);
  if (hit) return hit;
  const tpl = new TemplateParser(src).parse();
  if (cache.size > 1000) cache.clear();
  cache.set(src, tpl);
  return tpl;
}

type Tok = { k: 'word' | 'field' | 'dot' | 'str' | 'num' | 'pipe' | 'lp' | 'rp' | 'var' | 'decl' | 'assign' | 'comma'; v: string; p?: number };

class TemplateParser {
  private line = 1;
  /** Offset in the source of the action body being parsed (for node locations). */
  private bodyAt = 0;
  /** Variables in scope, innermost block last (Go: a variable lives until its block's {{end}}). */
  private scopes: string[][] = [['$']];
  private rangeDepth = 0;

  private declared(name: string): boolean {
    return this.scopes.some((s) => s.includes(name));
  }

  /** Splits `$a, $b := rest` / `$a := rest` / `$a = rest` off an action's tokens. */
  private declaration(toks: Tok[], max: number): { names: string[]; declare: boolean; rest: Tok[] } | undefined {
    if (toks[0]?.k !== 'var') return undefined;
    if (toks[1]?.k === 'decl' || toks[1]?.k === 'assign') return { names: [toks[0].v], declare: toks[1].k === 'decl', rest: toks.slice(2) };
    if (max === 2 && toks[1]?.k === 'comma' && toks[2]?.k === 'var' && toks[3]?.k === 'decl') return { names: [toks[0].v, toks[2].v], declare: true, rest: toks.slice(4) };
    return undefined;
  }
  private usesLine = false;
  private usesTimestamp = false;
  constructor(private readonly src: string) {}

  private fail(msg: string): never {
    throw new Error(`template: line:${this.line}: ${msg}`);
  }

  parse(): Template {
    // Split into text and action chunks, applying trim markers.
    type Chunk = { text: string } | { action: string; line: number; at: number };
    const chunks: Chunk[] = [];
    const s = this.src;
    let i = 0;
    let trimNext = false;
    while (i < s.length) {
      const open = s.indexOf('{{', i);
      let text = open < 0 ? s.slice(i) : s.slice(i, open);
      if (trimNext) text = text.replace(/^\s+/, '');
      trimNext = false;
      if (open < 0) {
        if (text) chunks.push({ text });
        break;
      }
      let start = open + 2;
      if (s[start] === '-' && /\s/.test(s[start + 1] ?? '')) {
        text = text.replace(/\s+$/, '');
        start += 2;
      }
      if (text) chunks.push({ text });
      const lineAt = 1 + (s.slice(0, open).match(/\n/g)?.length ?? 0);
      this.line = lineAt;
      const close = this.findClose(start);
      if (close < 0) this.fail('unclosed action');
      let end = close;
      if (s[close - 1] === '-' && /\s/.test(s[close - 2] ?? '')) {
        trimNext = true;
        end = close - 2;
      }
      chunks.push({ action: s.slice(start, end), line: lineAt, at: start });
      i = close + 2;
    }
    let pos = 0;
    const parseList = (inBlock: boolean): { nodes: TNode[]; end?: string; endPipe?: Pipe } => {
      const nodes: TNode[] = [];
      while (pos < chunks.length) {
        const c = chunks[pos++];
        if ('text' in c) {
          nodes.push({ t: 'text', v: c.text });
          continue;
        }
        this.line = c.line;
        const body = c.action.trim();
        this.bodyAt = c.at + (c.action.length - c.action.trimStart().length);
        if (body.startsWith('/*')) {
          if (!body.endsWith('*/')) this.fail('unclosed comment');
          continue;
        }
        const toks = this.lex(body);
        const first = toks[0];
        if (first && first.k === 'word' && KEYWORDS.has(first.v)) {
          switch (first.v) {
            case 'with':
            case 'range': {
              const isRange = first.v === 'range';
              const decl = this.declaration(toks.slice(1), isRange ? 2 : 1);
              if (decl && !decl.declare) this.fail(`unexpected "=" in ${first.v}`);
              const pipe = this.parsePipe(decl ? decl.rest : toks.slice(1), first.v);
              this.scopes.push(decl ? [...decl.names] : []);
              if (isRange) this.rangeDepth++;
              const r = parseList(true);
              if (isRange) this.rangeDepth--;
              let otherwise: TNode[] | undefined;
              if (r.end === 'else') {
                const r2 = parseList(true);
                if (r2.end !== 'end') this.fail('expected end; found ' + (r2.end ?? 'EOF'));
                otherwise = r2.nodes;
              } else if (r.end !== 'end') this.fail(`unexpected {{else if}} in ${first.v}`);
              this.scopes.pop();
              nodes.push({ t: first.v as 'with' | 'range', vars: decl ? decl.names : [], pipe, body: r.nodes, ...(otherwise ? { otherwise } : {}) });
              continue;
            }
            case 'break':
            case 'continue':
              if (this.rangeDepth === 0) this.fail(`{{${first.v}}} outside {{range}}`);
              if (toks.length > 1) this.fail(`unexpected tokens after ${first.v}`);
              nodes.push({ t: first.v });
              continue;
            case 'if': {
              const branches: Array<{ cond: Pipe; body: TNode[] }> = [];
              let cond = this.parsePipe(toks.slice(1), 'if');
              let otherwise: TNode[] | undefined;
              this.scopes.push([]);
              for (;;) {
                const r = parseList(true);
                branches.push({ cond, body: r.nodes });
                if (r.end === 'end') break;
                if (r.end === 'else') {
                  const r2 = parseList(true);
                  if (r2.end !== 'end') this.fail('expected end; found ' + (r2.end ?? 'EOF'));
                  otherwise = r2.nodes;
                  break;
                }
                // else if
                cond = r.endPipe!;
              }
              this.scopes.pop();
              nodes.push({ t: 'if', branches, ...(otherwise ? { otherwise } : {}) });
              continue;
            }
            case 'else':
              if (!inBlock) this.fail('unexpected {{else}}');
              if (toks[1] && toks[1].k === 'word' && toks[1].v === 'if') return { nodes, end: 'elseif', endPipe: this.parsePipe(toks.slice(2), 'if') };
              if (toks.length > 1) this.fail('unexpected tokens after else');
              return { nodes, end: 'else' };
            case 'end':
              if (!inBlock) this.fail('unexpected {{end}}');
              if (toks.length > 1) this.fail('unexpected tokens after end');
              return { nodes, end: 'end' };
            case 'template': {
              // Go parses `{{template "name" [pipeline]}}`; no template is ever defined, so it
              // fails on every line it runs for, as in Loki.
              const name = toks[1];
              if (!name || name.k !== 'str') this.fail('unexpected token in template clause');
              if (toks.length > 2) this.parsePipe(toks.slice(2), 'template clause');
              nodes.push({ t: 'fail', msg: `no such template ${JSON.stringify((name as { v: string }).v)}`, loc: this.loc(toks[0].p ?? 0, `{{template ${JSON.stringify((name as { v: string }).v)}}}`) });
              continue;
            }
            default:
              this.fail(`{{${first.v}}} is not supported`);
          }
        }
        const decl = this.declaration(toks, 1);
        if (decl) {
          const name = decl.names[0];
          if (!decl.declare && !this.declared(name)) this.fail(`undefined variable "${name}"`);
          const pipe = this.parsePipe(decl.rest, 'command');
          if (decl.declare) this.scopes[this.scopes.length - 1].push(name);
          nodes.push({ t: 'assign', name, declare: decl.declare, pipe });
          continue;
        }
        nodes.push({ t: 'action', pipe: this.parsePipe(toks, 'command') });
      }
      if (inBlock) this.fail('unexpected EOF');
      return { nodes };
    };
    const { nodes } = parseList(false);
    const constant = nodes.every((n) => n.t === 'text');
    return {
      nodes,
      constant,
      text: constant ? nodes.map((n) => (n as { v: string }).v).join('') : '',
      usesLine: this.usesLine,
      usesTimestamp: this.usesTimestamp,
    };
  }

  /** Finds the `}}` closing an action, skipping quoted strings. */
  private findClose(from: number): number {
    const s = this.src;
    for (let i = from; i < s.length; i++) {
      const c = s[i];
      if (c === '"') {
        for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === '\\') i++;
      } else if (c === '`') {
        i = s.indexOf('`', i + 1);
        if (i < 0) return -1;
      } else if (c === '}' && s[i + 1] === '}') return i;
    }
    return -1;
  }

  /** Go's location of the node at offset `p` of the current action body. */
  private loc(p: number, text: string): Loc {
    const before = this.src.slice(0, this.bodyAt + p);
    const nl = before.lastIndexOf('\n');
    return { line: 1 + (before.match(/\n/g)?.length ?? 0), col: Buffer.byteLength(before.slice(nl + 1)), text };
  }

  private lex(body: string): Tok[] {
    const toks: Tok[] = [];
    let i = 0;
    const out = { push: (t: Tok): number => toks.push({ ...t, p: i }) };
    while (i < body.length) {
      const c = body[i];
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      if (c === '|' || c === '(' || c === ')') {
        out.push({ k: c === '|' ? 'pipe' : c === '(' ? 'lp' : 'rp', v: c });
        i++;
      } else if (c === '"') {
        let j = i + 1;
        for (; j < body.length && body[j] !== '"'; j++) if (body[j] === '\\') j++;
        if (j >= body.length) this.fail('unterminated quoted string');
        let v: string;
        try {
          v = JSON.parse(body.slice(i, j + 1).replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
        } catch {
          this.fail(`invalid syntax: ${body.slice(i, j + 1)}`);
        }
        out.push({ k: 'str', v: v! });
        i = j + 1;
      } else if (c === '`') {
        const j = body.indexOf('`', i + 1);
        if (j < 0) this.fail('unterminated raw quoted string');
        out.push({ k: 'str', v: body.slice(i + 1, j) });
        i = j + 1;
      } else if (c === '.' && !/[0-9]/.test(body[i + 1] ?? '')) {
        const m = /^(?:\.[a-zA-Z_][a-zA-Z0-9_]*)+/.exec(body.slice(i));
        if (m) {
          out.push({ k: 'field', v: m[0] });
          i += m[0].length;
        } else {
          out.push({ k: 'dot', v: '.' });
          i++;
        }
      } else if (c === '$') {
        const m = /^\$[a-zA-Z0-9_]*(?:\.[a-zA-Z_][a-zA-Z0-9_]*)*/.exec(body.slice(i))!;
        out.push({ k: 'var', v: m[0] });
        i += m[0].length;
      } else if (c === ':' && body[i + 1] === '=') {
        out.push({ k: 'decl', v: ':=' });
        i += 2;
      } else if (c === '=' || c === ',') {
        out.push({ k: c === '=' ? 'assign' : 'comma', v: c });
        i++;
      } else {
        const m = /^(?:[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[a-zA-Z_][a-zA-Z0-9_]*)/.exec(body.slice(i));
        if (!m) this.fail(`unexpected ${JSON.stringify(c)} in command`);
        out.push({ k: /^[-+\d.]/.test(m[0]) ? 'num' : 'word', v: m[0] });
        i += m[0].length;
      }
    }
    return toks;
  }

  private parsePipe(toks: Tok[], ctx: string): Pipe {
    let pos = 0;
    const parseArg = (): Arg => {
      const t = toks[pos++];
      switch (t.k) {
        case 'str':
          return { k: 'str', v: t.v };
        case 'num':
          return { k: 'num', v: Number(t.v) };
        case 'field':
          return { k: 'field', path: t.v.slice(1).split('.'), loc: this.loc(t.p ?? 0, t.v) };
        case 'dot':
          return { k: 'dot' };
        case 'var': {
          const [name, ...path] = t.v.split('.');
          if (!this.declared(name)) this.fail(`undefined variable "${name}"`);
          return { k: 'var', name, path, loc: this.loc(t.p ?? 0, t.v) };
        }
        case 'lp': {
          const start = pos;
          let depth = 1;
          while (pos < toks.length && depth > 0) {
            if (toks[pos].k === 'lp') depth++;
            else if (toks[pos].k === 'rp') depth--;
            pos++;
          }
          if (depth > 0) this.fail('unclosed left paren');
          return { k: 'pipe', pipe: this.parsePipe(toks.slice(start, pos - 1), 'parenthesized pipeline') };
        }
        case 'word':
          if (t.v === 'true' || t.v === 'false') return { k: 'bool', v: t.v === 'true' };
          if (t.v === 'nil') return { k: 'nil' };
          if (KEYWORDS.has(t.v)) this.fail(`unexpected <${t.v}> in ${ctx}`);
          if (!(t.v in TEMPLATE_FUNCTIONS) && !DYNAMIC_FUNCTIONS.has(t.v)) this.fail(`function "${t.v}" not defined`);
          if (t.v === '__line__') this.usesLine = true;
          if (t.v === '__timestamp__') this.usesTimestamp = true;
          return { k: 'fn', name: t.v, loc: this.loc(t.p ?? 0, t.v) };
        default:
          this.fail(`unexpected "${t.v}" in ${ctx}`);
      }
    };
    const pipe: Pipe = [];
    let cmd: Cmd = [];
    while (pos < toks.length) {
      if (toks[pos].k === 'pipe') {
        if (cmd.length === 0) this.fail(`missing command in ${ctx}`);
        pipe.push(cmd);
        cmd = [];
        pos++;
        continue;
      }
      if (toks[pos].k === 'rp') this.fail(`unexpected right paren`);
      cmd.push(parseArg());
    }
    if (cmd.length === 0) this.fail(`missing value for ${ctx}`);
    pipe.push(cmd);
    for (let c = 0; c < pipe.length; c++) {
      const head = pipe[c][0];
      // Go refuses constants in later pipeline stages when parsing; a field (maybe a method) or a
      // constant given arguments only fails when executed, so Loki reports TemplateFormatErr per line.
      if (c > 0 && head.k !== 'fn' && head.k !== 'field') this.fail(`non executable command in pipeline stage ${c + 1}`);
      if (head.k === 'field' && (pipe[c].length > 1 || c > 0)) pipe[c] = [{ k: 'err', msg: `${head.path[head.path.length - 1]} is not a method but has arguments`, loc: head.loc }];
      else if (head.k !== 'fn' && pipe[c].length > 1) pipe[c] = [{ k: 'err', msg: `can't give argument to non-function ${argText(head)}` }];
    }
    return pipe;
  }
}

function argText(a: Arg): string {
  switch (a.k) {
    case 'field':
      return '.' + a.path.join('.');
    case 'str':
      return JSON.stringify(a.v);
    case 'num':
      return String(a.v);
    default:
      return a.k;
  }
}
