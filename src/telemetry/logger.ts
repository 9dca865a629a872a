/** LogSentinel's own structured JSON logs (pino). Request logs carry `reqId`. */
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'logsentinel' }, timestamp: pino.stdTimeFunctions.isoTime });
}
export type { Logger };
