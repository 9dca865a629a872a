/**
 * Entry point of the traffic generator (`node dist/traffic.js`): calls TARGET_URL (default
 * http://localhost:8080) RPS times a second (default 5) until SIGTERM or SIGINT, then exits 0.
 * It logs JSON summaries to stdout only; the service it drives is the one that ships logs.
 */
import type { TrafficConfig } from './generator.js';

// Installed before the modules load, so a signal at any time ends in exit 0.
const controller = new AbortController();
let stopSignal: NodeJS.Signals | undefined;
const stop = (signal: NodeJS.Signals): void => {
  stopSignal = signal;
  controller.abort();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

const [{ pino }, { parseLogLevel }, { loadTrafficConfig, runTraffic, statsFields }] = await Promise.all([import('pino'), import('./config.js'), import('./generator.js')]);

let traffic: TrafficConfig;
let logLevel: string;
try {
  traffic = loadTrafficConfig(process.env);
  logLevel = parseLogLevel(process.env.LOG_LEVEL);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}

// Synchronous stdout: the last line is written before process.exit.
const logger = pino(
  { level: logLevel, base: { service: 'demo-traffic' }, formatters: { level: (label) => ({ level: label }) } },
  pino.destination({ dest: 1, sync: true }),
);
const stats = await runTraffic({ ...traffic, signal: controller.signal, logger });
logger.info({ signal: stopSignal, ...statsFields(stats) }, 'traffic generator stopped');
process.exit(0);
