/** test/deploy/tools.ts: a missing tool skips its tests outside CI and fails them in CI. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findTool, toolPath } from './tools.js';

describe('findTool', () => {
  const withCI = <T>(ci: string | undefined, fn: () => T): T => {
    const saved = process.env.CI;
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    try {
      return fn();
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  };

  it('finds an installed tool', () => {
    const t = findTool('sh', '/bin/sh', 'always there');
    assert.equal(t.path, '/bin/sh');
    assert.equal(t.skip, false);
    assert.equal(toolPath(t), '/bin/sh');
  });

  it('skips with the reason when a tool is missing outside CI', () => {
    const t = withCI(undefined, () => findTool('no-such-tool-x', '/nonexistent/no-such-tool-x', 'apt-get install x'));
    assert.equal(t.path, undefined);
    assert.match(String(t.skip), /no-such-tool-x is not installed \(apt-get install x\); with CI=true this is a failure/);
  });

  it('fails when a tool is missing in CI', () => {
    const t = withCI('true', () => findTool('no-such-tool-x', '/nonexistent/no-such-tool-x', 'apt-get install x'));
    assert.equal(t.skip, false);
    assert.throws(() => toolPath(t), /no-such-tool-x is required in CI but is not installed: apt-get install x/);
  });
});
