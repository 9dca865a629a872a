import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingAlert } from '../alert.js';
import { alertmanagerEndpoint } from './alertmanager.js';
import { slackMessage } from './slack.js';
import { webhookPayload } from './webhook.js';

const alert = (service: string, status: 'firing' | 'resolved'): OutgoingAlert => ({
  labels: { alertname: 'CriticalLogEntry', service, severity: 'critical' },
  annotations: { summary: `${service} is down`, count: '1' },
  startsAt: '2026-01-01T00:00:00.000Z',
  endsAt: '2026-01-01T00:04:00.000Z',
  generatorURL: 'http://ls:3100/prometheus/api/v1/alerts',
  status,
});

describe('notifier payloads', () => {
  it('finds the Alertmanager v2 endpoint', () => {
    const f = (url: string, want: string): void => assert.equal(alertmanagerEndpoint(url), want);
    f('http://am:9093', 'http://am:9093/api/v2/alerts');
    f('http://am:9093/', 'http://am:9093/api/v2/alerts');
    f('http://am:9093/api/v2/alerts', 'http://am:9093/api/v2/alerts');
  });

  it("builds Alertmanager's webhook format", () => {
    const p = webhookPayload([alert('api', 'firing'), alert('web', 'firing')], 'http://ls:3100');
    assert.equal(p.version, '4');
    assert.equal(p.status, 'firing');
    assert.deepEqual(p.groupLabels, { alertname: 'CriticalLogEntry' });
    assert.deepEqual(p.commonLabels, { alertname: 'CriticalLogEntry', severity: 'critical' });
    assert.deepEqual(p.commonAnnotations, { count: '1' });
    assert.equal(p.groupKey, '{}:{alertname="CriticalLogEntry"}');
    assert.equal(p.alerts[0].endsAt, '0001-01-01T00:00:00Z');
    assert.match(p.alerts[0].fingerprint, /^[0-9a-f]{16}$/);
    const r = webhookPayload([alert('api', 'resolved')], '');
    assert.equal(r.status, 'resolved');
    assert.equal(r.alerts[0].endsAt, '2026-01-01T00:04:00.000Z');
  });

  it('builds a Slack message with text and blocks', () => {
    const m = slackMessage([alert('api', 'firing')]);
    assert.equal(m.text, '[FIRING:1] CriticalLogEntry (service=api, severity=critical)');
    assert.equal(m.blocks.length, 1);
    assert.match(m.blocks[0].text.text, /^:red_circle: \*FIRING\* CriticalLogEntry .*\napi is down$/);
    assert.match(slackMessage(Array.from({ length: 12 }, () => alert('x', 'resolved'))).blocks[10].text.text, /and 2 more/);
  });
});
