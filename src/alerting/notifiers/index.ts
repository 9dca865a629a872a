/**
 * The notifier registry: which notifiers the configuration turns on. A literal switch, so a new
 * channel is one file plus one case here.
 */
import type { Notifier, NotifierDeps, NotifierName } from './notifier.js';
import { createAlertmanagerNotifier } from './alertmanager.js';
import { createSlackNotifier } from './slack.js';
import { createWebhookNotifier } from './webhook.js';

export interface NotifierTargets {
  alertmanagerUrls: string[];
  slackWebhookUrl: string;
  webhookUrls: string[];
}

const NAMES: NotifierName[] = ['alertmanager', 'slack', 'webhook'];

export function createNotifiers(t: NotifierTargets, deps: NotifierDeps): Notifier[] {
  const out: Notifier[] = [];
  for (const name of NAMES) {
    switch (name) {
      case 'alertmanager':
        if (t.alertmanagerUrls.length > 0) out.push(createAlertmanagerNotifier(t.alertmanagerUrls, deps));
        break;
      case 'slack':
        if (t.slackWebhookUrl) out.push(createSlackNotifier(t.slackWebhookUrl, deps));
        break;
      case 'webhook':
        if (t.webhookUrls.length > 0) out.push(createWebhookNotifier(t.webhookUrls, deps));
        break;
    }
  }
  return out;
}

export type { Notifier, NotifierName } from './notifier.js';
