/**
 * Alertmanager v2 API: `POST <url>/api/v2/alerts` with `[{labels, annotations, startsAt, endsAt,
 * generatorURL}]` (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml).
 * Every Alertmanager of the list gets every alert (they deduplicate among themselves), each through
 * its own queue so a dead one does not delay the others. Batches hold at most 64 alerts, as
 * Prometheus sends them.
 */
import type { OutgoingAlert } from '../alert.js';
import { DeliveryQueue, postJson } from './delivery-queue.js';
import { endpointOf } from './endpoint.js';
import type { Notifier, NotifierDeps } from './notifier.js';

const MAX_BATCH = 64;

export function alertmanagerEndpoint(url: string): string {
  const u = url.replace(/\/+$/, '');
  return u.endsWith('/api/v2/alerts') ? u : u + '/api/v2/alerts';
}

export function createAlertmanagerNotifier(urls: string[], deps: NotifierDeps): Notifier {
  const queues = urls.map((url, i) => {
    const endpoint = endpointOf(alertmanagerEndpoint(url), urls.length > 1 ? `alerting.alertmanagerUrls[${i}]` : 'alerting.alertmanagerUrls');
    return new DeliveryQueue<OutgoingAlert[]>(
      (alerts, signal) =>
        postJson(
          endpoint,
          alerts.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt, generatorURL: a.generatorURL })),
          signal,
          `${alerts.length} alerts`,
        ),
      deps.delivery,
      deps.hooks('alertmanager'),
    );
  });
  return {
    name: 'alertmanager',
    resends: true,
    notify(alerts) {
      for (let i = 0; i < alerts.length; i += MAX_BATCH) {
        const batch = alerts.slice(i, i + MAX_BATCH);
        for (const q of queues) q.push(batch, batch.length);
      }
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
