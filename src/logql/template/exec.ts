/**
 * Executes a parsed template against one log entry. Fields (`.name`) read labels; a missing
 * label is "" (Loki runs templates with `missingkey=zero` over a string map). Functions that
 * fail throw; the calling stage turns that into `__error__="TemplateFormatErr"`.
 *
 * Limits (exec-limits.ts): every function call checks the query's deadline, and no function
 * result nor the output may grow past `maxTemplateOutput`; those two throw a LogSentinelError,
 * which the stages let through so the whole query fails with a message naming the limit.
 */
import type { Arg, Loc, Pipe, Template, TNode } from './parse.js';
import { LogSentinelError } from '../../errors.js';
import { TEMPLATE_FUNCTIONS } from './functions.js';
import { GoTime } from './go-time.js';
import { F64, toText, truthy, type TValue } from './values.js';
import { checkTemplateSize, execLimits } from '../exec-limits.js';

export interface TemplateContext {
  /** Value of a label, or undefined when absent. */
  label(name: string): string | undefined;
  /** All labels (for `.`). */
  all(): Record<string, string>;
  line: string;
  ts: bigint;
  /** The template's name in error texts: "line" (line_format, the default) or "label" (label_format). */
  name?: string;
}

/** The template's root dot: the entry's labels, read lazily through the context. */
const ROOT = Symbol('root');

/** Execution state: the context plus the current dot and the variables in scope (innermost last). */
interface Env extends TemplateContext {
  dot: TValue | typeof ROOT;
  vars: Array<[string, TValue | typeof ROOT]>;
}

class BreakSignal {}
class ContinueSignal {}

/** Reads `.name` on a value, as text/template does on a map[string]string with missingkey=zero. */
function fieldOf(env: Env, base: TValue | typeof ROOT, path: string[], loc: Loc | undefined): TValue {
  let v: TValue | typeof ROOT = base;
  for (const name of path) {
    if (v === ROOT) v = env.label(name) ?? '';
    else if (v !== null && typeof v === 'object' && !(v instanceof GoTime) && !(v instanceof F64)) v = (v as Record<string, string>)[name] ?? '';
    else throw located(new Error(`can't evaluate field ${name} in type ${typeName(v)}`), loc, env);
  }
  return v === ROOT ? env.all() : v;
}

function typeName(v: TValue): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof F64) return 'float64';
  if (v instanceof GoTime) return 'time.Time';
  return 'interface {}';
}

/** An execution error already carrying Go's location prefix. */
class TemplateExecError extends Error {}

/** Gives an error Go's exec prefix (`template: line:1:9: executing "line" at <now>: ...`). */
function located(err: unknown, loc: Loc | undefined, ctx: TemplateContext): unknown {
  if (loc === undefined || err instanceof TemplateExecError || err instanceof LogSentinelError || !(err instanceof Error)) return err;
  const name = ctx.name ?? 'line';
  return new TemplateExecError(`template: ${name}:${loc.line}:${loc.col}: executing ${JSON.stringify(name)} at <${loc.text}>: ${err.message}`);
}

