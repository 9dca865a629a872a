import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, describeShipping, loadConfig, type Config } from './config.js';

const defaults: Config = {
  port: 8080,
  host: '0.0.0.0',
  serviceName: 'demo-api',
  logLevel: 'info',
  logsentinelUrl: 'http://localhost:3100/',
  auth: { kind: 'none' },
  batchIntervalSeconds: DEFAULTS.batchIntervalSeconds,
};

describe('loadConfig', () => {
  it('accepts valid environments', () => {
    const f = (env: NodeJS.ProcessEnv, want: Partial<Config>): void => {
      assert.deepEqual(loadConfig(env), { ...defaults, ...want }, JSON.stringify(env));
    };
    f({}, {});
    f({ PORT: '9000', HOST: '127.0.0.1' }, { port: 9000, host: '127.0.0.1' });
    f({ PORT: '0' }, { port: 0 });
    f({ PORT: '' }, {});
    f({ SERVICE_NAME: 'checkout' }, { serviceName: 'checkout' });
    f({ LOG_LEVEL: 'DEBUG' }, { logLevel: 'debug' });
    f({ LOG_LEVEL: 'silent' }, { logLevel: 'silent' });
    // Empty switches shipping off; unset keeps the default.
    f({ LOGSENTINEL_URL: '' }, { logsentinelUrl: undefined });
    f({ LOGSENTINEL_URL: '  ' }, { logsentinelUrl: undefined });
    f({ LOGSENTINEL_URL: 'http://logsentinel:3100' }, { logsentinelUrl: 'http://logsentinel:3100/' });
    // A path prefix keeps its place: pino-loki resolves loki/api/v1/push against it.
    f({ LOGSENTINEL_URL: 'https://gw.example.com/logsentinel' }, { logsentinelUrl: 'https://gw.example.com/logsentinel/' });
    f({ LOGSENTINEL_USERNAME: 'demo', LOGSENTINEL_PASSWORD: 's3cret' }, { auth: { kind: 'basic', username: 'demo', password: 's3cret' } });
    f({ LOGSENTINEL_TOKEN: 'tok' }, { auth: { kind: 'bearer', token: 'tok' } });
    f({ LOGSENTINEL_TOKEN: 'tok', LOGSENTINEL_USERNAME: '', LOGSENTINEL_PASSWORD: '' }, { auth: { kind: 'bearer', token: 'tok' } });
    f({ LOGSENTINEL_BATCH_SECONDS: '0.25' }, { batchIntervalSeconds: 0.25 });
  });

  it('rejects invalid environments, naming the variable', () => {
    const f = (env: NodeJS.ProcessEnv, want: RegExp): void => {
      assert.throws(() => loadConfig(env), want, JSON.stringify(env));
    };
    f({ PORT: 'http' }, /^Error: cannot load config: PORT must be an integer/);
    f({ PORT: '65536' }, /PORT/);
    f({ PORT: '-1' }, /PORT/);
    f({ PORT: '80.5' }, /PORT/);
    f({ SERVICE_NAME: 'demo api' }, /SERVICE_NAME/);
    f({ SERVICE_NAME: 'a'.repeat(64) }, /SERVICE_NAME/);
    f({ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent/);
    f({ LOGSENTINEL_URL: 'logsentinel:3100' }, /LOGSENTINEL_URL must be http or https/);
    f({ LOGSENTINEL_URL: 'not a url' }, /LOGSENTINEL_URL is not a URL/);
    f({ LOGSENTINEL_USERNAME: 'demo' }, /must be set together/);
    f({ LOGSENTINEL_PASSWORD: 's3cret' }, /must be set together/);
    f({ LOGSENTINEL_TOKEN: 'tok', LOGSENTINEL_USERNAME: 'demo', LOGSENTINEL_PASSWORD: 's3cret' }, /not both/);
    f({ LOGSENTINEL_BATCH_SECONDS: '0' }, /LOGSENTINEL_BATCH_SECONDS/);
    f({ LOGSENTINEL_BATCH_SECONDS: 'soon' }, /LOGSENTINEL_BATCH_SECONDS/);
  });

  it('never puts a secret in an error message', () => {
    const f = (env: NodeJS.ProcessEnv, secret: string): void => {
      assert.throws(() => loadConfig(env), (err: Error) => !err.message.includes(secret), JSON.stringify(env));
    };
    f({ LOGSENTINEL_URL: 'http://demo:hunter2@logsentinel:3100' }, 'hunter2');
    f({ LOGSENTINEL_PASSWORD: 'hunter2' }, 'hunter2');
    f({ LOGSENTINEL_TOKEN: 'hunter2', LOGSENTINEL_USERNAME: 'demo', LOGSENTINEL_PASSWORD: 'pw' }, 'hunter2');
  });
});

describe('describeShipping', () => {
  it('names the auth kind, not the secret', () => {
    const f = (env: NodeJS.ProcessEnv, want: ReturnType<typeof describeShipping>): void => {
      const got = describeShipping(loadConfig(env));
      assert.deepEqual(got, want);
      assert.ok(!JSON.stringify(got).includes('hunter2'));
    };
    f({}, { logsentinel_url: 'http://localhost:3100/', auth: 'none' });
    f({ LOGSENTINEL_URL: '' }, { logsentinel_url: null, auth: 'none' });
    f({ LOGSENTINEL_USERNAME: 'demo', LOGSENTINEL_PASSWORD: 'hunter2' }, { logsentinel_url: 'http://localhost:3100/', auth: 'basic' });
    f({ LOGSENTINEL_TOKEN: 'hunter2' }, { logsentinel_url: 'http://localhost:3100/', auth: 'bearer' });
  });
});
