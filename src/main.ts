#!/usr/bin/env node
/**
 * The `logsentinel` command: `serve` (the default) runs everything in one process with the
 * embedded store; `ingest`, `process`, `query`, `ruler` run one role of the cluster mode (Redis
 * Streams queue, PostgreSQL store), `all` runs every role in one process (cluster backends when
 * both URLs are set, embedded otherwise); `loadgen` sends synthetic logs to a running server;
 * `token` and `user` manage API tokens and users through the admin API.
 */
import { Command, Option } from 'commander';
import { hostname } from 'node:os';
import { loadConfig } from './config/load.js';
import { OPTIONS } from './config/schema.js';
import { envName } from './config/load.js';
import { backendsFor, start, type Role, type Running } from './modules.js';
import { VERSION } from './version.js';
import { registerAuthCommands } from './cli/auth-commands.js';

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

/**
 * Graceful stop: no new connections or requests (503 while closing), requests in flight finish,
 * the queue commits what was acknowledged, the store closes; exit 0. Past `timeoutMs`, exit 1:
 * what was acknowledged is durable already, only the clean close is lost.
 */
function stopAndExit(running: Running, signal: string, timeoutMs: number): void {
  const log = running.ctx.logger;
  log.info({ signal, timeoutMs }, 'shutting down');
  const timer = setTimeout(() => {
    log.error({ timeoutMs }, 'shutdown did not finish within server.shutdownTimeout; exiting');
    process.exit(1);
  }, timeoutMs);
  timer.unref();
  running.stop().then(
    () => {
      log.info('stopped');
      process.exit(0);
    },
    (err: unknown) => {
      log.error({ err }, 'cannot stop cleanly');
      process.exit(1);
    },
  );
}

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
      // Handlers go in before the store opens: as PID 1 of a container, a signal without a handler
      // is ignored, and `docker stop` would wait for its SIGKILL.
      const state: { running?: Running; requested?: string } = {};
      const shutdown = (sig: string): void => {
        if (state.requested !== undefined) {
          console.error(`logsentinel: ${sig} again while stopping: exiting now`);
          process.exit(1);
        }
        state.requested = sig;
        if (state.running) stopAndExit(state.running, sig, cfg.server.shutdownTimeoutMs);
        // Still starting (nothing acknowledged yet): stop once started, or give up after the timeout.
        else setTimeout(() => process.exit(1), cfg.server.shutdownTimeoutMs).unref();
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      state.running = await start(cfg, role).catch((err: unknown) => {
        console.error(`logsentinel: cannot start: ${(err as Error).message}`);
        process.exit(1);
      });
      if (state.requested !== undefined) stopAndExit(state.running, state.requested, cfg.server.shutdownTimeoutMs);
    });
}

for (const role of ['serve', 'all', 'ingest', 'process', 'query', 'ruler'] as const) serveCommand(role, role, role === 'serve');

const collect = (v: string, prev: string[]): string[] => [...prev, v];

program
  .command('loadgen')
  .description('send realistic synthetic logs to a LogSentinel (or Loki) and report the achieved rate and latency; SIGTERM or Ctrl-C stops it with the summary')
  .option('--url <url>', 'base URL of the server', 'http://localhost:3100')
  .option('--rate <lines/s>', 'target lines per second', '10000')
  .option('--duration <seconds>', 'how long to send (0 = until stopped)', '10')
  .option('--count <lines>', 'send exactly this many lines (instead of rate x duration)')
  .option('--services <n>', 'number of distinct services', '5')
  .option('--service <name>', 'one service label for every line instead of several services')
  .option('--label <name=value>', 'extra stream label on every line, repeatable; {hostname} in the value is replaced by the host name (one stream set per agent)', collect, [])
  .option('--batch <lines>', 'lines per request', '500')
  .option('--concurrency <n>', 'requests in flight at once', '4')
  .option('--seed <n>', 'corpus seed', '1')
  .option('--tenant <id>', 'X-Scope-OrgID to send')
  .option('--token <token>', 'API token with scope logs:write, sent as a bearer token (else env LOGSENTINEL_TOKEN)')
  .addOption(new Option('--protocol <protocol>', 'wire format').choices(['loki-json', 'loki-protobuf', 'jsonlines']).default('loki-json'))
  .action(async (o: Record<string, string> & { label: string[] }) => {
    const { runLoadgen } = await import('./loadgen/loadgen.js');
    const fail = (msg: string): never => {
      console.error(`logsentinel loadgen: ${msg}`);
      process.exit(2);
    };
    const num = (k: string, min = 1): number => {
      const n = Number(o[k]);
      if (!Number.isFinite(n) || n < min) fail(`--${k} must be a number of at least ${min}, got ${JSON.stringify(o[k])}`);
      return n;
    };
    const labels: Record<string, string> = {};
    for (const l of o.label) {
      const eq = l.indexOf('=');
      if (eq <= 0 || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l.slice(0, eq))) fail(`--label must be name=value with a valid label name, got ${JSON.stringify(l)}`);
      labels[l.slice(0, eq)] = l.slice(eq + 1).replaceAll('{hostname}', hostname());
    }
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const summary = await runLoadgen({
      url: o.url,
      rate: num('rate'),
      duration: num('duration', 0),
      count: o.count === undefined ? undefined : num('count'),
      services: num('services'),
      service: o.service,
      labels,
      batch: num('batch'),
      concurrency: num('concurrency'),
      seed: num('seed', 0),
      protocol: o.protocol as 'loki-json' | 'loki-protobuf' | 'jsonlines',
      tenant: o.tenant,
      token: o.token ?? process.env.LOGSENTINEL_TOKEN,
      signal: stop.signal,
      out: process.stdout,
    });
    process.exit(summary.errors > 0 && summary.accepted === 0 ? 1 : 0);
  });

// `logsentinel token ...` and `logsentinel user ...`: the admin API (docs/security.md).
registerAuthCommands(program);

await program.parseAsync(process.argv);
