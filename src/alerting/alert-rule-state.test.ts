import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AlertingRuleState, type Sample } from './alert-rule-state.js';
import { needsSending, RESOLVED_RETENTION_MS, type ActiveAlert } from './alert.js';
import type { AlertingRule } from './rule-file.js';

function rule(forMs: number, keepFiringForMs = 0): AlertingRule {
  return { kind: 'alert', name: 'HighErrors', expr: 'x > 1', forMs, keepFiringForMs, labels: { severity: 'page' }, annotations: { summary: '{{ $labels.service }} at {{ $value }}' } };
}

const api = (value = 5): Sample[] => [{ labels: { service: 'api' }, value }];
type Step = [atMs: number, samples: Sample[], want: string];

/** Runs evaluations at fake times; `want` is the rule state, then each alert as `state@activeAt`. */
function run(r: AlertingRule, steps: Step[]): void {
  const st = new AlertingRuleState(r);
  for (const [at, samples, want] of steps) {
    st.update(samples, at);
    const alerts = [...st.active.values()].map((a) => `${a.state}@${a.activeAtMs}${a.resolvedAtMs !== undefined ? `-${a.resolvedAtMs}` : ''}`);
    assert.equal([st.state(), ...alerts].join(' '), want, `at ${at}`);
  }
}

describe('alerting rule state machine', () => {
  it('goes inactive → pending → firing → resolved with `for`', () => {
    run(rule(60_000), [
      [0, [], 'inactive'],
      [10_000, api(), 'pending pending@10000'],
      [40_000, api(), 'pending pending@10000'],
      [70_000, api(), 'firing firing@10000'],
      [100_000, api(), 'firing firing@10000'],
      [130_000, [], 'inactive inactive@10000-130000'],
      // A resolved alert is kept for re-sending, and forgotten after the retention.
      [130_000 + RESOLVED_RETENTION_MS + 1, [], 'inactive'],
    ]);
  });
  it('drops a pending alert whose series goes away before `for`', () => {
    run(rule(60_000), [
      [0, api(), 'pending pending@0'],
      [30_000, [], 'inactive'],
      [40_000, api(), 'pending pending@40000'],
    ]);
  });
  it('fires at once with for: 0, and a returning series starts a new alert', () => {
    run(rule(0), [
      [0, api(), 'firing firing@0'],
      [10_000, [], 'inactive inactive@0-10000'],
      [20_000, api(), 'firing firing@20000'],
    ]);
  });
  it('keeps firing for keep_firing_for after the series is gone', () => {
    run(rule(0, 30_000), [
      [0, api(), 'firing firing@0'],
      [10_000, [], 'firing firing@0'],
      [30_000, [], 'firing firing@0'],
      [40_000, [], 'inactive inactive@0-40000'],
    ]);
    run(rule(0, 30_000), [
      [0, api(), 'firing firing@0'],
      [10_000, [], 'firing firing@0'],
      // Back before keep_firing_for ran out: the clock restarts.
      [20_000, api(), 'firing firing@0'],
      [30_000, [], 'firing firing@0'],
      [55_000, [], 'firing firing@0'],
      [60_000, [], 'inactive inactive@0-60000'],
    ]);
  });
  it('keeps one alert per label set, with templated annotations and the rule labels', () => {
    const st = new AlertingRuleState(rule(0));
    st.update([{ labels: { service: 'api', __name__: 'x' }, value: 3 }, { labels: { service: 'web' }, value: 7 }], 0);
    const got = [...st.active.values()].map((a) => ({ labels: a.labels, annotations: a.annotations, value: a.value }));
    assert.deepEqual(got, [
      { labels: { alertname: 'HighErrors', service: 'api', severity: 'page' }, annotations: { summary: 'api at 3' }, value: 3 },
      { labels: { alertname: 'HighErrors', service: 'web', severity: 'page' }, annotations: { summary: 'web at 7' }, value: 7 },
    ]);
    assert.throws(() => st.update(api().concat(api()), 1), /same labelset/);
    assert.throws(() => new AlertingRuleState(rule(0)).update([{ labels: { a: '1' }, value: 1 }, { labels: { a: '2' }, value: 1 }], 0, 1), /exceeded limit of 1/);
  });
  it('sends firing alerts at once and every resendDelay, resolutions once, never pending ones', () => {
    const f = (a: Partial<ActiveAlert>, now: number, want: boolean): void =>
      assert.equal(needsSending({ labels: {}, annotations: {}, state: 'firing', value: 1, activeAtMs: 0, ...a }, now, 60_000), want, JSON.stringify(a));
    f({ state: 'pending' }, 0, false);
    f({}, 0, true);
    f({ lastSentAtMs: 0 }, 59_999, false);
    f({ lastSentAtMs: 0 }, 60_000, true);
    f({ state: 'inactive', resolvedAtMs: 10, lastSentAtMs: 5 }, 11, true);
    f({ state: 'inactive', resolvedAtMs: 10, lastSentAtMs: 11 }, 12, false);
  });
});
