#!/usr/bin/env node
/**
 * The `logsentinel` command: `serve` (the default) runs everything in one process with the
 * embedded store; `ingest`, `process`, `query`, `ruler` run one role of the cluster mode (Redis
 * Streams queue, PostgreSQL store), `all` runs every role in one process (cluster backends when
 * both URLs are set, embedded otherwise); `loadgen` sends synthetic logs to a running server.
 */
import { Command, Option } from 'commander';
import { loadConfig } from './config/load.js';
import { OPTIONS } from './config/schema.js';
import { envName } from './config/load.js';
import { backendsFor, start, type Role } from './modules.js';
import { VERSION } from './version.js';

const program = new Command();
program
  .name('logsentinel')
  .description('LogSentinel: collect logs (Loki push, OTLP/HTTP, Elasticsearch bulk, syslog, JSON lines), keep them in an embedded DuckDB store (or Redis + PostgreSQL in cluster roles), search them with LogQL over Loki\'s HTTP API and in the web UI at /.')
  .version(VERSION);

const optionsHelp = (): string =>
  '\nEvery configuration option (YAML path, environment variable, default):\n' +
  OPTIONS.map((o) => `  ${o.path.padEnd(38)} ${envName(o.path).padEnd(46)} ${JSON.stringify(o.default)}\n      ${o.doc}`).join('\n') +
  '\n\nPrecedence: flags > environment > --config file > defaults.';

const DESCRIPTIONS: Record<Role, string> = {
  serve: 'run ingest, storage, query, the ruler and the web UI in one process with the embedded DuckDB store (default)',
  all: 'every module in one process: the cluster backends (Redis queue, PostgreSQL) when queue.redis.url and storage.postgres.url are both set, else the same as serve',
  ingest: 'cluster role: push APIs (Loki, OTLP, Elasticsearch bulk, JSON lines) and the syslog listener when syslog.port is set, appending to the Redis Streams queue (needs queue.redis.url)',
  process: 'cluster role: consume the Redis queue and write to PostgreSQL, critical-log alerts, retention (needs queue.redis.url and storage.postgres.url)',
  query: 'cluster role: LogQL query APIs, live tail and the web UI over PostgreSQL (needs storage.postgres.url)',
  ruler: 'cluster role: alerting and recording rules over PostgreSQL, rules API (needs storage.postgres.url; with queue.redis.url several replicas share a lease, one evaluates)',
};

function serveCommand(name: string, role: Role, isDefault: boolean): void {
  program
    .command(name, { isDefault })
    .description(DESCRIPTIONS[role])
    .addOption(new Option('-p, --port <port>', 'HTTP port (env LOGSENTINEL_SERVER_PORT, default 3100)'))
    .addOption(new Option('--host <host>', 'listen address (env LOGSENTINEL_SERVER_HOST, default 0.0.0.0)'))
    .addOption(new Option('-d, --data-dir <dir>', 'data directory: the embedded store, rule files and alert state (env LOGSENTINEL_DATA_DIR, default ./data)'))
    .addOption(new Option('-c, --config <file>', 'YAML config file (env LOGSENTINEL_CONFIG)'))
    .addHelpText('after', optionsHelp)
    .action(async (o: { port?: string; host?: string; dataDir?: string; config?: string }) => {
      let cfg;
      try {
        cfg = loadConfig({
          configFile: o.config,
          flags: { 'server.port': o.port, 'server.host': o.host, dataDir: o.dataDir },
        });
        backendsFor(cfg, role);
      } catch (err) {
        console.error(`logsentinel: ${(err as Error).message}`);
        process.exit(2);
      }
      const running = await start(cfg, role).catch((err: unknown) => {
        console.error(`logsentinel: cannot start: ${(err as Error).message}`);
        process.exit(1);
      });
      let signals = 0;
      const shutdown = (sig: string): void => {
        if (++signals > 1) process.exit(1);
        running.ctx.logger.info({ signal: sig }, 'shutting down');
        void running.stop().then(() => process.exit(0));
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}

for (const role of ['serve', 'all', 'ingest', 'process', 'query', 'ruler'] as const) serveCommand(role, role, role === 'serve');

program
  .command('loadgen')
  .description('send realistic synthetic logs to a LogSentinel (or Loki) and report the achieved rate and latency')
  .option('--url <url>', 'base URL of the server', 'http://localhost:3100')
  .option('--rate <lines/s>', 'target lines per second', '10000')
  .option('--duration <seconds>', 'how long to send', '10')
  .option('--services <n>', 'number of distinct services', '5')
  .option('--batch <lines>', 'lines per request', '500')
  .option('--concurrency <n>', 'requests in flight at once', '4')
  .option('--tenant <id>', 'X-Scope-OrgID to send')
  .addOption(new Option('--protocol <protocol>', 'wire format').choices(['loki-json', 'loki-protobuf', 'jsonlines']).default('loki-json'))
  .action(async (o: Record<string, string>) => {
    const { runLoadgen } = await import('./loadgen/loadgen.js');
    const num = (k: string): number => {
      const n = Number(o[k]);
      if (!Number.isFinite(n) || n <= 0) {
        console.error(`logsentinel loadgen: --${k} must be a positive number, got ${JSON.stringify(o[k])}`);
        process.exit(2);
      }
      return n;
    };
    const summary = await runLoadgen({
      url: o.url,
      rate: num('rate'),
      duration: num('duration'),
      services: num('services'),
      batch: num('batch'),
      concurrency: num('concurrency'),
      protocol: o.protocol as 'loki-json' | 'loki-protobuf' | 'jsonlines',
      tenant: o.tenant,
      out: process.stdout,
    });
    process.exit(summary.errors > 0 && summary.accepted === 0 ? 1 : 0);
  });

await program.parseAsync(process.argv);
