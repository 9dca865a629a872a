import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpr, type MetricExpr } from '../../logql/index.js';
import { cacheKey, tenantSet, uncacheableReason } from './key.js';

const S = 1_000_000_000n;
const MIN = 60n * S;
const NOW = 29_396_666n * MIN + 20n * S; // 2025-11-22, not on a minute
const FRESH = 10n * MIN;

function metric(q: string): MetricExpr {
  const e = parseExpr(q);
  if (e.type === 'log_selector') throw new Error(`BUG: ${q} is a log query`);
  return e;
}

describe('query cache: which ranges are cacheable', () => {
  const f = (start: bigint, end: bigint, step: bigint, want: string | undefined): void => {
    assert.equal(uncacheableReason(start, end, step, NOW, FRESH), want, `${start}..${end} step ${step}`);
  };
  const old = ((NOW - 60n * MIN) / (5n * MIN)) * 5n * MIN; // about an hour ago, a multiple of 5 minutes
  const recent = (NOW / MIN) * MIN; // the last whole minute

  it('caches aligned ranges that ended before now − maxFreshness', () => {
    f(old - 30n * MIN, old, MIN, undefined);
    f(old, old, MIN, undefined);
    f(old - 30n * MIN, old, 5n * MIN, undefined);
    f(((NOW - FRESH) / MIN) * MIN - MIN, ((NOW - FRESH) / MIN) * MIN, MIN, undefined);
  });

  it('does not cache unaligned, recent or malformed ranges', () => {
    f(old - 30n * MIN + S, old, MIN, 'start is not a multiple of step');
    f(old - 30n * MIN, old + 1n, MIN, 'end is not a multiple of step');
    f(old - 30n * MIN, old, 7n * S, 'start is not a multiple of step');
    f(recent - 30n * MIN, recent, MIN, 'end is within maxFreshness of now');
    f(recent - 30n * MIN, recent - FRESH + MIN, MIN, 'end is within maxFreshness of now');
    f(old - 30n * MIN, old, 0n, 'step is not positive');
    f(old, old - MIN, MIN, 'end is before start');
  });
});

describe('query cache: keys', () => {
  const base = { tenants: ['acme'], expr: metric('sum by (service) (count_over_time({app="x"}[1m]))'), start: 0n, end: 60n * MIN, step: MIN };
  const key = (over: Partial<typeof base>): string => cacheKey('ls', { ...base, ...over });

  it('is the same for equivalent requests', () => {
    const f = (over: Partial<typeof base>): void => assert.equal(key(over), key({}), JSON.stringify(over, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    f({ expr: metric('sum   by(service)(count_over_time( {app="x"} [1m] ))') });
    f({ expr: metric('sum by (service) (count_over_time({app="x"}[60s]))') });
    f({ tenants: ['acme', 'acme'] });
  });

  it('differs when anything that changes the result differs', () => {
    const f = (over: Partial<typeof base>): void => assert.notEqual(key(over), key({}), JSON.stringify(Object.keys(over)));
    f({ tenants: ['other'] });
    f({ tenants: ['acme', 'other'] });
    f({ expr: metric('sum by (service) (count_over_time({app="y"}[1m]))') });
    f({ expr: metric('sum by (service) (rate({app="x"}[1m]))') });
    f({ start: MIN });
    f({ end: 61n * MIN });
    f({ step: 2n * MIN });
    assert.notEqual(cacheKey('other', base), key({}));
  });

  it('names the prefix and the tenant set', () => {
    assert.match(key({}), /^ls:qcache:v1:acme:[0-9a-f]{64}$/);
    assert.equal(tenantSet(['b', 'a', 'b']), 'a|b');
    assert.equal(key({ tenants: ['b', 'a'] }), key({ tenants: ['a', 'b'] }));
    assert.match(key({ tenants: ['b', 'a'] }), /^ls:qcache:v1:a\|b:/);
  });
});
