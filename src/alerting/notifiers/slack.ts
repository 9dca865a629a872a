/**
 * Slack incoming webhook: `POST <url>` with `{text, blocks}`
 * (https://api.slack.com/messaging/webhooks). `text` is the notification fallback; `blocks` show up
 * to ten alerts with their summary. One message per change.
 */
import type { OutgoingAlert } from '../alert.js';
import { DeliveryQueue, postJson } from './delivery-queue.js';
import { endpointOf } from './endpoint.js';
import type { Notifier, NotifierDeps } from './notifier.js';

const MAX_BLOCK_ALERTS = 10;

function describe(a: OutgoingAlert): string {
  const { alertname, ...rest } = a.labels;
  const labels = Object.entries(rest)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${alertname ?? 'alert'}${labels ? ` (${labels})` : ''}`;
}

export interface SlackMessage {
  text: string;
  blocks: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } }>;
}

export function slackMessage(alerts: OutgoingAlert[]): SlackMessage {
  const status = alerts.some((a) => a.status === 'firing') ? 'FIRING' : 'RESOLVED';
  const text = `[${status}:${alerts.length}] ${alerts.map(describe).join('; ')}`.slice(0, 3000);
  const blocks: SlackMessage['blocks'] = alerts.slice(0, MAX_BLOCK_ALERTS).map((a) => {
    const icon = a.status === 'firing' ? ':red_circle:' : ':large_green_circle:';
    const summary = a.annotations.summary ?? a.annotations.description ?? '';
    return { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${a.status.toUpperCase()}* ${describe(a)}${summary ? `\n${summary}` : ''}`.slice(0, 3000) } };
  });
  if (alerts.length > MAX_BLOCK_ALERTS) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `… and ${alerts.length - MAX_BLOCK_ALERTS} more` } });
  return { text, blocks };
}

export function createSlackNotifier(url: string, deps: NotifierDeps): Notifier {
  const endpoint = endpointOf(url, 'alerting.slackWebhookUrl');
  const q = new DeliveryQueue<SlackMessage>((m, signal) => postJson(endpoint, m, signal, 'Slack message'), deps.delivery, deps.hooks('slack'));
  return {
    name: 'slack',
    resends: false,
    notify(alerts) {
      for (const status of ['firing', 'resolved'] as const) {
        const part = alerts.filter((a) => a.status === status);
        if (part.length > 0) q.push(slackMessage(part), part.length);
      }
    },
    close: () => q.close(),
  };
}
