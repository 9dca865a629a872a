import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BANNER_BEGIN, BANNER_END } from '../auth/bootstrap.js';
import { findLeaks } from './secrets.js';

test('the secrets check names every log holding a registered secret, outside the first-admin banner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ls-secrets-'));
  try {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(join(dir, 'secrets.txt'), 'lst_aaaaaaaaaaaa_leakedleakedleakedleakedleaked\nhunter2-password\nshort\n');
    writeFileSync(join(logs, 'clean.log'), '{"msg":"started"}\n{"msg":"short"}\n');
    writeFileSync(join(logs, 'banner.log'), `x\n${BANNER_BEGIN}\n  password: hunter2-password\n${BANNER_END}\ny\n`);
    writeFileSync(join(logs, 'leak.log'), '{"msg":"request","headers":{"authorization":"Bearer lst_aaaaaaaaaaaa_leakedleakedleakedleakedleaked"}}\n');
    writeFileSync(join(logs, 'after-banner.log'), `${BANNER_BEGIN}\n${BANNER_END}\nuser typed hunter2-password\n`);
    const r = findLeaks(join(dir, 'secrets.txt'), logs);
    assert.equal(r.secrets, 2, 'secrets shorter than 8 characters are not searched');
    assert.equal(r.logs, 4);
    assert.deepEqual(r.leaks.sort(), [`${join(logs, 'after-banner.log')}: 1 registered secret(s)`, `${join(logs, 'leak.log')}: 1 registered secret(s)`]);
    assert.deepEqual(findLeaks(join(dir, 'none.txt'), logs).leaks, [], 'nothing registered, nothing found');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
