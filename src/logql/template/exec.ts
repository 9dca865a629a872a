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
import { toText, truthy, type TValue } from './values.js';
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
  const run = (nodes: TNode[]): void => {
    for (const n of nodes) {
      if (n.t === 'text') append(n.v);
      else if (n.t === 'fail') throw located(new Error(n.msg), n.loc, ctx);
      else if (n.t === 'action') {
        const v = evalPipe(n.pipe, ctx);
        append(v === undefined || v === null ? '<no value>' : toText(v));
      } else {
        let done = false;
        for (const b of n.branches) {
          if (truthy(evalPipe(b.cond, ctx))) {
            run(b.body);
            done = true;
            break;
          }
        }
        if (!done && n.otherwise) run(n.otherwise);
      }
    }
  };
  run(tpl.nodes);
  return out;
}

function evalArg(a: Arg, ctx: TemplateContext): TValue {
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
      return ctx.all();
    case 'field':
      if (a.path.length > 1) throw located(new Error(`can't evaluate field ${a.path[1]} in type string`), a.loc, ctx);
      return ctx.label(a.path[0]) ?? '';
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

function evalPipe(pipe: Pipe, ctx: TemplateContext): TValue {
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
