/**
 * The demo API's lifecycle, apart from process concerns (signals, exit codes) so tests can drive
 * it in-process: start listening, and stop in the order that loses nothing.
 */
import type { FastifyInstance } from 'fastify';
import { createApp, type AppDeps } from './app.js';
import { describeShipping, type Config } from './config.js';
import type { Logs } from './logger.js';

export interface Service {
  app: FastifyInstance;
  /** `http://host:port` as bound; with port 0 the port the system chose. */
  url: string;
  /**
   * Stops accepting connections, waits for in-flight requests to finish, then pushes the logs
   * pino-loki still buffers. Resolves when all of that is done; calling it again returns the
   * same promise.
   */
  stop(reason: string): Promise<void>;
}

export async function startService(config: Pick<Config, 'port' | 'host' | 'serviceName' | 'logsentinelUrl' | 'auth'>, logs: Logs, deps: Omit<AppDeps, 'logger'> = {}): Promise<Service> {
  const app = createApp({ ...deps, logger: logs.logger });
  let url: string;
  try {
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('BUG: the server listens on no TCP address');
    url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  } catch (err) {
    logs.logger.fatal({ err, port: config.port, host: config.host }, `cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    await app.close();
    await logs.flush();
    throw err;
  }
  logs.logger.info({ service: config.serviceName, url, ...describeShipping(config) }, 'demo-api started');

  let stopping: Promise<void> | undefined;
  return {
    app,
    url,
    stop(reason: string): Promise<void> {
      stopping ??= (async () => {
        logs.logger.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
        await app.close();
        logs.logger.info('in-flight requests finished; pushing the last logs');
        await logs.flush();
      })();
      return stopping;
    },
  };
}
