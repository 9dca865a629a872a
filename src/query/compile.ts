/** From LogQL text to an executable log-query plan, with the API's error for metric queries. */
import { LogSentinelError } from '../errors.js';
import { parseExpr, planLogQuery, type LogQueryPlan, type LogSelectorExpr } from '../logql/index.js';

export interface CompiledLogQuery {
  expr: LogSelectorExpr;
  plan: LogQueryPlan;
}

export function compileLogQuery(query: string): CompiledLogQuery {
  const expr = parseExpr(query);
  if (expr.type !== 'log_selector') {
    throw new LogSentinelError('LOGQL_UNSUPPORTED', `cannot run query ${JSON.stringify(query)}: metric queries are not implemented yet in this version of LogSentinel; only log queries are`);
  }
  return { expr, plan: planLogQuery(expr) };
}

/** Parses a selector given to /series, /labels, /index/stats (no pipeline is run there). */
export function compileSelector(query: string): LogQueryPlan {
  return compileLogQuery(query).plan;
}
