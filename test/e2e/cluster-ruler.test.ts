/**
 * Cluster rulers end to end: an ingest and a process pod and TWO ruler pods sharing the Redis
 * lease (2 s TTL, 1 s evaluation interval) against a real Redis and PostgreSQL (private prefix
 * and schema, removed at the end). A rule created through one ruler's API is served by the other;
 * pushed lines make its alert fire; the lease holder is killed with SIGKILL and the survivor
 * takes over with the alert still firing and the same `activeAt` (the state went through
 * PostgreSQL). Skipped with the reason when Redis or PostgreSQL is unreachable, except in CI.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerHandle } from './harness.js';
import { clusterUnavailable, eventually, useCluster } from './cluster-fixture.js';

const skip = await clusterUnavailable();

const TENANT = 'ruler-e2e';
const H = { 'X-Scope-OrgID': TENANT };

const RULE = `name: takeover
interval: 1s
rules:
  - alert: RulerTakeover
    expr: sum(count_over_time({service="ruler-e2e"}[5m])) > 0
    for: 2s
    labels:
      severity: page
`;

interface Alert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

async function alerts(s: ServerHandle): Promise<Alert[]> {
  const r = await fetch(`${s.url}/prometheus/api/v1/alerts`, { headers: H });
  return ((await r.json()) as { data: { alerts: Alert[] } }).data.alerts.filter((a) => a.labels.alertname === 'RulerTakeover');
}

async function holds(s: ServerHandle): Promise<boolean> {
  return /^ruler_lease_held 1$/m.test(await (await fetch(`${s.url}/metrics`)).text());
}

describe('cluster rulers', { skip }, () => {
  const { start } = useCluster('ruler', { LOGSENTINEL_RULER_LEASE_TTL: '2s', LOGSENTINEL_RULER_EVALUATION_INTERVAL: '1s' });

  it('share rules through PostgreSQL, and a ruler taking over the lease keeps the alert firing with its activeAt', { timeout: 60_000 }, async () => {
    // The process pod creates the schema; the rest open it afterwards.
    await start('process');
    const [ingest, a, b] = await Promise.all([start('ingest'), start('ruler'), start('ruler')]);

    // A rule written on ruler A is served by ruler B: at once by the Loki rules API (it reads
    // PostgreSQL), within a poll by the Prometheus rules API (B's loaded rules).
    const post = await fetch(`${a.url}/loki/api/v1/rules/e2e-ns`, { method: 'POST', headers: { ...H, 'Content-Type': 'application/yaml' }, body: RULE });
    assert.equal(post.status, 202, await post.text());
    const listed = await fetch(`${b.url}/loki/api/v1/rules`, { headers: H });
    assert.equal(listed.status, 200);
    const yaml = await listed.text();
    assert.match(yaml, /^e2e-ns:$/m);
    assert.match(yaml, /alert: RulerTakeover/);
    await eventually(async () => {
      const r = (await (await fetch(`${b.url}/prometheus/api/v1/rules`, { headers: H })).json()) as { data: { groups: Array<{ name: string; file: string }> } };
      return r.data.groups.some((g) => g.name === 'takeover' && g.file === 'e2e-ns') ? true : undefined;
    }, 'ruler B loaded the rule written on ruler A', 10_000);

    // Lines that make the alert fire.
    const ts = BigInt(Date.now()) * 1_000_000n;
    const body = { streams: [{ stream: { service: 'ruler-e2e' }, values: [[ts.toString(), 'level=error boom'], [(ts + 1n).toString(), 'level=error boom again']] }] };
    const push = await fetch(`${ingest.url}/loki/api/v1/push`, { method: 'POST', headers: { ...H, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(push.status, 204, await push.text());

    const [holder, standby] = await eventually(async () => ((await holds(a)) ? [a, b] : (await holds(b)) ? [b, a] : undefined), 'one ruler holds the lease');
    assert.equal(await holds(standby), false, 'exactly one ruler holds the lease');
    const firing = await eventually(async () => {
      const got = await alerts(holder);
      return got.length === 1 && got[0].state === 'firing' ? got[0] : undefined;
    }, 'the alert fires on the lease holder', 20_000);
    // The standby shows the holder's state once it was saved to PostgreSQL.
    await eventually(async () => {
      const got = await alerts(standby);
      return got.length === 1 && got[0].state === 'firing' && got[0].activeAt === firing.activeAt ? true : undefined;
    }, 'the standby shows the firing alert from the saved state', 10_000);

    const killedAt = Date.now();
    await holder.kill9();
    await eventually(async () => ((await holds(standby)) ? true : undefined), 'the survivor acquires the lease', 10_000);
    // The survivor evaluates after the takeover; the alert is still firing since the same activeAt.
    await eventually(async () => {
      const r = (await (await fetch(`${standby.url}/prometheus/api/v1/rules`, { headers: H })).json()) as { data: { groups: Array<{ name: string; lastEvaluation: string }> } };
      const g = r.data.groups.find((x) => x.name === 'takeover');
      return g && Date.parse(g.lastEvaluation) > killedAt ? true : undefined;
    }, 'the survivor evaluates the rule', 10_000);
    const after = await alerts(standby);
    assert.equal(after.length, 1);
    assert.equal(after[0].state, 'firing', 'still firing, not restarted as pending');
    assert.equal(after[0].activeAt, firing.activeAt, 'the same activeAt');
    // A restarted pending alert would have a new activeAt; give it a few evaluations to be sure.
    await new Promise((r) => setTimeout(r, 2500));
    const later = await alerts(standby);
    assert.deepEqual(
      later.map((x) => [x.state, x.activeAt]),
      [['firing', firing.activeAt]],
    );
  });
});
