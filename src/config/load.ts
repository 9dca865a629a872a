/**
 * Loads the configuration: defaults, then the YAML file (`--config`), then `LOGSENTINEL_*`
 * environment variables, then command-line flags — each later source wins.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { OPTIONS, type OptionSpec } from './schema.js';
import { registerSecretValue, scrubSecrets, scrubValue } from './redact.js';
import { parseBytes } from '../logql/bytes.js';
import { parseDuration } from '../logql/duration.js';
import { isLevel, LEVELS } from '../model/level.js';
import { join } from 'node:path';

export interface Config {
  server: {
    host: string;
    port: number;
    maxRequestBytes: number;
    logLevel: string;
    shutdownTimeoutMs: number;
    tls: { certFile: string; keyFile: string; reloadIntervalMs: number; hstsMaxAgeMs: number };
    cors: { allowedOrigins: string[] };
    maxConnections: number;
    maxConnectionsPerClient: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    minBodyRate: number;
    maxBodyMemory: number;
  };
  dataDir: string;
  auth: { enabled: boolean; openMetrics: boolean; adminPassword: string; adminToken: string };
  storage: {
    minFreeBytes: number;
    duckdb: { memoryLimit: string; threads: number; checkpointIntervalMs: number; checkpointWalBytes: number };
    postgres: { url: string; schema: string; timescaledb: 'auto' | 'on' | 'off'; chunkIntervalMs: number; compressAfterMs: number };
  };
  queue: { redis: { url: string; prefix: string; partitions: number; maxBacklog: number; claimIdleMs: number; readCount: number; blockMs: number; consumerName: string } };
  ingest: {
    maxBatchEntries: number;
    maxBatchDelayMs: number;
    maxQueuedEntries: number;
    maxPushWaitMs: number;
    decodeWorkers: number;
    decodeInlineMax: number;
    dedupWindowEntries: number;
    otlp: { resourceLabels: string[]; maxRecordsPerRequest: number; maxAttributes: number; maxDepth: number };
    elasticsearch: { timestampField: string; messageField: string; indexLabel: string; version: string; maxItems: number; maxDepth: number; maxFields: number };
  };
  syslog: {
    port: number;
    host: string;
    tlsPort: number;
    tlsCertFile: string;
    tlsKeyFile: string;
    tlsClientCaFile: string;
    tlsRequireClientCert: boolean;
    tlsClientTenants: string[];
    tenant: string;
    maxMessageBytes: number;
    maxConnections: number;
    idleTimeoutMs: number;
  };
  limits: {
    maxLineSize: number;
    maxLineSizeTruncate: boolean;
    maxLabelNamesPerSeries: number;
    maxLabelNameLength: number;
    maxLabelValueLength: number;
    creationGracePeriodMs: number;
    rejectOlderThanMs: number;
    maxStructuredMetadataEntries: number;
    maxStructuredMetadataSize: number;
    ingestionRateMb: number;
    ingestionBurstSizeMb: number;
    maxGlobalStreamsPerUser: number;
    streamIdleTimeoutMs: number;
    maxQueryParallelism: number;
    overridesFile: string;
    overridesPeriodMs: number;
  };
  query: {
    maxEntriesLimit: number;
    defaultLimit: number;
    maxQueryLengthMs: number;
    timeoutMs: number;
    maxConcurrent: number;
    maxOutstandingPerTenant: number;
    maxQueued: number;
    maxMemory: number;
    maxTotalMemory: number;
    maxTemplateOutput: number;
    cpuSliceMs: number;
    cpuShare: number;
    alignQueriesWithStep: boolean;
    cache: { enabled: boolean; ttlMs: number; maxFreshnessMs: number };
  };
  retention: { periodMs: number; intervalMs: number };
  ruler: { enabled: boolean; rulesDir: string; evaluationIntervalMs: number; queryTimeoutMs: number; leaseTtlMs: number };
  alerting: {
    alertmanagerUrls: string[];
    slackWebhookUrl: string;
    webhookUrls: string[];
    externalUrl: string;
    resendDelayMs: number;
    timeoutMs: number;
    minBackoffMs: number;
    maxBackoffMs: number;
    maxAttempts: number;
    queueCapacity: number;
    critical: { enabled: boolean; levels: string[]; windowMs: number; groupBy: string[] };
  };
  /** The pattern miner and its new-pattern alert (src/patterns, docs/patterns.md). */
  patterns: {
    enabled: boolean;
    maxClustersPerStream: number;
    maxClustersPerTenant: number;
    similarity: number;
    maxTokens: number;
    bucketMs: number;
    retentionMs: number;
    maxQueuedLines: number;
    maxCpuShare: number;
    alert: { enabled: boolean; minLevel: string; learnForMs: number; resolveAfterMs: number };
  };
  /** Saved queries shared per tenant (src/saved-queries, docs/ui.md). */
  savedQueries: { maxPerTenant: number };
}

