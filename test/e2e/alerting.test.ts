/**
 * Alerting end to end: a real Alertmanager (Debian's prometheus-alertmanager) routing to a webhook
 * served by this test, LogSentinel started with its URL, a critical entry pushed and its alert
 * looked up in Alertmanager within 5 seconds; then the rules API and a rule that fires and resolves
 * through the generic webhook notifier; alert state across a restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, removeDir, startServer, tempDataDir, type ServerHandle } from './harness.js';

const AM_BIN = '/usr/bin/prometheus-alertmanager';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Received {
  path: string;
  body: { status?: string; alerts?: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }> };
}

async function receiver(): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      try {
        got.push({ path: req.url ?? '', body: JSON.parse(data) as Received['body'] });
      } catch {
        got.push({ path: req.url ?? '', body: {} });
      }
      res.writeHead(200).end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${port}`, got };
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('alerting with a real Alertmanager', { skip: existsSync(AM_BIN) || process.env.CI === 'true' ? false : `${AM_BIN} is not installed (apt-get install prometheus-alertmanager)` }, () => {
  let am: ChildProcess;
  let amUrl = '';
  let amOut = '';
  let amDir = '';
  let hook: Awaited<ReturnType<typeof receiver>>;
  let direct: Awaited<ReturnType<typeof receiver>>;
  let ls: ServerHandle;

  before(async () => {
    hook = await receiver();
    direct = await receiver();
    amDir = tempDataDir('ls-am-');
    const cfg = join(amDir, 'am.yml');
    writeFileSync(
      cfg,
      [
        'route:',
        '  receiver: test',
        '  group_by: [alertname, service]',
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: test',
        '    webhook_configs:',
        `      - url: ${hook.url}/am`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(AM_BIN, [`--config.file=${cfg}`, `--storage.path=${join(amDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
    am.stdout!.on('data', (d: Buffer) => (amOut += d.toString()));
    am.stderr!.on('data', (d: Buffer) => (amOut += d.toString()));
    await until('Alertmanager to be ready', 20_000, async () => {
      if (am.exitCode !== null) throw new Error(`alertmanager exited:\n${amOut}`);
      const r = await fetch(`${amUrl}/-/ready`).catch(() => undefined);
      return r?.status === 200 ? true : undefined;
    });
    ls = await startServer({
      env: {
        LOGSENTINEL_ALERTING_ALERTMANAGER_URLS: amUrl,
        LOGSENTINEL_ALERTING_WEBHOOK_URLS: `${direct.url}/direct`,
        LOGSENTINEL_ALERTING_CRITICAL_WINDOW: '3s',
        LOGSENTINEL_RULER_EVALUATION_INTERVAL: '1s',
      },
    });
  });

  after(async () => {
    await ls?.stop();
    if (ls) removeDir(ls.dataDir);
    if (am && am.exitCode === null) {
      am.kill('SIGTERM');
      await new Promise((r) => am.once('exit', r));
    }
    hook?.server.close();
    direct?.server.close();
    if (amDir) removeDir(amDir);
  });

  it('a critical entry reaches Alertmanager and its receiver within 5 s, then resolves', async (t) => {
    const ts = (BigInt(Date.now()) * 1_000_000n).toString();
    const pushedAt = Date.now();
    const r = await fetch(ls.url + '/loki/api/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Scope-OrgID': 'acme' },
      body: JSON.stringify({
        streams: [
          { stream: { service: 'payments', env: 'prod' }, values: [[ts, 'level=critical msg="database unreachable"\nstack trace line'], [ts, 'level=info msg="ok"']] },
          { stream: { service: 'web' }, values: [[ts, 'level=info msg="fine"']] },
        ],
      }),
    });
    assert.equal(r.status, 204);
    type AmAlert = { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string } };
    const inAm = await until('the alert in Alertmanager', 5000, async () => {
      const list = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];
      return list.find((a) => a.labels.alertname === 'CriticalLogEntry');
    });
    const elapsed = Date.now() - pushedAt;
    assert.ok(elapsed < 5000, `alert took ${elapsed} ms`);
    t.diagnostic(`CriticalLogEntry visible in Alertmanager ${elapsed} ms after the push was sent`);
    assert.deepEqual(
      { ...inAm.labels },
      { alertname: 'CriticalLogEntry', severity: 'critical', tenant: 'acme', service: 'payments', level: 'critical' },
    );
    assert.equal(inAm.annotations.summary, 'level=critical msg="database unreachable"');
    assert.equal(inAm.annotations.count, '1');
    assert.equal(inAm.status.state, 'active');

    const fromAm = await until('the Alertmanager webhook', 5000, () => hook.got.find((g) => g.body.status === 'firing'));
    assert.equal(fromAm.body.alerts?.[0].labels.service, 'payments');
    const fromUs = await until('the direct webhook', 5000, () => direct.got.find((g) => g.body.status === 'firing'));
    assert.equal(fromUs.body.alerts?.[0].labels.alertname, 'CriticalLogEntry');

    const alerts = (await (await fetch(ls.url + '/prometheus/api/v1/alerts', { headers: { 'X-Scope-OrgID': 'acme' } })).json()) as {
      status: string;
      data: { alerts: Array<{ labels: Record<string, string>; state: string; value: string }> };
    };
    assert.equal(alerts.status, 'success');
    assert.equal(alerts.data.alerts.length, 1);
    assert.equal(alerts.data.alerts[0].state, 'firing');
    assert.equal(alerts.data.alerts[0].value, '1e+00');
    const other = (await (await fetch(ls.url + '/prometheus/api/v1/alerts', { headers: { 'X-Scope-OrgID': 'other' } })).json()) as { data: { alerts: unknown[] } };
    assert.equal(other.data.alerts.length, 0, 'alerts do not cross tenants');

    // Quiet for the 3 s window: resolved in LogSentinel, Alertmanager and both receivers.
    await until('the resolution at the direct webhook', 10_000, () => direct.got.find((g) => g.body.status === 'resolved'));
    await until('the resolution from Alertmanager', 10_000, () => hook.got.find((g) => g.body.status === 'resolved'));
    assert.equal(direct.got.filter((g) => g.body.status === 'firing').length, 1, 'one firing notification per window');
    const metrics = await (await fetch(ls.url + '/metrics')).text();
    assert.match(metrics, /^alerts_sent_total\{notifier="alertmanager"\} [1-9]/m);
    assert.match(metrics, /^alerts_sent_total\{notifier="webhook"\} 2$/m);
    assert.match(metrics, /^critical_log_entries_total\{tenant="acme"\} 1$/m);
    assert.match(metrics, /^alerts_firing 0$/m);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    if (!lint.error) assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
  });

  it('rules API: POST a group (202), read it back as YAML, invalid groups are 400 naming the rule, DELETE (202)', async () => {
    const h = { 'X-Scope-OrgID': 'team-a', 'content-type': 'application/yaml' };
    const none = await fetch(ls.url + '/loki/api/v1/rules', { headers: h });
    assert.equal(none.status, 404);
    const group = 'name: errors\ninterval: 1s\nrules:\n  - alert: ManyErrors\n    expr: sum(count_over_time({service="api"} |= "error" [1m])) > 10\n    for: 1m\n    labels:\n      severity: page\n    annotations:\n      summary: "{{ $value }} errors"\n';
    const post = await fetch(ls.url + '/loki/api/v1/rules/ns1', { method: 'POST', headers: h, body: group });
    assert.equal(post.status, 202, await post.clone().text());
    assert.deepEqual(await post.json(), { status: 'success', data: null, errorType: '', error: '' });
    const all = await fetch(ls.url + '/loki/api/v1/rules', { headers: h });
    assert.equal(all.status, 200);
    assert.match(all.headers.get('content-type') ?? '', /yaml/);
    const text = await all.text();
    assert.match(text, /^ns1:\n {2}- name: errors\n/);
    assert.match(text, /alert: ManyErrors/);
    const one = await fetch(ls.url + '/loki/api/v1/rules/ns1/errors', { headers: h });
    assert.equal(one.status, 200);
    assert.match(await one.text(), /^name: errors\n/);
    assert.equal((await fetch(ls.url + '/loki/api/v1/rules/ns1/nope', { headers: h })).status, 404);
    assert.equal(existsSync(join(ls.dataDir, 'rules', 'team-a', 'ns1.yaml')), true, 'persisted in the rules directory');

    const bad = await fetch(ls.url + '/loki/api/v1/rules/ns1', { method: 'POST', headers: h, body: 'name: bad\nrules:\n  - alert: LogQuery\n    expr: \'{service="api"}\'\n' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /group "bad" rule 1 \(alert "LogQuery"\): .*log query/);

    const prom = (await (await fetch(ls.url + '/prometheus/api/v1/rules', { headers: h })).json()) as { status: string; data: { groups: Array<{ name: string; file: string; rules: Array<{ name: string; type: string; health: string; state?: string }> }> } };
    assert.equal(prom.status, 'success');
    const g = prom.data.groups.find((x) => x.name === 'errors');
    assert.ok(g);
    assert.equal(g.file, 'ns1');
    assert.equal(g.rules[0].name, 'ManyErrors');
    assert.equal(g.rules[0].type, 'alerting');

    const del = await fetch(ls.url + '/loki/api/v1/rules/ns1/errors', { method: 'DELETE', headers: h });
    assert.equal(del.status, 202);
    assert.equal((await fetch(ls.url + '/loki/api/v1/rules/ns1', { method: 'DELETE', headers: h })).status, 404);
  });

  it('a rule fires and resolves through Alertmanager and the webhook notifier', async () => {
    const h = { 'X-Scope-OrgID': 'team-b', 'content-type': 'application/yaml' };
    const group = [
      'name: flappy',
      'interval: 1s',
      'rules:',
      '  - alert: FlappyErrors',
      '    expr: sum by (service) (count_over_time({service="flappy"} |= "error" [3s])) > 0',
      '    for: 1s',
      '    labels:',
      '      severity: warning',
      '    annotations:',
      '      summary: "{{ $labels.service }} logged {{ $value }} errors"',
      '  - record: flappy:errors:count3s',
      '    expr: sum by (service) (count_over_time({service="flappy"} |= "error" [3s]))',
      '',
    ].join('\n');
    assert.equal((await fetch(ls.url + '/loki/api/v1/rules/ns', { method: 'POST', headers: h, body: group })).status, 202);
    const ts = (BigInt(Date.now()) * 1_000_000n).toString();
    const push = await fetch(ls.url + '/loki/api/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Scope-OrgID': 'team-b' },
      body: JSON.stringify({ streams: [{ stream: { service: 'flappy' }, values: [[ts, 'error one'], [String(BigInt(ts) + 1n), 'error two']] }] }),
    });
    assert.equal(push.status, 204);
    const isFlappy = (g: Received, status: string): boolean => g.body.status === status && g.body.alerts?.[0]?.labels.alertname === 'FlappyErrors';
    const fired = await until('FlappyErrors at the webhook', 15_000, () => direct.got.find((g) => isFlappy(g, 'firing')));
    assert.equal(fired.body.alerts?.[0].annotations.summary, 'flappy logged 2 errors');
    await until('FlappyErrors in Alertmanager', 5000, async () => {
      const list = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
      return list.find((a) => a.labels.alertname === 'FlappyErrors');
    });
    const metrics = await (await fetch(ls.url + '/metrics')).text();
    assert.match(metrics, /^flappy:errors:count3s\{service="flappy",tenant="team-b"\} 2$/m);
    // Recorded series are queryable too, per tenant.
    const rec = async (tenant: string, q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> =>
      ((await (await fetch(ls.url + '/prometheus/api/v1/query?' + new URLSearchParams({ query: q }), { headers: { 'X-Scope-OrgID': tenant } })).json()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      }).data.result;
    const got = await rec('team-b', 'flappy:errors:count3s{service="flappy"}');
    assert.deepEqual(got.map((x) => [x.metric, x.value[1]]), [[{ __name__: 'flappy:errors:count3s', service: 'flappy', tenant: 'team-b' }, '2']]);
    assert.deepEqual(await rec('team-b', 'flappy:errors:count3s{service="other"}'), []);
    assert.deepEqual(await rec('someone-else', 'flappy:errors:count3s'), []);
    assert.match(metrics, /^ruler_evaluations_total [1-9]/m);
    // The entries age out of the 3 s range: the alert resolves everywhere.
    await until('FlappyErrors resolved at the webhook', 15_000, () => direct.got.find((g) => isFlappy(g, 'resolved')));
    await until('FlappyErrors resolved by Alertmanager', 10_000, () => hook.got.find((g) => g.body.status === 'resolved' && g.body.alerts?.[0]?.labels.alertname === 'FlappyErrors'));
    assert.equal(direct.got.filter((g) => isFlappy(g, 'firing')).length, 1);
    assert.equal(direct.got.filter((g) => isFlappy(g, 'resolved')).length, 1);
    assert.equal((await fetch(ls.url + '/loki/api/v1/rules/ns', { method: 'DELETE', headers: h })).status, 202);
  });
});

describe('alert state across a restart', () => {
  it('a firing critical alert is still firing after the server restarts on the same data directory', async () => {
    const dataDir = tempDataDir();
    const env = { LOGSENTINEL_ALERTING_CRITICAL_WINDOW: '10m' };
    let s = await startServer({ dataDir, env });
    try {
      const ts = (BigInt(Date.now()) * 1_000_000n).toString();
      const r = await fetch(s.url + '/loki/api/v1/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream: { service: 'db' }, values: [[ts, 'CRITICAL: disk full']] }] }),
      });
      assert.equal(r.status, 204);
      const read = async (url: string): Promise<Array<{ labels: Record<string, string>; activeAt: string }>> =>
        ((await (await fetch(url + '/prometheus/api/v1/alerts')).json()) as { data: { alerts: Array<{ labels: Record<string, string>; activeAt: string }> } }).data.alerts;
      const before = await until('the alert', 5000, async () => (await read(s.url)).find((a) => a.labels.service === 'db'));
      await s.stop();
      s = await startServer({ dataDir, env });
      const after = (await read(s.url)).find((a) => a.labels.service === 'db');
      assert.ok(after, 'alert restored');
      assert.equal(after.activeAt, before.activeAt);
    } finally {
      await s.stop();
      removeDir(dataDir);
    }
  });
});
