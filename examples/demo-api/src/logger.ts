/**
 * Structured JSON logs: every line goes to stdout and, unless shipping is off, to LogSentinel
 * through pino-loki (POST <LOGSENTINEL_URL>/loki/api/v1/push).
 *
 * Invariants:
 *  - `level` is written as a name (`"level":"error"`), which LogSentinel and people both read;
 *  - stream labels are few and bounded: `service`, plus the `level` and `hostname` that pino-loki
 *    adds itself. Per-request values (request_id, status, path) stay in the JSON line, where
 *    `| json` finds them; as labels they would make one stream per request;
 *  - pino-loki runs in this thread, not in a pino worker transport, so `flush` can wait for its
 *    last push before the process exits;
 *  - the push credentials appear in no log line, not even in pino-loki's own debug output.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoLoki, type LokiLogLevel, type LokiOptions } from 'pino-loki';
import type { Config, PushAuth } from './config.js';

export interface Logs {
  logger: Logger;
  /**
   * Pushes what pino-loki still buffers and closes the push stream; resolves when the push has
   * finished or failed (pino-loki reports a failure on stderr, it does not reject). Idempotent.
   * Log lines written after it reach stdout only. A push pino-loki's timer started just before
   * is not awaited (pino-loki does not expose it); it began earlier and normally ends first.
   */
  flush(): Promise<void>;
}

export interface LogsOptions {
  /** Where the stdout copy goes; tests pass a collector. Default: file descriptor 1. */
  stdout?: DestinationStream;
}

/**
 * pino-loki turns the record's level into the `level` stream label by looking it up in this map.
 * Its default map is keyed by pino's numbers; ours writes names, so the names are the keys.
 * Without this every line would be labelled `info`, and the label wins over the line's own
 * `"level"` field in LogSentinel's level detection.
 */
export const LOKI_LEVEL_LABELS: Record<string, LokiLogLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  error: 'error',
  fatal: 'critical',
};

/** pino-loki gives up on one push after this long, so shutdown cannot hang on a dead server. */
const PUSH_TIMEOUT_MS = 5_000;

export function createLogs(config: Pick<Config, 'logLevel' | 'serviceName' | 'logsentinelUrl' | 'auth' | 'batchIntervalSeconds'>, opts: LogsOptions = {}): Logs {
  const stdout = opts.stdout ?? pino.destination({ dest: 1, sync: true });
  // Each stream takes everything; the logger's own level does the filtering.
  const streams: pino.StreamEntry<pino.Level>[] = [{ level: 'trace', stream: stdout }];
  let loki: ReturnType<typeof pinoLoki> | undefined;
  // Once flushing starts the push stream is ended, and writing to it then would be an error:
  // this gate drops later lines instead (they still reach stdout).
  let shipping = true;
  if (config.logsentinelUrl !== undefined) {
    const stream = pinoLoki(lokiOptions(config.logsentinelUrl, config));
    // A failed push is reported by pino-loki and does not surface here; what does is a broken
    // stream, which must not take the service down with it.
    stream.on('error', (err: Error) => process.stderr.write(`cannot ship logs to LogSentinel: ${err.message}\n`));
    streams.push({ level: 'trace', stream: { write: (line: string) => void (shipping && stream.write(line)) } });
    loki = stream;
  }
  const logger = pino(
    {
      level: config.logLevel,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.multistream(streams),
  );
  let flushed: Promise<void> | undefined;
  return {
    logger,
    flush(): Promise<void> {
      if (loki === undefined) return Promise.resolve();
      const stream = loki;
      // Ending the stream lets pino-loki drain what is queued, then its close hook pushes the
      // batch buffer; 'close' follows that push.
      flushed ??= (async () => {
        shipping = false;
        if (stream.closed) return; // broken earlier, already reported
        // Not events.once: that rejects on 'error', and a failed stream still closes.
        const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
        stream.end();
        await closed;
      })();
      return flushed;
    },
  };
}

/** pino-loki's options for one LogSentinel; exported for tests. */
export function lokiOptions(host: string, config: Pick<Config, 'serviceName' | 'auth' | 'batchIntervalSeconds'>): LokiOptions {
  return {
    host,
    labels: { service: config.serviceName },
    levelMap: LOKI_LEVEL_LABELS,
    batching: { interval: config.batchIntervalSeconds, maxBufferSize: 10_000 },
    timeout: PUSH_TIMEOUT_MS,
    // Everything stays in the JSON line, where `| json` can reach it.
    structuredMetaKey: false,
    ...authOptions(config.auth),
  };
}

function authOptions(auth: PushAuth): Pick<LokiOptions, 'basicAuth' | 'headers'> {
  switch (auth.kind) {
    case 'none':
      return {};
    case 'basic':
      // pino-loki leaves basicAuth out of its debug output itself.
      return { basicAuth: { username: auth.username, password: auth.password } };
    case 'bearer':
      return { headers: redactedHeaders({ Authorization: `Bearer ${auth.token}` }) };
  }
}

/**
 * Headers that are sent as they are (spreading copies them) but print as `[redacted]`:
 * pino-loki JSON-stringifies its options, headers included, into its NODE_DEBUG=pino-loki output.
 */
export function redactedHeaders(headers: Record<string, string>): Record<string, string> {
  const redacted = Object.fromEntries(Object.keys(headers).map((k) => [k, '[redacted]']));
  return Object.defineProperty({ ...headers }, 'toJSON', { value: () => redacted, enumerable: false });
}