type Value = string | number | boolean | string[];

export function envName(path: string): string {
  return 'LOGSENTINEL_' + path.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** `LOGSENTINEL_X_FILE`: the environment variable naming a file that holds option X (Kubernetes Secrets). */
export function fileEnvName(path: string): string {
  return envName(path) + '_FILE';
}

function convert(spec: OptionSpec, raw: unknown, source: string): Value {
  const fail = (why: string): never => {
    throw new Error(`cannot load option ${spec.path} from ${source}: ${why} (got ${spec.secret ? 'a value that is not shown: it is secret' : JSON.stringify(raw)})`);
  };
  switch (spec.type) {
    case 'string':
      if (typeof raw === 'string' || typeof raw === 'number') return String(raw);
      return fail('expected a string');
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) fail('expected an integer');
      return n;
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) fail('expected a number');
      return n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|false|1|0|yes|no)$/i.test(raw)) return /^(true|1|yes)$/i.test(raw);
      return fail('expected true or false');
    case 'duration': {
      const s = typeof raw === 'number' ? `${raw}s` : String(raw);
      try {
        return Math.round(parseDuration(s));
      } catch (err) {
        return fail((err as Error).message);
      }
    }
    case 'bytes':
      try {
        return typeof raw === 'number' ? raw : parseBytes(String(raw));
      } catch (err) {
        return fail((err as Error).message);
      }
    case 'list':
      if (Array.isArray(raw)) return raw.map(String);
      if (typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter(Boolean);
      return fail('expected a list');
  }
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Every option path the YAML may contain, to reject typos instead of ignoring them. */
function checkUnknown(obj: unknown, prefix: string, file: string): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (OPTIONS.some((o) => o.path === p)) continue;
    if (OPTIONS.some((o) => o.path.startsWith(p + '.'))) {
      checkUnknown(v, p, file);
      continue;
    }
    throw new Error(`cannot load config file ${file}: unknown option ${p}`);
  }
}

export interface LoadOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, keyed by option path. */
  flags?: Record<string, unknown>;
}

/**
 * The value of option `spec` from the environment: `LOGSENTINEL_X`, or the content of the file
 * named by `LOGSENTINEL_X_FILE` (one trailing newline removed), as Kubernetes mounts Secrets.
 * Both at once is an error: which one wins would be a guess.
 */