export function executeTemplate(tpl: Template, ctx: TemplateContext): string {
  if (tpl.constant) return tpl.text;
  let out = '';
  const max = execLimits().maxTemplateOutput;
  const append = (s: string): void => {
    if (out.length + s.length > max) checkTemplateSize(out.length + s.length, 'the template output');
    out += s;
  };
  const env: Env = { ...ctx, dot: ROOT, vars: [['$', ROOT]] };
  /** Runs a block; variables it declares end with it. */
  const block = (nodes: TNode[]): void => {
    const depth = env.vars.length;
    try {
      run(nodes);
    } finally {
      env.vars.length = depth;
    }
  };
  const run = (nodes: TNode[]): void => {
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          append(n.v);
          break;
        case 'fail':
          throw located(new Error(n.msg), n.loc, env);
        case 'action': {
          const v = evalPipe(n.pipe, env);
          append(v === undefined || v === null ? '<no value>' : toText(v));
          break;
        }
        case 'assign': {
          const v = evalPipe(n.pipe, env);
          if (n.declare) env.vars.push([n.name, v]);
          else for (let i = env.vars.length - 1; i >= 0; i--) if (env.vars[i][0] === n.name) {
            env.vars[i][1] = v;
            break;
          }
          break;
        }
        case 'if': {
          let done = false;
          for (const b of n.branches) {
            if (truthy(evalPipe(b.cond, env))) {
              block(b.body);
              done = true;
              break;
            }
          }
          if (!done && n.otherwise) block(n.otherwise);
          break;
        }
        case 'with': {
          const v = evalPipe(n.pipe, env);
          if (truthy(v)) {
            const saved = env.dot;
            const depth = env.vars.length;
            env.dot = v;
            if (n.vars.length) env.vars.push([n.vars[0], v]);
            try {
              block(n.body);
            } finally {
              env.dot = saved;
              env.vars.length = depth;
            }
          } else if (n.otherwise) block(n.otherwise);
          break;
        }
        case 'range':
          runRange(n);
          break;
        case 'break':
          throw new BreakSignal();
        case 'continue':
          throw new ContinueSignal();
      }
    }
  };
  const runRange = (n: Extract<TNode, { t: 'range' }>): void => {
    const v = evalPipe(n.pipe, env);
    let items: Array<[TValue, TValue]>;
    if (v !== null && typeof v === 'object' && !(v instanceof GoTime) && !(v instanceof F64)) {
      const m = v as Record<string, string>;
      items = Object.keys(m).sort().map((k) => [k, m[k]]);
    } else if (typeof v === 'number' && Number.isInteger(v)) {
      items = [];
      for (let i = 0; i < v; i++) items.push([i, i]);
    } else if (v === null || v === undefined) {
      items = [];
    } else {
      throw new Error(`range can't iterate over ${toText(v)}`);
    }
    if (items.length === 0) {
      if (n.otherwise) block(n.otherwise);
      return;
    }
    const saved = env.dot;
    const depth = env.vars.length;
    try {
      for (const [k, val] of items) {
        env.vars.length = depth;
        if (n.vars.length === 1) env.vars.push([n.vars[0], val]);
        else if (n.vars.length === 2) env.vars.push([n.vars[0], k], [n.vars[1], val]);
        env.dot = val;
        try {
          block(n.body);
        } catch (err) {
          if (err instanceof BreakSignal) break;
          if (err instanceof ContinueSignal) continue;
          throw err;
        }
      }
    } finally {
      env.dot = saved;
      env.vars.length = depth;
    }
  };
  run(tpl.nodes);
  return out;
}

function evalArg(a: Arg, ctx: Env): TValue {
  switch (a.k) {
    case 'str':
      return a.v;
    case 'num':
      return a.v;
    case 'bool':
      return a.v;
    case 'nil':
      return null;
    case 'dot':
      return ctx.dot === ROOT ? ctx.all() : ctx.dot;
    case 'field':
      return fieldOf(ctx, ctx.dot, a.path, a.loc);
    case 'var': {
      let v: TValue | typeof ROOT = undefined;
      for (let i = ctx.vars.length - 1; i >= 0; i--) if (ctx.vars[i][0] === a.name) {
        v = ctx.vars[i][1];
        break;
      }
      return fieldOf(ctx, v, a.path, a.loc);
    }
    case 'pipe':
      return evalPipe(a.pipe, ctx);
    case 'fn':
      try {
        return callFunction(a.name, [], ctx);
      } catch (err) {
        throw located(err, a.loc, ctx);
      }
    case 'err':
      throw located(new Error(a.msg), a.loc, ctx);
  }
}

function callFunction(name: string, args: TValue[], ctx: TemplateContext): TValue {
  if (name === '__line__') return ctx.line;
  if (name === '__timestamp__') return new GoTime(ctx.ts);
  const f = TEMPLATE_FUNCTIONS[name];
  const limits = execLimits();
  limits.checkDeadline();
  const v = f(...args);
  // Functions refuse to build oversized strings up front; this catches the ones whose output is
  // a bounded multiple of their input (b64enc, urlencode, print of many arguments...).
  if (typeof v === 'string' && v.length > limits.maxTemplateOutput) checkTemplateSize(v.length, `the result of ${name}`);
  return v;
}

function evalPipe(pipe: Pipe, ctx: Env): TValue {
  let prev: TValue;
  let hasPrev = false;
  for (const cmd of pipe) {
    const head = cmd[0];
    if (head.k === 'fn') {
      const args: TValue[] = [];
      for (let i = 1; i < cmd.length; i++) args.push(evalArg(cmd[i], ctx));
      if (hasPrev) args.push(prev);
      try {
        prev = callFunction(head.name, args, ctx);
      } catch (err) {
        throw located(err, head.loc, ctx);
      }
    } else {
      prev = evalArg(head, ctx);
    }
    hasPrev = true;
  }
  return prev;
}
