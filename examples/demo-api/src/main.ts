/**
 * Entry point of the demo API (`node dist/main.js`). Configuration comes from the environment
 * (config.ts). On SIGTERM or SIGINT it stops accepting, lets in-flight requests finish, pushes
 * the last logs and exits 0; a shutdown that is still busy after SHUTDOWN_DEADLINE_MS exits 1.
 */
import type { Config } from './config.js';
import type { Service } from './service.js';

// Below Docker's default stop timeout (10 s), so a stuck shutdown says so before SIGKILL.
const SHUTDOWN_DEADLINE_MS = 9_000;

// Installed before anything else loads (loading Fastify and pino takes most of a second on a
// busy host), so a signal during startup still ends in an orderly stop once listening.
let service: Service | undefined;
let stopRequested: NodeJS.Signals | undefined;
const stop = (signal: NodeJS.Signals): void => {
  if (service === undefined) {
    stopRequested = signal;
    return;
  }
  const deadline = setTimeout(() => {
    process.stderr.write(`cannot shut down cleanly: still busy ${SHUTDOWN_DEADLINE_MS} ms after ${signal}\n`);
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  service.stop(signal).then(
    // Explicit: an idle keep-alive socket of the log push must not hold the process open.
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`cannot shut down cleanly: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

const [{ loadConfig }, { createLogs }, { startService }] = await Promise.all([import('./config.js'), import('./logger.js'), import('./service.js')]);

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}

const logs = createLogs(config);
try {
  service = await startService(config, logs);
} catch {
  // startService has logged why and pushed the logs.
  process.exit(1);
}
if (stopRequested !== undefined) stop(stopRequested);