function fromEnv(spec: OptionSpec, env: NodeJS.ProcessEnv): { value: string; source: string } | undefined {
  const name = envName(spec.path);
  const fileName = fileEnvName(spec.path);
  const direct = env[name];
  const file = env[fileName];
  if (file !== undefined && file !== '') {
    if (direct !== undefined && direct !== '') throw new Error(`cannot load option ${spec.path}: both ${name} and ${fileName} are set; set one`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot load option ${spec.path}: cannot read ${fileName} ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    return { value: text.replace(/\r?\n$/, ''), source: `${fileName} (${file})` };
  }
  if (direct !== undefined && direct !== '') return { value: direct, source: name };
  return undefined;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const configFile = opts.configFile ?? env.LOGSENTINEL_CONFIG;
  let file: unknown = {};
  if (configFile) {
    let text: string;
    try {
      text = readFileSync(configFile, 'utf8');
    } catch (err) {
      throw new Error(`cannot read config file ${configFile}: ${(err as Error).message}`, { cause: err });
    }
    try {
      file = parseYaml(text) ?? {};
    } catch (err) {
      // The parser quotes the lines around the error, which may hold a password.
      // eslint-disable-next-line preserve-caught-error -- the original error quotes a secret; its scrubbed copy is the cause
      throw new Error(`cannot parse config file ${configFile}: ${scrubSecrets((err as Error).message)}`, { cause: scrubValue(err) });
    }
    checkUnknown(file, '', configFile);
  }
  const flat: Record<string, Value> = {};
  for (const spec of OPTIONS) {
    let v = convert(spec, spec.default, 'defaults');
    const fromFile = getPath(file, spec.path);
    if (fromFile !== undefined && fromFile !== null) v = convert(spec, fromFile, configFile ?? 'config file');
    const e = fromEnv(spec, env);
    if (e !== undefined) v = convert(spec, e.value, e.source);
    const f = opts.flags?.[spec.path];
    if (f !== undefined) v = convert(spec, f, spec.flag ?? spec.path);
    flat[spec.path] = v;
    if (spec.secret) for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') registerSecretValue(x);
  }
  const n = (p: string): number => flat[p] as number;
  const s = (p: string): string => flat[p] as string;
  const b = (p: string): boolean => flat[p] as boolean;
  const l = (p: string): string[] => flat[p] as string[];
  const cfg: Config = {
    server: {
      host: s('server.host'),
      port: n('server.port'),
      maxRequestBytes: n('server.maxRequestBytes'),
      logLevel: s('server.logLevel'),
      shutdownTimeoutMs: n('server.shutdownTimeout'),
      tls: { certFile: s('server.tls.certFile'), keyFile: s('server.tls.keyFile'), reloadIntervalMs: n('server.tls.reloadInterval'), hstsMaxAgeMs: n('server.tls.hstsMaxAge') },
      cors: { allowedOrigins: l('server.cors.allowedOrigins') },
      maxConnections: n('server.maxConnections'),
      maxConnectionsPerClient: n('server.maxConnectionsPerClient'),
      headersTimeoutMs: n('server.headersTimeout'),
      requestTimeoutMs: n('server.requestTimeout'),
      keepAliveTimeoutMs: n('server.keepAliveTimeout'),
      minBodyRate: n('server.minBodyRate'),
      maxBodyMemory: n('server.maxBodyMemory'),
    },
    dataDir: s('dataDir'),
    auth: { enabled: b('auth.enabled'), openMetrics: b('auth.openMetrics'), adminPassword: s('auth.adminPassword'), adminToken: s('auth.adminToken') },
    storage: {
      minFreeBytes: n('storage.minFreeBytes'),
      duckdb: {
        memoryLimit: s('storage.duckdb.memoryLimit'),
        threads: n('storage.duckdb.threads'),
        checkpointIntervalMs: n('storage.duckdb.checkpointInterval'),
        checkpointWalBytes: n('storage.duckdb.checkpointWalBytes'),
      },
      postgres: {
        url: s('storage.postgres.url'),
        schema: s('storage.postgres.schema'),
        timescaledb: s('storage.postgres.timescaledb') as 'auto' | 'on' | 'off',
        chunkIntervalMs: n('storage.postgres.chunkInterval'),
        compressAfterMs: n('storage.postgres.compressAfter'),
      },
    },
    queue: {
      redis: {
        url: s('queue.redis.url'),
        prefix: s('queue.redis.prefix'),
        partitions: n('queue.redis.partitions'),
        maxBacklog: n('queue.redis.maxBacklog'),
        claimIdleMs: n('queue.redis.claimIdle'),
        readCount: n('queue.redis.readCount'),
        blockMs: n('queue.redis.block'),
        consumerName: s('queue.redis.consumerName'),
      },
    },
    ingest: {
      maxBatchEntries: n('ingest.maxBatchEntries'),
      maxBatchDelayMs: n('ingest.maxBatchDelay'),
      maxQueuedEntries: n('ingest.maxQueuedEntries'),
      maxPushWaitMs: n('ingest.maxPushWait'),
      decodeWorkers: n('ingest.decodeWorkers'),
      decodeInlineMax: n('ingest.decodeInlineMax'),
      dedupWindowEntries: n('ingest.dedupWindowEntries'),
      otlp: {
        resourceLabels: l('ingest.otlp.resourceLabels'),
        maxRecordsPerRequest: n('ingest.otlp.maxRecordsPerRequest'),
        maxAttributes: n('ingest.otlp.maxAttributes'),
        maxDepth: n('ingest.otlp.maxDepth'),
      },
      elasticsearch: {
        timestampField: s('ingest.elasticsearch.timestampField'),
        messageField: s('ingest.elasticsearch.messageField'),
        indexLabel: s('ingest.elasticsearch.indexLabel'),
        version: s('ingest.elasticsearch.version'),
        maxItems: n('ingest.elasticsearch.maxItems'),
        maxDepth: n('ingest.elasticsearch.maxDepth'),
        maxFields: n('ingest.elasticsearch.maxFields'),
      },
    },
    syslog: {
      port: n('syslog.port'),
      host: s('syslog.host'),
      tlsPort: n('syslog.tlsPort'),
      tlsCertFile: s('syslog.tlsCertFile'),
      tlsKeyFile: s('syslog.tlsKeyFile'),
      tlsClientCaFile: s('syslog.tlsClientCaFile'),
      tlsRequireClientCert: b('syslog.tlsRequireClientCert'),
      tlsClientTenants: l('syslog.tlsClientTenants'),
      tenant: s('syslog.tenant'),
      maxMessageBytes: n('syslog.maxMessageBytes'),
      maxConnections: n('syslog.maxConnections'),
      idleTimeoutMs: n('syslog.idleTimeout'),
    },
    limits: {
      maxLineSize: n('limits.maxLineSize'),
      maxLineSizeTruncate: b('limits.maxLineSizeTruncate'),
      maxLabelNamesPerSeries: n('limits.maxLabelNamesPerSeries'),
      maxLabelNameLength: n('limits.maxLabelNameLength'),
      maxLabelValueLength: n('limits.maxLabelValueLength'),
      creationGracePeriodMs: n('limits.creationGracePeriod'),
      rejectOlderThanMs: n('limits.rejectOlderThan'),
      maxStructuredMetadataEntries: n('limits.maxStructuredMetadataEntries'),
      maxStructuredMetadataSize: n('limits.maxStructuredMetadataSize'),
      ingestionRateMb: n('limits.ingestionRateMb'),
      ingestionBurstSizeMb: n('limits.ingestionBurstSizeMb'),
      maxGlobalStreamsPerUser: n('limits.maxGlobalStreamsPerUser'),
      streamIdleTimeoutMs: n('limits.streamIdleTimeout'),
      maxQueryParallelism: n('limits.maxQueryParallelism'),
      overridesFile: s('limits.overridesFile'),
      overridesPeriodMs: n('limits.overridesPeriod'),
    },
    query: {
      maxEntriesLimit: n('query.maxEntriesLimit'),
      defaultLimit: n('query.defaultLimit'),
      maxQueryLengthMs: n('query.maxQueryLength'),
      timeoutMs: n('query.timeout'),
      maxConcurrent: n('query.maxConcurrent'),
      maxOutstandingPerTenant: n('query.maxOutstandingPerTenant'),
      maxQueued: n('query.maxQueued'),
      maxMemory: n('query.maxMemory'),
      maxTotalMemory: n('query.maxTotalMemory'),
      maxTemplateOutput: n('query.maxTemplateOutput'),
      cpuSliceMs: n('query.cpuSlice'),
      cpuShare: n('query.cpuSharePercent') / 100,
      alignQueriesWithStep: b('query.alignQueriesWithStep'),
      cache: { enabled: b('query.cache.enabled'), ttlMs: n('query.cache.ttl'), maxFreshnessMs: n('query.cache.maxFreshness') },
    },
    retention: { periodMs: n('retention.period'), intervalMs: n('retention.interval') },
    ruler: {
      enabled: b('ruler.enabled'),
      rulesDir: s('ruler.rulesDir') || join(s('dataDir'), 'rules'),
      evaluationIntervalMs: n('ruler.evaluationInterval'),
      queryTimeoutMs: n('ruler.queryTimeout'),
      leaseTtlMs: n('ruler.leaseTtl'),
    },
    alerting: {
      alertmanagerUrls: l('alerting.alertmanagerUrls'),
      slackWebhookUrl: s('alerting.slackWebhookUrl'),
      webhookUrls: l('alerting.webhookUrls'),
      externalUrl: s('alerting.externalUrl').replace(/\/+$/, ''),
      resendDelayMs: n('alerting.resendDelay'),
      timeoutMs: n('alerting.timeout'),
      minBackoffMs: n('alerting.minBackoff'),
      maxBackoffMs: n('alerting.maxBackoff'),
      maxAttempts: n('alerting.maxAttempts'),
      queueCapacity: n('alerting.queueCapacity'),
      critical: {
        enabled: b('alerting.critical.enabled'),
        levels: l('alerting.critical.levels'),
        windowMs: n('alerting.critical.window'),
        groupBy: l('alerting.critical.groupBy'),
      },
    },
    savedQueries: { maxPerTenant: n('savedQueries.maxPerTenant') },
    patterns: {
      enabled: b('patterns.enabled'),
      maxClustersPerStream: n('patterns.maxClustersPerStream'),
      maxClustersPerTenant: n('patterns.maxClustersPerTenant'),
      similarity: n('patterns.similarity'),
      maxTokens: n('patterns.maxTokens'),
      bucketMs: n('patterns.bucket'),
      retentionMs: n('patterns.retention'),
      maxQueuedLines: n('patterns.maxQueuedLines'),
      maxCpuShare: n('patterns.maxCpuShare'),
      alert: {
        enabled: b('patterns.alert.enabled'),
        minLevel: s('patterns.alert.minLevel'),
        learnForMs: n('patterns.alert.learnFor'),
        resolveAfterMs: n('patterns.alert.resolveAfter'),
      },
    },
  };
  if (cfg.savedQueries.maxPerTenant < 1) throw new Error(`cannot load option savedQueries.maxPerTenant: ${cfg.savedQueries.maxPerTenant} is below 1`);
  const pc = cfg.patterns;
  if (!isLevel(pc.alert.minLevel)) throw new Error(`cannot load option patterns.alert.minLevel: unknown level ${JSON.stringify(pc.alert.minLevel)} (one of ${LEVELS.join(', ')})`);
  if (!(pc.maxCpuShare >= 0 && pc.maxCpuShare <= 1)) throw new Error(`cannot load option patterns.maxCpuShare: ${pc.maxCpuShare} is not in [0, 1]`);
  if (!(pc.similarity > 0 && pc.similarity <= 1)) throw new Error(`cannot load option patterns.similarity: ${pc.similarity} is not in (0, 1]`);
  if (pc.maxClustersPerStream < 1 || pc.maxClustersPerTenant < 1 || pc.maxTokens < 2 || pc.maxQueuedLines < 1) throw new Error('cannot load options patterns.maxClustersPerStream, patterns.maxClustersPerTenant, patterns.maxQueuedLines and patterns.maxTokens: must be at least 1 (maxTokens at least 2)');
  if (pc.bucketMs < 1000 || pc.retentionMs < pc.bucketMs) throw new Error('cannot load options patterns.bucket and patterns.retention: the bucket must be at least 1s and the retention at least one bucket');
  for (const lv of cfg.alerting.critical.levels) {
    if (!isLevel(lv)) throw new Error(`cannot load option alerting.critical.levels: unknown level ${JSON.stringify(lv)} (one of ${LEVELS.join(', ')})`);
  }
  if (cfg.ruler.evaluationIntervalMs <= 0) throw new Error('cannot load option ruler.evaluationInterval: must be greater than 0');
  if (cfg.alerting.critical.windowMs <= 0) throw new Error('cannot load option alerting.critical.window: must be greater than 0');
  if (cfg.alerting.maxAttempts < 1 || cfg.alerting.queueCapacity < 1) throw new Error('cannot load options alerting.maxAttempts and alerting.queueCapacity: must be at least 1');
  if (cfg.query.cache.ttlMs <= 0) throw new Error('cannot load option query.cache.ttl: must be greater than 0');
  if (cfg.query.cache.maxFreshnessMs < 0) throw new Error('cannot load option query.cache.maxFreshness: must not be negative');
  if (cfg.ruler.leaseTtlMs < 300) throw new Error(`cannot load option ruler.leaseTtl: ${cfg.ruler.leaseTtlMs}ms is shorter than 300ms`);
  const r = cfg.queue.redis;
  if (r.partitions < 1 || r.partitions > 1024) throw new Error(`cannot load option queue.redis.partitions: ${r.partitions} is not between 1 and 1024`);
  if (r.maxBacklog < 1 || r.readCount < 1) throw new Error('cannot load options queue.redis.maxBacklog and queue.redis.readCount: must be at least 1');
  if (r.claimIdleMs <= 0 || r.blockMs <= 0) throw new Error('cannot load options queue.redis.claimIdle and queue.redis.block: must be greater than 0');
  if (!/^[A-Za-z0-9_.:-]+$/.test(r.prefix)) throw new Error(`cannot load option queue.redis.prefix: ${JSON.stringify(r.prefix)} must be letters, digits and _ . : -`);
  if (r.consumerName !== '' && !/^[A-Za-z0-9_.:-]{1,200}$/.test(r.consumerName)) throw new Error(`cannot load option queue.redis.consumerName: ${JSON.stringify(r.consumerName)} must be 1 to 200 letters, digits and _ . : -`);
  if (!['auto', 'on', 'off'].includes(cfg.storage.postgres.timescaledb)) throw new Error(`cannot load option storage.postgres.timescaledb: ${JSON.stringify(cfg.storage.postgres.timescaledb)} is not one of auto, on, off`);
  if (cfg.storage.postgres.chunkIntervalMs < 60_000) throw new Error(`cannot load option storage.postgres.chunkInterval: ${cfg.storage.postgres.chunkIntervalMs}ms is shorter than one minute`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cfg.storage.postgres.schema)) throw new Error(`cannot load option storage.postgres.schema: ${JSON.stringify(cfg.storage.postgres.schema)} is not a plain SQL identifier`);
  const tls = cfg.server.tls;
  if ((tls.certFile === '') !== (tls.keyFile === '')) throw new Error(`cannot load options server.tls.certFile and server.tls.keyFile: set both for HTTPS, or neither (${tls.certFile === '' ? 'certFile' : 'keyFile'} is empty)`);
  if (tls.reloadIntervalMs <= 0) throw new Error('cannot load option server.tls.reloadInterval: must be greater than 0');
  for (const o of cfg.server.cors.allowedOrigins) {
    if (o !== '*' && !/^https?:\/\/[^/?#\s]+$/.test(o)) throw new Error(`cannot load option server.cors.allowedOrigins: ${JSON.stringify(o)} is not an origin (scheme://host[:port], no path) or *`);
  }
  const lim = cfg.limits;
  if (lim.ingestionRateMb < 0 || lim.ingestionBurstSizeMb < 0) throw new Error('cannot load options limits.ingestionRateMb and limits.ingestionBurstSizeMb: must not be negative');
  if (lim.maxGlobalStreamsPerUser < 0 || lim.maxQueryParallelism < 0) throw new Error('cannot load options limits.maxGlobalStreamsPerUser and limits.maxQueryParallelism: must not be negative');
  if (lim.streamIdleTimeoutMs <= 0 || lim.overridesPeriodMs <= 0) throw new Error('cannot load options limits.streamIdleTimeout and limits.overridesPeriod: must be greater than 0');
  if (cfg.query.maxOutstandingPerTenant < 0) throw new Error('cannot load option query.maxOutstandingPerTenant: must not be negative');
  if (cfg.server.port < 0 || cfg.server.port > 65535) throw new Error(`cannot load option server.port: ${cfg.server.port} is not a port`);
  return cfg;
}
