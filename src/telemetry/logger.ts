/**
 * LogSentinel's own structured JSON logs (pino). Request logs carry `reqId`.
 *
 * Every line is scrubbed of secrets (src/config/redact.ts) before it is written: URL credentials
 * and the values of secret options, wherever a message, an error or a library echoes them.
 */
import { pino, type Logger } from 'pino';
import { scrubSecrets, scrubValue } from '../config/redact.js';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const opts: pino.LoggerOptions = {
    level,
    base: { service: 'logsentinel' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: (e: unknown) => pino.stdSerializers.err(scrubValue(e) as Error) },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) {
          const a = args[i] as unknown;
          (args as unknown[])[i] = typeof a === 'string' ? scrubSecrets(a) : scrubValue(a);
        }
        return method.apply(this, args);
      },
    },
  };
  return destination === undefined ? pino(opts) : pino(opts, destination);
}
export type { Logger };
