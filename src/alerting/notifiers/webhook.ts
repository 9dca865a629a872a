/**
 * Generic JSON webhook, in Alertmanager's webhook format (version 4) so receivers written for
 * Alertmanager work unchanged (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config):
 * `{version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels,
 * commonAnnotations, externalURL, alerts: [{status, labels, annotations, startsAt, endsAt,
 * generatorURL, fingerprint}]}`. One POST per change (alerts starting to fire, alerts resolving).
 */
import { fingerprint, type OutgoingAlert } from '../alert.js';
import { labelsToString } from '../../model/labels.js';
import { DeliveryQueue, postJson } from './delivery-queue.js';
import { endpointOf } from './endpoint.js';
import type { Notifier, NotifierDeps } from './notifier.js';

/** Alertmanager's "no end time" in webhook payloads. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function common(maps: Array<Record<string, string>>): Record<string, string> {
  if (maps.length === 0) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return out;
}

export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Array<OutgoingAlert & { fingerprint: string }>;
}

export function webhookPayload(alerts: OutgoingAlert[], externalURL: string): WebhookPayload {
  const commonLabels = common(alerts.map((a) => a.labels));
  const groupLabels: Record<string, string> = commonLabels.alertname !== undefined ? { alertname: commonLabels.alertname } : {};
  return {
    version: '4',
    groupKey: `{}:${labelsToString(groupLabels)}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'logsentinel',
    groupLabels,
    commonLabels,
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL,
    alerts: alerts.map((a) => ({ ...a, endsAt: a.status === 'firing' ? ZERO_TIME : a.endsAt, fingerprint: fingerprint(a.labels) })),
  };
}

export function createWebhookNotifier(urls: string[], deps: NotifierDeps): Notifier {
  const queues = urls.map(
    (url, i, all) => {
      const endpoint = endpointOf(url, all.length > 1 ? `alerting.webhookUrls[${i}]` : 'alerting.webhookUrls');
      return new DeliveryQueue<WebhookPayload>((p, signal) => postJson(endpoint, p, signal, `${p.alerts.length} alerts`), deps.delivery, deps.hooks('webhook'));
    },
  );
  return {
    name: 'webhook',
    resends: false,
    notify(alerts) {
      // One notification per status, like one Alertmanager group per state change.
      for (const status of ['firing', 'resolved'] as const) {
        const part = alerts.filter((a) => a.status === status);
        if (part.length === 0) continue;
        const p = webhookPayload(part, deps.externalUrl);
        for (const q of queues) q.push(p, part.length);
      }
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
