import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { createLogs, lokiOptions, redactedHeaders } from './logger.js';
import type { Config, PushAuth } from './config.js';
import { collectLines, eventually } from './testing/collect.js';
import { startFakeLoki, type FakeLoki } from './testing/fake-loki.js';

function config(over: Partial<Config>): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    serviceName: 'demo-api',
    logLevel: 'trace',
    logsentinelUrl: undefined,
    auth: { kind: 'none' },
    batchIntervalSeconds: 0.05,
    ...over,
  };
}

describe('createLogs', () => {
  let loki: FakeLoki;
  before(async () => {
    loki = await startFakeLoki();
  });
  after(async () => {
    await loki.close();
  });

  it('writes JSON lines with the level as a name to stdout', async () => {
    const out = collectLines();
    const logs = createLogs(config({}), { stdout: out });
    const f = (log: () => void, want: string): void => {
      log();
      const line = out.raw.at(-1) ?? '';
      assert.match(line, new RegExp(`"level":"${want}"`), line);
    };
    f(() => logs.logger.trace('t'), 'trace');
    f(() => logs.logger.debug('d'), 'debug');
    f(() => logs.logger.info('i'), 'info');
    f(() => logs.logger.warn('w'), 'warn');
    f(() => logs.logger.error({ error_type: 'database_error' }, 'e'), 'error');
    f(() => logs.logger.fatal('f'), 'fatal');
    assert.equal(out.lines[4].error_type, 'database_error');
    await logs.flush(); // nothing to ship: resolves at once
  });

  it('respects LOG_LEVEL', () => {
    const out = collectLines();
    const logs = createLogs(config({ logLevel: 'warn' }), { stdout: out });
    logs.logger.info('dropped');
    logs.logger.warn('kept');
    assert.deepEqual(out.lines.map((l) => l.msg), ['kept']);
  });

  it('ships every line to /loki/api/v1/push with service, level and hostname labels only', async () => {
    const out = collectLines();
    const logs = createLogs(config({ logsentinelUrl: loki.url, serviceName: 'demo-ship' }), { stdout: out });
    const child = logs.logger.child({ request_id: 'req-ship-1' });
    child.debug('one');
    child.info('two');
    child.warn('three');
    child.error({ error_type: 'database_error' }, 'four');
    child.fatal('five');
    const got = await eventually(() => {
      const e = loki.entries().filter((x) => x.labels.service === 'demo-ship');
      return e.length === 5 ? e : undefined;
    }, 'five shipped lines');
    await logs.flush();
    assert.ok(loki.pushes.every((p) => p.path === '/loki/api/v1/push'));
    const f = (i: number, msg: string, label: string, field: string): void => {
      assert.deepEqual(got[i].labels, { service: 'demo-ship', level: label, hostname: hostname() }, msg);
      assert.equal(got[i].line.msg, msg);
      assert.equal(got[i].line.level, field, msg);
      assert.equal(got[i].line.request_id, 'req-ship-1', msg);
    };
    // pino-loki's label vocabulary (warning, critical); the line keeps pino's names.
    f(0, 'one', 'debug', 'debug');
    f(1, 'two', 'info', 'info');
    f(2, 'three', 'warning', 'warn');
    f(3, 'four', 'error', 'error');
    f(4, 'five', 'critical', 'fatal');
    assert.equal(out.lines.length, 5, 'stdout gets the same lines');
  });

  it('flush pushes what the batch still holds, once, and later lines go to stdout only', async () => {
    const out = collectLines();
    const logs = createLogs(config({ logsentinelUrl: loki.url, serviceName: 'demo-flush', batchIntervalSeconds: 3600 }), { stdout: out });
    logs.logger.info('a');
    logs.logger.info('b');
    logs.logger.error('c');
    const shipped = (): string[] => loki.entries().filter((x) => x.labels.service === 'demo-flush').map((x) => String(x.line.msg));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(shipped(), [], 'nothing is sent before the batch interval');
    const first = logs.flush();
    assert.equal(logs.flush(), first, 'flush is idempotent');
    await first;
    assert.deepEqual(shipped(), ['a', 'b', 'c']);
    logs.logger.info('after');
    assert.equal(out.lines.at(-1)?.msg, 'after');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(shipped(), ['a', 'b', 'c']);
  });

  it('authenticates pushes as configured', async () => {
    const f = async (service: string, auth: PushAuth, want: string | undefined): Promise<void> => {
      const out = collectLines();
      const logs = createLogs(config({ logsentinelUrl: loki.url, serviceName: service, auth }), { stdout: out });
      logs.logger.info('authenticated line');
      await logs.flush();
      const push = loki.pushes.find((p) => p.streams.some((s) => s.stream.service === service));
      assert.ok(push, service);
      assert.equal(push.headers.authorization, want, service);
      assert.ok(!out.raw.join('').includes('hunter2'), `${service}: the secret is not logged`);
    };
    await f('demo-auth-none', { kind: 'none' }, undefined);
    await f('demo-auth-basic', { kind: 'basic', username: 'demo', password: 'hunter2' }, 'Basic ' + Buffer.from('demo:hunter2').toString('base64'));
    await f('demo-auth-bearer', { kind: 'bearer', token: 'hunter2' }, 'Bearer hunter2');
  });
});

describe('lokiOptions', () => {
  it('keeps secrets out of what pino-loki prints under NODE_DEBUG', () => {
    const f = (auth: PushAuth): void => {
      // pino-loki drops basicAuth and JSON-stringifies the rest.
      const { basicAuth: _, ...printed } = lokiOptions('http://x/', { serviceName: 'demo-api', auth, batchIntervalSeconds: 1 });
      assert.ok(!JSON.stringify(printed).includes('hunter2'), auth.kind);
    };
    f({ kind: 'basic', username: 'demo', password: 'hunter2' });
    f({ kind: 'bearer', token: 'hunter2' });
  });

  it('redactedHeaders sends the value and prints a placeholder', () => {
    const h = redactedHeaders({ Authorization: 'Bearer hunter2' });
    assert.deepEqual({ ...h }, { Authorization: 'Bearer hunter2' });
    assert.equal(JSON.stringify({ headers: h }), '{"headers":{"Authorization":"[redacted]"}}');
  });
});
