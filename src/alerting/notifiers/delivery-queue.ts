import type { Endpoint } from './endpoint.js';
import { scrubSecrets, scrubValue } from '../../config/redact.js';

/**
 * A bounded in-memory queue with one sender, retries and exponential backoff: what keeps a slow or
 * dead receiver away from ingest and queries. `push` never blocks and never throws; when the queue
 * is full the oldest item is dropped (and counted), so memory stays bounded whatever the receiver
 * does. Items are sent one at a time, in order; a failed send is retried after
 * min(maxBackoff, minBackoff × 2^(attempt-1)) until `maxAttempts`, except for answers that will
 * never succeed (4xx other than 408/429), which are dropped at once.
 */
export interface DeliveryOptions {
  capacity: number;
  timeoutMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  maxAttempts: number;
}

export interface DeliveryHooks {
  /** An item was delivered; `n` is its weight (alerts in it). */
  onSent?(n: number): void;
  /** One attempt failed. */
  onError?(err: Error, attempt: number): void;
  /** An item was given up (queue full or attempts exhausted). */
  onDrop?(n: number, why: string): void;
}

/** An error that retrying cannot fix (the receiver refused the payload). */
export class PermanentDeliveryError extends Error {}

export function backoffMs(attempt: number, o: Pick<DeliveryOptions, 'minBackoffMs' | 'maxBackoffMs'>): number {
  return Math.min(o.maxBackoffMs, o.minBackoffMs * 2 ** Math.max(0, attempt - 1));
}

export class DeliveryQueue<T> {
  private readonly items: Array<{ item: T; weight: number }> = [];
  private running = false;
  private closed = false;
  private wake?: () => void;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (item: T, signal: AbortSignal) => Promise<void>,
    private readonly opts: DeliveryOptions,
    private readonly hooks: DeliveryHooks = {},
  ) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T, weight = 1): void {
    if (this.closed) return;
    if (this.items.length >= this.opts.capacity) {
      const old = this.items.shift()!;
      this.hooks.onDrop?.(old.weight, 'queue full');
    }
    this.items.push({ item, weight });
    if (!this.running) {
      this.running = true;
      this.idle = this.run();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(res, ms);
      t.unref();
      this.wake = () => {
        clearTimeout(t);
        res();
      };
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.items.length > 0 && !this.closed) {
        const head = this.items[0];
        let attempt = 0;
        for (;;) {
          attempt++;
          try {
            await this.send(head.item, AbortSignal.timeout(this.opts.timeoutMs));
            this.hooks.onSent?.(head.weight);
            break;
          } catch (e) {
            const err = e instanceof Error ? e : new Error(String(e));
            this.hooks.onError?.(err, attempt);
            if (err instanceof PermanentDeliveryError || attempt >= this.opts.maxAttempts) {
              this.hooks.onDrop?.(head.weight, err instanceof PermanentDeliveryError ? 'refused' : 'attempts exhausted');
              break;
            }
            await this.sleep(backoffMs(attempt, this.opts));
            if (this.closed) return;
          }
        }
        // The head may have been dropped by push() while it was being sent.
        if (this.items[0] === head) this.items.shift();
      }
    } finally {
      this.running = false;
    }
  }

  /** Stops retrying; waits up to `graceMs` for the item in flight. Queued items are discarded. */
  async close(graceMs = 2000): Promise<void> {
    this.closed = true;
    this.wake?.();
    await Promise.race([this.idle, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }
}

/**
 * POSTs JSON; resolves on 2xx, throws `PermanentDeliveryError` on a 4xx that retrying cannot fix.
 * Messages name the endpoint redacted (endpoint.ts); the `cause` is scrubbed, as fetch errors
 * quote the URL.
 */
export async function postJson(endpoint: Endpoint, body: unknown, signal: AbortSignal, what: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(endpoint.url, { method: 'POST', headers: { ...endpoint.headers, 'content-type': 'application/json', 'user-agent': 'LogSentinel' }, body: JSON.stringify(body), signal });
  } catch (err) {
    const cause = (err as Error).name === 'TimeoutError' ? 'timed out' : ((err as { cause?: Error }).cause?.message ?? (err as Error).message);
    // eslint-disable-next-line preserve-caught-error -- the original error quotes a secret; its scrubbed copy is the cause
    throw new Error(`cannot send ${what} to ${endpoint.display}: ${scrubSecrets(cause)}`, { cause: scrubValue(err) });
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return;
  const msg = `cannot send ${what} to ${endpoint.display}: HTTP ${res.status} ${scrubSecrets(text.slice(0, 200).trim())}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentDeliveryError(msg);
  throw new Error(msg);
}
