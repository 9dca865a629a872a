/**
 * deploy/prometheus: promtool accepts the rules and their unit tests pass; every alert carries
 * `for`, a severity, a summary, a description and a runbook section that exists; the unit tests
 * cover every alert both firing and not firing. (live-server.test.ts checks that every metric a
 * rule names is one LogSentinel exports.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../e2e/harness.js';
import { alertingRules, RULES } from './rules.js';
import { PROMTOOL, run, toolPath } from './tools.js';

const TESTS = 'deploy/prometheus/tests/logsentinel.rules.test.yml';
const RUNBOOK = 'deploy/prometheus/runbook.md';


describe('promtool', () => {
  it('check rules accepts the rule file', { skip: PROMTOOL.skip }, () => {
    const r = run(toolPath(PROMTOOL), ['check', 'rules', RULES], ROOT);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS: \d+ rules found/);
  });

  it('test rules passes every unit test', { skip: PROMTOOL.skip }, () => {
    const r = run(toolPath(PROMTOOL), ['test', 'rules', TESTS], ROOT);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /SUCCESS/);
  });
});

describe('alerting rules', () => {
  const rules = alertingRules();
  const runbook = readFileSync(join(ROOT, RUNBOOK), 'utf8');
  const anchors = new Set([...runbook.matchAll(/^## (\S+)\s*$/gm)].map((m) => m[1].toLowerCase()));

  it('include the alerts LogSentinel operators need', () => {
    const names = rules.map((r) => r.alert);
    for (const want of [
      'LogSentinelTargetDown',
      'LogSentinelPushServerErrors',
      'LogSentinelIngestRejectionsHigh',
      'LogSentinelQueueLagGrowing',
      'LogSentinelNoActiveProcessor',
      'LogSentinelStoreUnreachable',
      'LogSentinelDependencyDown',
      'LogSentinelDiskNearlyFull',
    ]) {
      assert.ok(names.includes(want), `no ${want}`);
    }
    assert.equal(new Set(names).size, names.length, 'an alert name is repeated');
  });

  it('each has for, severity, summary, description and a runbook section', () => {
    for (const r of rules) {
      assert.ok(r.alert, `a rule without alert: ${r.record ?? r.expr}`);
      assert.match(r.for ?? '', /^\d+[smh]$/, `${r.alert}: for`);
      assert.ok(['warning', 'critical'].includes(r.labels?.severity ?? ''), `${r.alert}: severity`);
      assert.ok(r.annotations?.summary, `${r.alert}: summary`);
      assert.ok(r.annotations?.description, `${r.alert}: description`);
      assert.equal(r.annotations?.runbook_url, `${RUNBOOK}#${r.alert.toLowerCase()}`, `${r.alert}: runbook_url`);
      assert.ok(anchors.has(r.alert.toLowerCase()), `${RUNBOOK} has no section "## ${r.alert}"`);
      assert.match(r.expr, /job=~"logsentinel\.\*"/, `${r.alert}: every selector is limited to LogSentinel's jobs`);
    }
  });

  it('each is unit-tested firing and not firing', () => {
    const doc = parse(readFileSync(join(ROOT, TESTS), 'utf8')) as {
      rule_files: string[];
      tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
    };
    assert.deepEqual(doc.rule_files, ['../rules/logsentinel.rules.yml']);
    const cases = doc.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const r of rules) {
      const mine = cases.filter((c) => c.alertname === r.alert);
      assert.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${r.alert}: no case where it fires`);
      assert.ok(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${r.alert}: no case where it stays silent`);
    }
  });
});
