import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePush } from './decode.js';
import type { AppContext } from './context.js';
import { DecodePool } from '../ingest/offload/decode-pool.js';
import { runDecodeJob, type DecodeJob } from '../ingest/offload/decode-job.js';
import { DEFAULT_INGEST_LIMITS } from '../ingest/common/limits.js';
import { encodeLokiPushJson } from '../ingest/loki-push.js';

const NOW = 1_700_000_000_000_000_000n;
const job: DecodeJob = { kind: 'loki', contentType: 'application/json', contentEncoding: 'identity', tenant: 't', limits: DEFAULT_INGEST_LIMITS, nowNs: NOW, countBytes: true };
const body = Buffer.from(
  encodeLokiPushJson([
    { stream: { service: 'api' }, values: [[String(NOW - 2n), 'one'], [String(NOW - 1n), 'two']] },
    { stream: { service: 'db' }, values: [[String(NOW - 3n), 'three']] },
  ]),
);

/** A stream limit as the tenant limiter keeps it: at most `max` stream ids, admitted once. */
function limiter(max: number): { admit: (id: bigint) => boolean; active: Set<bigint> } {
  const active = new Set<bigint>();
  return { active, admit: (id) => active.has(id) || (active.size < max && active.add(id) !== undefined) };
}

describe('decodePush with the per-tenant stream limit', () => {
  // Every body goes to the worker, where the limit's function cannot go.
  const pool = new DecodePool({ workers: 1, inlineMaxBytes: 0 });
  const ctx = { decodePool: pool } as unknown as AppContext;
  after(() => pool.close());

  it('a body decoded on a worker has its streams admitted on the event loop', async () => {
    const l = limiter(10);
    const got = await decodePush(ctx, job, body, l.admit);
    assert.equal(got.accepted, 3);
    assert.equal(l.active.size, 2, 'both streams now count as active');
    assert.ok(got.acceptedBytes > 0, 'bytes counted for the rate limit');
  });

  it('a stream over the limit is refused exactly as on the event loop', async () => {
    const onLoop = runDecodeJob(job, body, limiter(1).admit);
    assert.equal(onLoop.accepted, 2);
    assert.equal(onLoop.reasons?.stream_limit, 1);
    const l = limiter(1);
    const viaWorker = await decodePush(ctx, job, body, l.admit);
    assert.deepEqual(viaWorker, onLoop);
    assert.equal(l.active.size, 1);
  });
});
