/**
 * The cross-pod tail against a real Redis: processors publish only tenants somebody tails, a
 * query pod's hub is armed once processors can have noticed its subscription, and batches
 * arrive in commit order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisTailPublisher, TAIL_INTEREST_TTL_MS } from './redis-tail-publisher.js';
import { RedisTailFeed } from './redis-tail-feed.js';
import { TailHub } from './tail-hub.js';
import type { TailSubscriber } from './tail-subscriber.js';
import type { WriteBatch } from '../../model/entry.js';
import { labelsToString, streamId } from '../../model/labels.js';
import { redisUnavailable, TEST_REDIS_URL, uniquePrefix } from '../../queue/redis-streams/testing/test-redis.js';

const skip = await redisUnavailable();

function batch(tenant: string, line: string): WriteBatch {
  const labels = { app: 'a' };
  return { tenant, streams: [{ labels, key: labelsToString(labels), id: streamId(tenant, labels), entries: [{ ts: 1n, line, level: 'info' }] }] };
}

/** A hub subscriber that records the lines of the batches it is offered. */
function recorder(tenants: string[]): { sub: TailSubscriber; lines: string[] } {
  const lines: string[] = [];
  const sub = { tenants, offer: (b: WriteBatch) => lines.push(...b.streams.flatMap((s) => s.entries.map((e) => e.line))) } as unknown as TailSubscriber;
  return { sub, lines };
}

describe('live tail across pods through Redis', () => {
  it('publishes only tenants somebody tails, in commit order, once the tail is armed', { skip, timeout: 20_000 }, async () => {
    const prefix = uniquePrefix('tail');
    const errors: unknown[] = [];
    const pub = new RedisTailPublisher({ url: TEST_REDIS_URL, prefix, onError: (e) => errors.push(e) });
    const hub = new TailHub();
    const feed = new RedisTailFeed(hub, { url: TEST_REDIS_URL, prefix, onError: (_w, e) => errors.push(e) });
    try {
      // Nobody tails: nothing is encoded or sent.
      pub.publish([batch('t1', 'unseen-1')]);
      pub.publish([batch('t1', 'unseen-2'), batch('t2', 'unseen-3')]);
      await pub.flush();
      assert.equal(pub.published, 0);

      const { sub, lines } = recorder(['t1']);
      hub.subscribe(sub);
      const t0 = Date.now();
      await hub.armed(['t1']);
      assert.ok(Date.now() - t0 >= TAIL_INTEREST_TTL_MS, 'armed only after processors can have asked again');

      for (let i = 0; i < 20; i++) pub.publish([batch('t1', `live-${i}`), batch('t2', `other-${i}`)]);
      await pub.flush();
      assert.equal(pub.published, 20, 'the tailed tenant only');
      const deadline = Date.now() + 5000;
      while (lines.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(lines, Array.from({ length: 20 }, (_, i) => `live-${i}`));
      assert.deepEqual(errors, []);
    } finally {
      await feed.close();
      await pub.close();
    }
  });
});
