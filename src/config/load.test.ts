import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envName, loadConfig } from './load.js';
import { renderConfigDoc } from './doc.js';

describe('config', () => {
  it('has defaults', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.server.port, 3100);
    assert.equal(c.dataDir, './data');
    assert.equal(c.limits.maxLineSize, 256 * 1024);
    assert.equal(c.retention.periodMs, 744 * 3600 * 1000);
    assert.equal(c.ingest.maxBatchDelayMs, 2);
  });

  it('names environment variables after the option path', () => {
    const f = (path: string, want: string): void => assert.equal(envName(path), want);
    f('server.port', 'LOGSENTINEL_SERVER_PORT');
    f('dataDir', 'LOGSENTINEL_DATA_DIR');
    f('limits.maxLineSize', 'LOGSENTINEL_LIMITS_MAX_LINE_SIZE');
    f('storage.duckdb.checkpointInterval', 'LOGSENTINEL_STORAGE_DUCKDB_CHECKPOINT_INTERVAL');
  });

  it('file < environment < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'server:\n  port: 4000\n  host: 127.0.0.1\nlimits:\n  maxLineSize: 1KiB\nretention:\n  period: 24h\n');
    const c1 = loadConfig({ configFile: file, env: {} });
    assert.equal(c1.server.port, 4000);
    assert.equal(c1.limits.maxLineSize, 1024);
    assert.equal(c1.retention.periodMs, 86_400_000);
    const c2 = loadConfig({ configFile: file, env: { LOGSENTINEL_SERVER_PORT: '4001', LOGSENTINEL_DATA_DIR: '/x' } });
    assert.equal(c2.server.port, 4001);
    assert.equal(c2.dataDir, '/x');
    assert.equal(c2.server.host, '127.0.0.1');
    const c3 = loadConfig({ configFile: file, env: { LOGSENTINEL_SERVER_PORT: '4001' }, flags: { 'server.port': '4002' } });
    assert.equal(c3.server.port, 4002);
  });

  it('rejects bad values and unknown options naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-cfg-'));
    const bad = (yaml: string, re: RegExp): void => {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, yaml);
      assert.throws(() => loadConfig({ configFile: file, env: {} }), re);
    };
    bad('server:\n  prot: 1\n', /unknown option server\.prot/);
    bad('server:\n  port: abc\n', /server\.port.*integer/);
    bad('retention:\n  period: forever\n', /retention\.period/);
    bad('server: [1\n', /cannot parse config file/);
    assert.throws(() => loadConfig({ env: { LOGSENTINEL_LIMITS_MAX_LINE_SIZE: 'huge' } }), /LOGSENTINEL_LIMITS_MAX_LINE_SIZE/);
    assert.throws(() => loadConfig({ configFile: join(dir, 'missing.yaml'), env: {} }), /cannot read config file/);
  });

  it('reads the ruler and alerting options', () => {
    const d = loadConfig({ env: {} });
    assert.equal(d.ruler.rulesDir, join('./data', 'rules'));
    assert.equal(d.alerting.resendDelayMs, 60_000);
    assert.deepEqual(d.alerting.critical, { enabled: true, levels: ['critical'], windowMs: 300_000, groupBy: ['service'] });
    const c = loadConfig({
      env: {
        LOGSENTINEL_ALERTING_ALERTMANAGER_URLS: 'http://a:9093, http://b:9093',
        LOGSENTINEL_ALERTING_CRITICAL_LEVELS: 'error,critical',
        LOGSENTINEL_ALERTING_CRITICAL_ENABLED: 'false',
        LOGSENTINEL_RULER_RULES_DIR: '/etc/rules',
      },
    });
    assert.deepEqual(c.alerting.alertmanagerUrls, ['http://a:9093', 'http://b:9093']);
    assert.deepEqual(c.alerting.critical.levels, ['error', 'critical']);
    assert.equal(c.alerting.critical.enabled, false);
    assert.equal(c.ruler.rulesDir, '/etc/rules');
    assert.throws(() => loadConfig({ env: { LOGSENTINEL_ALERTING_CRITICAL_LEVELS: 'fatal' } }), /alerting\.critical\.levels: unknown level "fatal"/);
  });

  it('reads the cluster options, with the URLs from their environment variables', () => {
    const d = loadConfig({ env: {} });
    assert.deepEqual(d.queue.redis, { url: '', prefix: 'ls', partitions: 8, maxBacklog: 2_000_000, claimIdleMs: 30_000, readCount: 32, blockMs: 2000, consumerName: '' });
    assert.deepEqual(d.storage.postgres, { url: '', schema: 'logsentinel', timescaledb: 'auto', chunkIntervalMs: 86_400_000, compressAfterMs: 172_800_000 });
    const c = loadConfig({
      env: {
        LOGSENTINEL_QUEUE_REDIS_URL: 'redis://r:6379',
        LOGSENTINEL_STORAGE_POSTGRES_URL: 'postgres://p/db',
        LOGSENTINEL_STORAGE_POSTGRES_SCHEMA: 'ls_test',
        LOGSENTINEL_QUEUE_REDIS_PARTITIONS: '16',
        LOGSENTINEL_QUEUE_REDIS_CLAIM_IDLE: '1m',
        LOGSENTINEL_QUEUE_REDIS_CONSUMER_NAME: 'logsentinel-process-0',
        LOGSENTINEL_STORAGE_POSTGRES_TIMESCALEDB: 'on',
        LOGSENTINEL_STORAGE_POSTGRES_CHUNK_INTERVAL: '6h',
        LOGSENTINEL_STORAGE_POSTGRES_COMPRESS_AFTER: '0',
      },
    });
    assert.equal(c.storage.postgres.timescaledb, 'on');
    assert.equal(c.storage.postgres.chunkIntervalMs, 6 * 3_600_000);
    assert.equal(c.storage.postgres.compressAfterMs, 0);
    assert.equal(c.queue.redis.consumerName, 'logsentinel-process-0');
    assert.equal(c.queue.redis.url, 'redis://r:6379');
    assert.equal(c.storage.postgres.url, 'postgres://p/db');
    assert.equal(c.storage.postgres.schema, 'ls_test');
    assert.equal(c.queue.redis.partitions, 16);
    assert.equal(c.queue.redis.claimIdleMs, 60_000);
    const bad = (env: Record<string, string>, re: RegExp): void => assert.throws(() => loadConfig({ env }), re);
    bad({ LOGSENTINEL_QUEUE_REDIS_PARTITIONS: '0' }, /queue\.redis\.partitions/);
    bad({ LOGSENTINEL_QUEUE_REDIS_PREFIX: 'a b' }, /queue\.redis\.prefix/);
    bad({ LOGSENTINEL_QUEUE_REDIS_CONSUMER_NAME: 'pod 0' }, /queue\.redis\.consumerName/);
    bad({ LOGSENTINEL_STORAGE_POSTGRES_SCHEMA: 'x;drop' }, /storage\.postgres\.schema/);
    bad({ LOGSENTINEL_STORAGE_POSTGRES_TIMESCALEDB: 'yes' }, /cannot load option storage\.postgres\.timescaledb: "yes" is not one of auto, on, off/);
    bad({ LOGSENTINEL_STORAGE_POSTGRES_CHUNK_INTERVAL: '30s' }, /cannot load option storage\.postgres\.chunkInterval: 30000ms is shorter than one minute/);
  });

  it('reads any option from the file named by its _FILE variable (Kubernetes Secrets)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-cfg-'));
    const put = (name: string, text: string): string => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const c = loadConfig({
      env: {
        LOGSENTINEL_STORAGE_POSTGRES_URL_FILE: put('pg', 'postgres://ls:from-file@db/logs\n'),
        LOGSENTINEL_QUEUE_REDIS_URL_FILE: put('redis', 'redis://:r@redis:6379'),
        LOGSENTINEL_ALERTING_WEBHOOK_URLS_FILE: put('hooks', 'https://a/x,https://b/y\n'),
        LOGSENTINEL_ALERTING_SLACK_WEBHOOK_URL_FILE: put('slack', 'https://hooks.slack.com/services/T/B/C\r\n'),
        LOGSENTINEL_SERVER_PORT_FILE: put('port', '4100\n'),
      },
    });
    assert.equal(c.storage.postgres.url, 'postgres://ls:from-file@db/logs');
    assert.equal(c.queue.redis.url, 'redis://:r@redis:6379');
    assert.deepEqual(c.alerting.webhookUrls, ['https://a/x', 'https://b/y']);
    assert.equal(c.alerting.slackWebhookUrl, 'https://hooks.slack.com/services/T/B/C');
    assert.equal(c.server.port, 4100);
    // an empty _FILE variable is unset, as for every variable
    assert.equal(loadConfig({ env: { LOGSENTINEL_SERVER_PORT_FILE: '', LOGSENTINEL_SERVER_PORT: '4200' } }).server.port, 4200);
    const bad = (env: Record<string, string>, re: RegExp): void => assert.throws(() => loadConfig({ env }), re);
    bad({ LOGSENTINEL_SERVER_PORT: '1', LOGSENTINEL_SERVER_PORT_FILE: put('p2', '2') }, /cannot load option server\.port: both LOGSENTINEL_SERVER_PORT and LOGSENTINEL_SERVER_PORT_FILE are set/);
    bad({ LOGSENTINEL_QUEUE_REDIS_URL_FILE: join(dir, 'missing') }, /cannot load option queue\.redis\.url: cannot read LOGSENTINEL_QUEUE_REDIS_URL_FILE ".*missing": ENOENT/);
    bad({ LOGSENTINEL_SERVER_PORT_FILE: put('p3', 'abc') }, /server\.port from LOGSENTINEL_SERVER_PORT_FILE \(.*p3\): expected an integer/);
  });

  it('never echoes the value of a secret option in an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'storage:\n  postgres:\n    url: [postgres://ls:yaml-s3cret@db]\n');
    assert.throws(
      () => loadConfig({ configFile: file, env: {} }),
      (err: Error) => /storage\.postgres\.url.*expected a string \(got a value that is not shown: it is secret\)/.test(err.message) && !err.message.includes('yaml-s3cret'),
    );
    writeFileSync(file, 'queue:\n  redis:\n    url: "redis://:yaml-s3cret@r\n  bad: [\n');
    assert.throws(() => loadConfig({ configFile: file, env: {} }), (err: Error) => /cannot parse config file/.test(err.message) && !err.message.includes('yaml-s3cret'));
  });

  it('docs/configuration.md is generated from the schema', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    assert.equal(doc, renderConfigDoc(), 'run `npm run docs:config` to regenerate docs/configuration.md');
  });
});
