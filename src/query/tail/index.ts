/**
 * Live tail (Loki's `/loki/api/v1/tail`). Committed entries reach a TailHub — directly from the
 * embedded processor, or across pods through Redis pub/sub (processors publish with
 * RedisTailPublisher, query pods feed their hub with RedisTailFeed) — and each TailSubscriber
 * filters them with its compiled query and writes Loki tail messages to its WebSocket.
 * Delivery is best effort: entries that arrive while a subscriber's buffer is full are dropped
 * and reported in `dropped_entries`; a Redis outage loses live messages, never stored entries.
 */
export { TailHub, type TenantListener } from './tail-hub.js';
export { TailSubscriber, type TailMessage, type TailSubscriberOptions } from './tail-subscriber.js';
export { RedisTailPublisher, TAIL_INTEREST_TTL_MS } from './redis-tail-publisher.js';
export { RedisTailFeed } from './redis-tail-feed.js';
export { tailChannel, encodeTail, decodeTail } from './tail-wire.js';
