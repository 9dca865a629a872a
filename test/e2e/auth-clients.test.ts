/**
 * Real clients send credentials the way they already can, and their entries land in the tenant
 * the credential allows: winston-loki and pino-loki with basic auth (tenant as user, token as
 * password), the OpenTelemetry exporters (JSON and protobuf) with a bearer header, the official
 * Elasticsearch client with an API key (as a string and as `{id, api_key}`) and with basic auth.
 * A client sending the same token for a tenant outside its set gets nothing stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { pino } from 'pino';
import pinoLoki from 'pino-loki';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { Client, errors } from '@elastic/elasticsearch';
import { removeDir, startServer, type ServerHandle } from './harness.js';
import { adminCredentials, makeToken, type AdminCredentials, type MadeToken } from './auth-helpers.js';

describe('real clients with credentials', () => {
  let s: ServerHandle;
  let admin: AdminCredentials;
  let writer: MadeToken;

  /** Lines of `{app=...}` in a tenant, read with the admin token; waits for `n`. */
  const lines = async (tenant: string, selector: string, n: number): Promise<string[]> => {
    let got: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: selector, since: '10m', direction: 'forward' }), {
        headers: { Authorization: `Bearer ${admin.token}`, 'X-Scope-OrgID': tenant },
      });
      assert.equal(r.status, 200);
      const body = (await r.json()) as { data: { result: Array<{ values: Array<[string, string]> }> } };
      got = body.data.result.flatMap((x) => x.values.map((v) => v[1]));
      if (got.length >= n) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    return got.sort();
  };

  before(async () => {
    admin = adminCredentials();
    // Debug logs (every request) make the secrets check of the run stricter.
    s = await startServer({ auth: true, env: { ...admin.env, LOGSENTINEL_SERVER_LOG_LEVEL: 'debug' } });
    writer = await makeToken(s.url, admin.token, { name: 'shippers', scopes: ['logs:write'], tenants: ['team-a', 'team-b'] });
  });
  after(async () => {
    await s.stop();
    removeDir(s.dataDir);
  });

  it('winston-loki with basic auth: tenant as user, token as password', async () => {
    for (const json of [false, true]) {
      const app = json ? 'winston-json' : 'winston-proto';
      const transport = new LokiTransport({ host: s.url, basicAuth: `team-a:${writer.token}`, labels: { app }, json, batching: true, interval: 0.1, replaceTimestamp: false, onConnectionError: () => undefined });
      const logger = winston.createLogger({ transports: [transport], format: winston.format.simple() });
      logger.info('signed in');
      logger.error('payment failed');
      await transport.flush();
      assert.equal((await lines('team-a', `{app="${app}"}`, 2)).length, 2, app);
      logger.close();
    }
    // The same token for a tenant outside its set: refused, nothing stored.
    const transport = new LokiTransport({ host: s.url, basicAuth: `team-c:${writer.token}`, labels: { app: 'winston-outside' }, json: true, batching: false, onConnectionError: () => undefined });
    const logger = winston.createLogger({ transports: [transport] });
    logger.info('should not land');
    await transport.flush();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await lines('team-c', '{app="winston-outside"}', 0), []);
    logger.close();
  });

  it('pino-loki with basic auth', async () => {
    const stream = pinoLoki({ host: s.url, batching: false, labels: { app: 'pino-auth' }, basicAuth: { username: 'team-b', password: writer.token } });
    const logger = pino({ level: 'info' }, stream);
    logger.info('order placed');
    logger.warn('stock low');
    const got = await lines('team-b', '{app="pino-auth"}', 2);
    assert.deepEqual(got.map((l) => (JSON.parse(l) as { msg: string }).msg).sort(), ['order placed', 'stock low']);
  });

  for (const c of [
    { name: 'otel-json', make: (headers: Record<string, string>) => new JsonExporter({ url: s.url + '/v1/logs', headers }) },
    { name: 'otel-proto', make: (headers: Record<string, string>) => new ProtoExporter({ url: s.url + '/otlp/v1/logs', headers }) },
  ]) {
    it(`${c.name} with a bearer header`, async () => {
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': c.name }),
        processors: [new BatchLogRecordProcessor({ exporter: c.make({ Authorization: `Bearer ${writer.token}`, 'X-Scope-OrgID': 'team-b' }), scheduledDelayMillis: 50 })],
      });
      const logger = provider.getLogger('auth-e2e');
      logger.emit({ severityNumber: SeverityNumber.INFO, body: 'exported with a token' });
      logger.emit({ severityNumber: SeverityNumber.ERROR, body: 'exported again' });
      await provider.forceFlush();
      await provider.shutdown();
      assert.deepEqual(await lines('team-b', `{service="${c.name}"}`, 2), ['exported again', 'exported with a token']);
    });
  }

  it('the Elasticsearch client with an API key (string and {id, api_key}) and with basic auth', async () => {
    const cases: Array<{ name: string; auth: ConstructorParameters<typeof Client>[0]['auth']; headers?: Record<string, string>; tenant: string }> = [
      { name: 'es-apikey', auth: { apiKey: writer.token }, headers: { 'X-Scope-OrgID': 'team-a' }, tenant: 'team-a' },
      { name: 'es-apikey-id', auth: { apiKey: { id: writer.id, api_key: writer.token } }, headers: { 'X-Scope-OrgID': 'team-b' }, tenant: 'team-b' },
      { name: 'es-basic', auth: { username: 'team-b', password: writer.token }, tenant: 'team-b' },
    ];
    for (const c of cases) {
      const client = new Client({ node: s.url, auth: c.auth, headers: c.headers });
      try {
        assert.equal((await client.info()).tagline, 'You Know, for Search', c.name);
        const res = await client.helpers.bulk({ datasource: [{ message: `${c.name} one` }, { message: `${c.name} two` }], onDocument: () => ({ index: { _index: c.name } }) });
        assert.equal(res.successful, 2, c.name);
        assert.deepEqual(await lines(c.tenant, `{index="${c.name}"}`, 2), [`${c.name} one`, `${c.name} two`]);
      } finally {
        await client.close();
      }
    }
    const nobody = new Client({ node: s.url });
    const wrong = new Client({ node: s.url, auth: { username: 'team-a', password: 'not-a-user-password' } });
    try {
      await assert.rejects(nobody.info(), (e: unknown) => e instanceof errors.ResponseError && e.statusCode === 401 && (e.body as { error: { type: string } }).error.type === 'security_exception');
      await assert.rejects(wrong.info(), (e: unknown) => e instanceof errors.ResponseError && e.statusCode === 401);
    } finally {
      await nobody.close();
      await wrong.close();
    }
  });
});
