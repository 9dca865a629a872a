/**
 * The demo API for the deploy tests: the real one from examples/demo-api (started in-process
 * through its `startService`, shipping its logs to LogSentinel with pino-loki as in Compose), or,
 * when that folder is absent, a stand-in that serves the four metric families of the contract
 * (DEMO_API_METRICS) and pushes JSON lines of the same shape.
 *
 * Either way it answers a few requests with known request ids, so panels filtered by
 * `request_id` can be checked.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEMO_API_LATENCY_BUCKETS } from '../../deploy/grafana/src/dashboards/demo-api.js';
import { ROOT } from '../e2e/harness.js';

export const DEMO_SRC = join(ROOT, 'examples/demo-api/src');

/** Request ids the demo answered: ten user lists, two server errors, one client error. */
export const USERS_IDS = Array.from({ length: 10 }, (_, i) => `dash-users-${i}`);
export const ERROR_IDS = ['dash-error-0', 'dash-error-1'];
export const CLIENT_ERROR_ID = 'dash-client-0';

export interface Demo {
  /** True: examples/demo-api itself; false: the stand-in. */
  real: boolean;
  /** Base URL; `/metrics` serves the Prometheus exposition. */
  url: string;
  /** Stops serving and makes sure every log line reached LogSentinel. */
  stop(): Promise<void>;
}

// What the deploy tests use of examples/demo-api (src/config.ts, logger.ts, service.ts).
type DemoConfig = object;
interface DemoModules {
  loadConfig(env: NodeJS.ProcessEnv): DemoConfig;
  createLogs(config: DemoConfig, opts: { stdout: { write(line: string): void } }): object;
  startService(config: DemoConfig, logs: object, deps: { random: () => number; sleep: (ms: number) => Promise<void> }): Promise<{ url: string; stop(reason: string): Promise<void> }>;
}

export function realDemoAvailable(): boolean {
  return ['config.ts', 'logger.ts', 'service.ts'].every((f) => existsSync(join(DEMO_SRC, f)));
}

async function importDemo(): Promise<DemoModules> {
  const load = async (f: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(join(DEMO_SRC, f)).href)) as Record<string, unknown>;
  const [config, logger, service] = await Promise.all([load('config.ts'), load('logger.ts'), load('service.ts')]);
  return { loadConfig: config.loadConfig, createLogs: logger.createLogs, startService: service.startService } as DemoModules;
}

async function drive(url: string): Promise<void> {
  const get = async (path: string, id: string): Promise<void> => {
    const r = await fetch(url + path, { headers: { 'X-Request-Id': id } });
    await r.text();
  };
  for (const id of USERS_IDS) await get('/api/users', id);
  for (const id of ERROR_IDS) await get('/api/error?type=server', id);
  await get('/api/error?type=client', CLIENT_ERROR_ID);
}

async function startReal(logsentinelUrl: string): Promise<Demo> {
  const m = await importDemo();
  const config = m.loadConfig({ PORT: '0', HOST: '127.0.0.1', LOGSENTINEL_URL: logsentinelUrl, LOG_LEVEL: 'info', SERVICE_NAME: 'demo-api' });
  const logs = m.createLogs(config, { stdout: { write: () => undefined } });
  // 0.5: every simulated users query succeeds; no simulated latency.
  const service = await m.startService(config, logs, { random: () => 0.5, sleep: async () => undefined });
  await drive(service.url);
  return { real: true, url: service.url, stop: () => service.stop('test done') };
}

async function startStandIn(logsentinelUrl: string): Promise<Demo> {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'app_request_count', help: 'requests', labelNames: ['endpoint', 'method', 'http_status'], registers });
  const latency = new Histogram({ name: 'app_request_latency_seconds', help: 'latency', labelNames: ['endpoint', 'method'], buckets: [...DEMO_API_LATENCY_BUCKETS], registers });
  const errors = new Counter({ name: 'app_error_count', help: 'errors', labelNames: ['error_type', 'endpoint'], registers });
  new Gauge({ name: 'app_active_requests', help: 'in flight', registers });
  const server: Server = createServer((req, res) => {
    void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('BUG: stand-in demo listens on no TCP port');
  const now = BigInt(Date.now()) * 1_000_000n;
  const lines: Array<{ level: string; line: Record<string, unknown> }> = [];
  for (const id of USERS_IDS) {
    requests.inc({ endpoint: '/api/users', method: 'GET', http_status: '200' });
    latency.observe({ endpoint: '/api/users', method: 'GET' }, 0.02);
    lines.push({ level: 'info', line: { level: 'info', request_id: id, msg: 'request completed', endpoint: '/api/users', status: 200 } });
  }
  for (const id of ERROR_IDS) {
    requests.inc({ endpoint: '/api/error', method: 'GET', http_status: '500' });
    errors.inc({ error_type: 'server_error', endpoint: '/api/error' });
    lines.push({ level: 'error', line: { level: 'error', request_id: id, msg: 'cannot serve request: simulated server error', error_type: 'server_error', status: 500 } });
  }
  requests.inc({ endpoint: '/api/error', method: 'GET', http_status: '400' });
  errors.inc({ error_type: 'client_error', endpoint: '/api/error' });
  lines.push({ level: 'warning', line: { level: 'warn', request_id: CLIENT_ERROR_ID, msg: 'cannot serve request: simulated client error', error_type: 'client_error', status: 400 } });
  // One stream per level, as pino-loki sends them.
  const streams = new Map<string, Array<[string, string]>>();
  lines.forEach((l, i) => {
    const values = streams.get(l.level) ?? [];
    values.push([String(now - BigInt(lines.length - i) * 1_000_000n), JSON.stringify(l.line)]);
    streams.set(l.level, values);
  });
  const body = { streams: [...streams].map(([level, values]) => ({ stream: { service: 'demo-api', level }, values })) };
  const r = await fetch(logsentinelUrl + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 204) throw new Error(`cannot push stand-in demo lines: HTTP ${r.status}: ${await r.text()}`);
  return { real: false, url: `http://127.0.0.1:${addr.port}`, stop: () => new Promise<void>((res) => server.close(() => res())) };
}

/** Starts the real demo when examples/demo-api is there, else the stand-in. */
export async function startDemo(logsentinelUrl: string): Promise<Demo> {
  return realDemoAvailable() ? startReal(logsentinelUrl) : startStandIn(logsentinelUrl);
}
