/**
 * Limits on the work one query's pipeline may do, seen by the stages while they run.
 *
 * Pipelines and templates are synchronous and are built when a query is planned, before the
 * query's deadline and limits are known; the engine therefore runs each synchronous stretch of
 * pipeline work inside `withExecLimits(limits, fn)`, and the stages read `execLimits()`. Because
 * `fn` is synchronous, no other query can run in between, so one ambient value is safe; it is
 * restored when `fn` returns or throws. Outside any query (live tail, tests) the defaults apply:
 * the default template output limit and no deadline.
 *
 * A template function checks its output size before it builds a string (a `printf` width or
 * `repeat` count is refused before a gigabyte is allocated) and the deadline on every call, so a
 * pathological template costs at most one line's worth of bounded work past the query timeout.
 */
import { LogSentinelError } from '../errors.js';

export interface ExecLimits {
  /** Longest string (UTF-16 code units) a template or one of its functions may produce for one line. */
  maxTemplateOutput: number;
  /** Throws (QUERY_TIMEOUT, or the cancellation's error) once the query must stop. */
  checkDeadline(): void;
}

/** The default of `query.maxTemplateOutput`: four times the default longest line. */
export const DEFAULT_MAX_TEMPLATE_OUTPUT = 1024 * 1024;

const DEFAULTS: ExecLimits = { maxTemplateOutput: DEFAULT_MAX_TEMPLATE_OUTPUT, checkDeadline: () => undefined };

let active: ExecLimits = DEFAULTS;

/** Runs `fn` (synchronous) with `limits` visible to the stages, then restores the previous ones. */
export function withExecLimits<T>(limits: ExecLimits, fn: () => T): T {
  const prev = active;
  active = limits;
  try {
    return fn();
  } finally {
    active = prev;
  }
}

export function execLimits(): ExecLimits {
  return active;
}

/**
 * Throws the template limit error when a string of `size` would exceed the limit. `what` names
 * the function (`printf width`, `repeat`, `line_format output`).
 */
export function checkTemplateSize(size: number, what: string): void {
  const max = active.maxTemplateOutput;
  if (size > max) throw templateTooLarge(size, what, max);
}

export function templateTooLarge(size: number, what: string, max: number): LogSentinelError {
  return new LogSentinelError(
    'QUERY_LIMIT',
    `cannot execute template: ${what} would produce ${Number.isFinite(size) ? Math.round(size) : 'unbounded'} characters, more than the limit of ${max} per line (query.maxTemplateOutput)`,
  );
}
