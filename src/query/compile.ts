/**
 * From LogQL text to executable log-query plans (metric queries are evaluated by query/metric/).
 *
 * `level` means two things: the detected-level column of every entry, and — for streams whose
 * clients send one (Promtail, pino-loki, winston-loki) — a real stream label. A query therefore
 * gets two plans: `column` for streams without their own `level` label (level matchers become a
 * pushed-down level filter) and `label` for streams with one (level matchers stay ordinary label
 * matchers, compared with the label's value exactly as sent).
 */
import { LogSentinelError } from '../errors.js';
import { parseExpr, planLogQuery, type LogQueryPlan, type LogSelectorExpr } from '../logql/index.js';

export interface LogQueryPlans {
  column: LogQueryPlan;
  label: LogQueryPlan;
}

export interface CompiledLogQuery {
  expr: LogSelectorExpr;
  plans: LogQueryPlans;
}

export function planBoth(expr: LogSelectorExpr): LogQueryPlans {
  return { column: planLogQuery(expr), label: planLogQuery(expr, { streamHasLevelLabel: true }) };
}

export function compileLogQuery(query: string): CompiledLogQuery {
  const expr = parseExpr(query);
  if (expr.type !== 'log_selector') {
    throw new LogSentinelError('LOGQL_UNSUPPORTED', `cannot run query ${JSON.stringify(query)}: it is a metric query; only a log query or stream selector is allowed here`);
  }
  return { expr, plans: planBoth(expr) };
}

/** Parses a selector given to /series, /labels, /index/stats (no pipeline is run there). */
export function compileSelector(query: string): LogQueryPlans {
  return compileLogQuery(query).plans;
}
