/**
 * The demo API's configuration, read from the environment only (it runs in containers).
 * `loadConfig` is pure: it takes the environment as an argument so tests need not touch
 * `process.env`, and it throws `cannot load config: ...` on the first invalid variable.
 */

/** pino's level names, plus `silent` to switch logging off. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** How the log push authenticates; the secret never leaves this object except in the push header. */
export type PushAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

export interface Config {
  port: number;
  host: string;
  serviceName: string;
  logLevel: LogLevelName;
  /** Base URL of LogSentinel (Loki API); `undefined` when log shipping is switched off. */
  logsentinelUrl: string | undefined;
  auth: PushAuth;
  /** pino-loki sends its buffer this often; the rest is sent on shutdown. */
  batchIntervalSeconds: number;
}

export const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  serviceName: 'demo-api',
  logLevel: 'info',
  logsentinelUrl: 'http://localhost:3100',
  // Short enough that a log line shows up in LogSentinel while the demo watcher still remembers
  // the request; one push a second is nothing for the server.
  batchIntervalSeconds: 1,
} as const;

// Label values go into every stream key; keep them to the Prometheus label charset so the
// same name works as a Loki label value and in dashboards.
const SERVICE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  return {
    port: parsePort(env.PORT),
    host: env.HOST || DEFAULTS.host,
    serviceName: parseServiceName(env.SERVICE_NAME),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    logsentinelUrl: parseLogsentinelUrl(env.LOGSENTINEL_URL),
    auth: parseAuth(env),
    batchIntervalSeconds: parseBatchInterval(env.LOGSENTINEL_BATCH_SECONDS),
  };
}

/** Says how logs are shipped without revealing a secret, for the startup log line. */
export function describeShipping(c: Pick<Config, 'logsentinelUrl' | 'auth'>): { logsentinel_url: string | null; auth: PushAuth['kind'] } {
  return { logsentinel_url: c.logsentinelUrl ?? null, auth: c.auth.kind };
}

function parsePort(v: string | undefined): number {
  if (v === undefined || v === '') return DEFAULTS.port;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new Error(`cannot load config: PORT must be an integer from 0 to 65535, got ${JSON.stringify(v)}`);
  return n;
}

function parseServiceName(v: string | undefined): string {
  if (v === undefined || v === '') return DEFAULTS.serviceName;
  if (!SERVICE_NAME_RE.test(v)) {
    throw new Error(`cannot load config: SERVICE_NAME must be 1-63 letters, digits, '_', '.' or '-', got ${JSON.stringify(v)}`);
  }
  return v;
}

/** LOG_LEVEL's value; shared with the traffic generator. */
export function parseLogLevel(v: string | undefined): LogLevelName {
  if (v === undefined || v === '') return DEFAULTS.logLevel;
  const lower = v.toLowerCase();
  const found = LOG_LEVELS.find((l) => l === lower);
  if (found === undefined) throw new Error(`cannot load config: LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(v)}`);
  return found;
}

// Unset means the default; set but empty is the documented way to switch shipping off.
function parseLogsentinelUrl(value: string | undefined): string | undefined {
  const v = value ?? DEFAULTS.logsentinelUrl;
  if (v.trim() === '') return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`cannot load config: LOGSENTINEL_URL is not a URL: ${JSON.stringify(v)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`cannot load config: LOGSENTINEL_URL must be http or https, got ${JSON.stringify(u.protocol)}`);
  }
  // fetch refuses URLs with credentials, and the URL is logged at startup: credentials belong in
  // LOGSENTINEL_USERNAME / LOGSENTINEL_PASSWORD. The value is not echoed because it holds one.
  if (u.username !== '' || u.password !== '') {
    throw new Error('cannot load config: LOGSENTINEL_URL must not contain credentials; set LOGSENTINEL_USERNAME and LOGSENTINEL_PASSWORD');
  }
  // pino-loki resolves its push path relative to this URL; without the trailing slash a path
  // prefix (a reverse proxy's /logsentinel/) would be dropped.
  return u.href.endsWith('/') ? u.href : u.href + '/';
}

function parseAuth(env: NodeJS.ProcessEnv): PushAuth {
  const username = env.LOGSENTINEL_USERNAME ?? '';
  const password = env.LOGSENTINEL_PASSWORD ?? '';
  const token = env.LOGSENTINEL_TOKEN ?? '';
  if (token !== '' && (username !== '' || password !== '')) {
    throw new Error('cannot load config: set either LOGSENTINEL_TOKEN or LOGSENTINEL_USERNAME and LOGSENTINEL_PASSWORD, not both');
  }
  if (token !== '') return { kind: 'bearer', token };
  if (username !== '' && password !== '') return { kind: 'basic', username, password };
  if (username !== '' || password !== '') {
    throw new Error('cannot load config: LOGSENTINEL_USERNAME and LOGSENTINEL_PASSWORD must be set together');
  }
  return { kind: 'none' };
}

function parseBatchInterval(v: string | undefined): number {
  if (v === undefined || v === '') return DEFAULTS.batchIntervalSeconds;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) {
    throw new Error(`cannot load config: LOGSENTINEL_BATCH_SECONDS must be a number of seconds above 0 and at most 3600, got ${JSON.stringify(v)}`);
  }
  return n;
}
