import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry, WriteBatch } from '../model/entry.js';
import type { Level } from '../model/level.js';
import { CriticalLogAlerter, scanCritical, summaryOf } from './critical-alerter.js';
import { NotifierHub } from './notifier-hub.js';
import type { OutgoingAlert } from './alert.js';
import type { Notifier } from './notifiers/index.js';

function batch(tenant: string, streams: Array<[Record<string, string>, Array<[Level, string]>]>): WriteBatch {
  return {
    tenant,
    streams: streams.map(([labels, entries], i) => ({ labels, key: String(i), id: BigInt(i), entries: entries.map(([level, line]): LogEntry => ({ ts: 1n, level, line })) })),
  };
}

/** A notifier that records what it gets: `status alertname service count`. */
function recorder(resends: boolean): { n: Notifier; got: string[] } {
  const got: string[] = [];
  const n: Notifier = {
    name: resends ? 'alertmanager' : 'webhook',
    resends,
    notify: (alerts: OutgoingAlert[]) => got.push(...alerts.map((a) => `${a.status} ${a.labels.service ?? '-'} ${a.annotations.count}`)),
    close: async () => undefined,
  };
  return { n, got };
}

describe('critical log alerter', () => {
  it('scans committed batches for alerting levels only', () => {
    const levels = new Set(['critical']);
    assert.equal(scanCritical([batch('t', [[{ service: 'a' }, [['info', 'x'], ['error', 'y']]]])], levels), undefined);
    const hits = scanCritical(
      [
        batch('t', [
          [{ service: 'a' }, [['critical', 'first\nstack'], ['info', 'x'], ['critical', 'second']]],
          [{ service: 'b' }, [['critical', 'b down']]],
        ]),
        batch('u', [[{ service: 'a' }, [['critical', 'other tenant']]]]),
      ],
      levels,
    );
    assert.deepEqual(
      hits?.map((h) => [h.tenant, h.labels.service, h.level, h.count, h.line]),
      [
        ['t', 'a', 'critical', 2, 'first\nstack'],
        ['t', 'b', 'critical', 1, 'b down'],
        ['u', 'a', 'critical', 1, 'other tenant'],
      ],
    );
  });

  it('summarises the first line, truncated', () => {
    assert.equal(summaryOf('boom\n  at x'), 'boom');
    assert.equal(summaryOf('x'.repeat(300)).length, 200);
  });

  it('fires at once, de-duplicates per stream and window, resolves after a quiet window', () => {
    let now = 0;
    const am = recorder(true);
    const hook = recorder(false);
    const hub = new NotifierHub([am.n, hook.n], 60_000, '');
    const c = new CriticalLogAlerter({ windowMs: 300_000, groupBy: ['service'], hub, now: () => now });
    const hit = (service: string, count = 1): void => c.observe([{ tenant: 't', labels: { service, pod: 'p1' }, level: 'critical', count, line: `${service} failed` }]);

    hit('api');
    assert.deepEqual(am.got, ['firing api 1']);
    assert.deepEqual(hook.got, ['firing api 1']);
    assert.deepEqual(c.firing()[0].labels, { alertname: 'CriticalLogEntry', level: 'critical', service: 'api', severity: 'critical', tenant: 't' });
    now = 10_000;
    hit('api', 2); // same stream, same window: no new notification, the count grows
    hit('web');
    assert.deepEqual(am.got, ['firing api 1', 'firing web 1']);
    assert.equal(c.firing().find((a) => a.labels.service === 'api')?.annotations.count, '3');
    now = 70_000; // resendDelay passed: Alertmanager gets a re-send, the webhook does not
    c.tick();
    assert.deepEqual(am.got.slice(2), ['firing api 3', 'firing web 1']);
    assert.deepEqual(hook.got, ['firing api 1', 'firing web 1']);
    now = 309_999;
    hit('web');
    c.tick();
    now = 310_000; // api quiet for a whole window
    c.tick();
    assert.deepEqual(hook.got.slice(2), ['resolved api 3']);
    assert.deepEqual(c.firing().map((a) => a.labels.service), ['web']);
    now = 320_000; // api again: a new alert
    hit('api');
    assert.deepEqual(hook.got.slice(3), ['firing api 1']);
    assert.deepEqual(c.firing(['other']), []);
  });

  it('groups by the configured labels, or by all stream labels', () => {
    const f = (groupBy: string[], labels: Record<string, string>, want: Record<string, string>): void => {
      const c = new CriticalLogAlerter({ windowMs: 1000, groupBy });
      const { alertname: _a, severity: _s, tenant: _t, level: _l, ...rest } = c.alertLabels({ tenant: 't', labels, level: 'critical' });
      assert.deepEqual(rest, want);
    };
    f(['service'], { service: 'a', pod: 'p' }, { service: 'a' });
    f([], { service: 'a', pod: 'p' }, { service: 'a', pod: 'p' });
    f(['service'], { job: 'j' }, { job: 'j' });
    f(['service', 'env'], { service: 'a', env: 'prod', pod: 'p' }, { env: 'prod', service: 'a' });
  });
});
