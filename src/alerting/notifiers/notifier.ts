/**
 * The notifier contract. `notify` hands alerts over and returns at once: delivery (with retries)
 * happens in the background on the notifier's own bounded queue, so nothing on the ingest or query
 * path ever waits for a receiver. Notifiers that `resends` get every (re-)send of a firing alert,
 * as Alertmanager expects; the others (chat, webhooks) only get changes: an alert starting to fire
 * and an alert resolving.
 */
import type { OutgoingAlert } from '../alert.js';
import type { DeliveryHooks, DeliveryOptions } from './delivery-queue.js';

/** The registry key, file name and `notifier` metric label are one string. */
export type NotifierName = 'alertmanager' | 'slack' | 'webhook';

export interface Notifier {
  readonly name: NotifierName;
  readonly resends: boolean;
  notify(alerts: OutgoingAlert[]): void;
  close(): Promise<void>;
}

export interface NotifierDeps {
  delivery: DeliveryOptions;
  /** Called with the notifier's name, so metrics can carry it. */
  hooks: (name: NotifierName) => DeliveryHooks;
  externalUrl: string;
}
