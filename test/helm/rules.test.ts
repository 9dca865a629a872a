/**
 * The PrometheusRule the chart renders: promtool accepts its groups, and the unit tests of
 * deploy/prometheus/tests pass against them (the rendered groups, not the source file).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from '../e2e/harness.js';
import { PROMTOOL, run, toolPath } from '../deploy/tools.js';
import { render, type Scenario } from './render.js';

describe('the rendered PrometheusRule', () => {
  for (const s of ['single', 'cluster'] as Scenario[]) {
    it(`${s}: promtool check rules and the rules' unit tests pass on its groups`, { skip: PROMTOOL.skip }, () => {
      const rule = render(s).find((o) => o.kind === 'PrometheusRule');
      assert.ok(rule, 'a PrometheusRule is rendered');
      const dir = mkdtempSync(join(tmpdir(), 'ls-rules-'));
      try {
        writeFileSync(join(dir, 'rendered.rules.yml'), stringify({ groups: rule.spec!.groups }));
        const check = run(toolPath(PROMTOOL), ['check', 'rules', 'rendered.rules.yml'], dir);
        assert.equal(check.status, 0, check.output);
        assert.match(check.output, /SUCCESS: (\d+) rules found/);
        const tests = parse(readFileSync(join(ROOT, 'deploy/prometheus/tests/logsentinel.rules.test.yml'), 'utf8')) as { rule_files: string[] };
        tests.rule_files = ['rendered.rules.yml'];
        writeFileSync(join(dir, 'tests.yml'), stringify(tests));
        const t = run(toolPath(PROMTOOL), ['test', 'rules', 'tests.yml'], dir);
        assert.equal(t.status, 0, t.output);
        assert.match(t.output, /SUCCESS/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
