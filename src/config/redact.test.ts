import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { clearSecrets, pathIsSecret, redactUrl, registerSecretValue, scrubSecrets, scrubValue } from './redact.js';
import { createLogger } from '../telemetry/logger.js';

describe('redact', () => {
  afterEach(() => clearSecrets());

  it('redacts URLs for messages', () => {
    const f = (url: string, want: string, path = false): void => assert.equal(redactUrl(url, { path }), want);
    f('postgres://ls:s3cret@db:5432/logs', 'postgres://ls:***@db:5432/logs');
    f('redis://:s3cret@redis:6379/0', 'redis://:***@redis:6379/0');
    f('rediss://default:pw@redis', 'rediss://default:***@redis');
    f('redis://redis:6379', 'redis://redis:6379');
    f('https://am.example/api?token=abc&x=1', 'https://am.example/api?token=***&x=***');
    f('https://hooks.slack.com/services/T0/B0/XYZ', 'https://hooks.slack.com/***', true);
    f('not a url with pass', '<invalid url>');
  });

  it('knows which webhook URLs carry their secret in the path', () => {
    const f = (url: string, want: boolean): void => assert.equal(pathIsSecret(url), want);
    f('https://hooks.slack.com/services/T0/B0/XYZ', true);
    f('https://discord.com/api/webhooks/1/abc', true);
    f('https://example.com/hook', false);
    f('::', false);
  });

  it('scrubs URL credentials and registered secrets from free text', () => {
    const f = (text: string, want: string): void => assert.equal(scrubSecrets(text), want);
    f('connect postgres://ls:s3cret@db/logs failed', 'connect postgres://ls:***@db/logs failed');
    f('a redis://:pa:ss@host and http://u:p@h/', 'a redis://:***@host and http://u:***@h/');
    f('no url here: user:pass', 'no url here: user:pass');
    registerSecretValue('postgres://ls:p%40ss-w0rd@db/logs');
    registerSecretValue('https://hooks.slack.com/services/T0/B0/SLACKTOKEN123');
    registerSecretValue('https://am.example/api?token=QUERYTOKEN');
    f('password authentication failed: p@ss-w0rd', 'password authentication failed: ***');
    f('posting to https://hooks.slack.com/services/T0/B0/SLACKTOKEN123 failed', 'posting to *** failed');
    f('the path services/T0/B0/SLACKTOKEN123', 'the path ***');
    f('token QUERYTOKEN leaked', 'token *** leaked');
    // too short to be scrubbed everywhere without maiming messages
    registerSecretValue('redis://:ab@r');
    f('a cab', 'a cab');
  });

  it('scrubs errors, nested objects and arrays, and leaves class instances alone', () => {
    registerSecretValue('redis://:r3dis-pass@r:6379');
    const err = Object.assign(new Error('WRONGPASS for r3dis-pass'), { command: { name: 'auth', args: ['r3dis-pass'] }, code: 'X' });
    const s = scrubValue({ err, list: ['r3dis-pass', 1], deep: { a: { b: 'r3dis-pass' } } }) as Record<string, unknown>;
    const e = s.err as Error & { command: { args: string[] }; code: string };
    assert.ok(e instanceof Error);
    assert.equal(e.message, 'WRONGPASS for ***');
    assert.deepEqual(e.command.args, ['***']);
    assert.equal(e.code, 'X');
    assert.ok(!e.stack!.includes('r3dis-pass'));
    assert.deepEqual(s.list, ['***', 1]);
    assert.deepEqual(s.deep, { a: { b: '***' } });
    const inst = new (class Box {
      v = 'r3dis-pass';
    })();
    assert.equal(scrubValue(inst), inst);
  });

  it('keeps secrets out of every log line', () => {
    registerSecretValue('postgres://ls:pg-s3cret-pw@db/logs');
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const log = createLogger('info', sink);
    log.error({ err: new Error('cannot connect: pg-s3cret-pw rejected'), url: 'redis://u:other-pw@h' }, 'failed with pg-s3cret-pw');
    log.warn('plain pg-s3cret-pw');
    log.info(new Error('top-level pg-s3cret-pw'));
    assert.ok(out.includes('cannot connect: *** rejected'), out);
    assert.ok(out.includes('redis://u:***@h'), out);
    assert.ok(!out.includes('pg-s3cret-pw') && !out.includes('other-pw'), out);
    assert.equal(out.trim().split('\n').length, 3);
  });
});
