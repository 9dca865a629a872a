/**
 * The ruler lease against the shared test Redis: one holder at a time, takeover after the TTL
 * when the holder stops renewing (as a dead pod does), immediate takeover after a release, and
 * a ruler that does not hold the lease neither evaluates nor notifies.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisLease, rulerLeaseKey } from './lease.js';
import { Ruler } from './ruler.js';
import { FileRuleStore } from './file-rule-store.js';
import type { Evaluator } from './engine-adapter.js';
import { deletePrefix, redisUnavailable, TEST_REDIS_URL, uniquePrefix } from '../queue/redis-streams/testing/test-redis.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const skip = await redisUnavailable();
/** Short, so the takeover test is quick; long enough that a loaded test machine still renews in time. */
const TTL = 1500;

describe('ruler lease', { skip }, () => {
  const prefix = uniquePrefix('lease');
  const leases: RedisLease[] = [];
  const lease = (holder: string, ttlMs = TTL): RedisLease => {
    const l = new RedisLease({ url: TEST_REDIS_URL, key: rulerLeaseKey(prefix), ttlMs, holder });
    leases.push(l);
    return l;
  };
  after(async () => {
    for (const l of leases) await l.stop();
    await deletePrefix(TEST_REDIS_URL, prefix);
  });

  it('has one holder; the other takes over once the holder stops renewing and the TTL passed', async () => {
    const a = lease('a');
    const b = lease('b');
    await a.start();
    await b.start();
    assert.equal(a.held(), true);
    assert.equal(b.held(), false);
    // Several renew periods (ttl/3) later, a still holds it and b still waits.
    await sleep(TTL + 200);
    assert.equal(a.held(), true);
    assert.equal(b.held(), false);

    // a "dies": it stops renewing. It stops considering itself the holder before the key expires…
    a.stopRenewing();
    await a.tick(); // a renewal in flight when it died may still land; none after this one
    const redis = new Redis(TEST_REDIS_URL, { protocol: 2 });
    const expiresAt = Date.now() + (await redis.pttl(rulerLeaseKey(prefix)));
    assert.equal(await redis.get(rulerLeaseKey(prefix)), 'a');
    redis.disconnect();
    await waitFor('a to give up', () => !a.held(), TTL);
    // …and b acquires only after a's key expired.
    await waitFor('b to acquire', () => b.held(), 3 * TTL);
    assert.ok(Date.now() >= expiresAt - 20, `b acquired ${expiresAt - Date.now()}ms before a's lease expired`);
    assert.equal(a.held(), false);
    assert.equal(await a.tick(), false, 'a, back from the dead, must not take the lease back');
  });

  it('releases on stop, so another takes over at once', async () => {
    const c = lease('c', 60_000);
    await c.start();
    const d = lease('d', 60_000);
    await d.start();
    // The first test's b may still hold it (long TTLs here): stop every holder but d.
    for (const l of leases) if (l !== d) await l.stop();
    assert.equal(await d.tick(), true);
    await d.stop();
    assert.equal(d.held(), false);
    const e = lease('e', 60_000);
    await e.start();
    assert.equal(e.held(), true);
  });
});

describe('ruler with a lease hook', () => {
  it('a ruler without the lease does not evaluate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-lease-rules-'));
    try {
      mkdirSync(join(dir, 'acme'));
      writeFileSync(join(dir, 'acme', 'ns.yaml'), ['groups:', '  - name: g', '    rules:', '      - record: r', '        expr: vector(1)'].join('\n'));
      let held = false;
      const calls: string[] = [];
      const evaluate: Evaluator = async (q) => {
        calls.push(q);
        return { type: 'scalar', value: 1 };
      };
      const ruler = new Ruler({ store: new FileRuleStore(dir), evaluate, defaultIntervalMs: 60_000, queryTimeoutMs: 1000, externalUrl: '', manual: true, active: () => held });
      await ruler.start();
      const [g] = ruler.list();
      await ruler.evaluateGroup(g);
      assert.deepEqual(calls, []);
      held = true;
      await ruler.evaluateGroup(g);
      assert.deepEqual(calls, ['vector(1)']);
      await ruler.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
