/**
 * scripts/check-stack.ts against a real stack: LogSentinel (startServer), the demo API and a real
 * Prometheus (Debian's, on a free port) that scrapes both and loads the alerting rules. The
 * dashboards must pass with data required; a broken dashboard and an unreachable Prometheus must
 * fail with a clear list; `--token` reaches LogSentinel as a Bearer token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { checkStack, formatReport } from '../../deploy/grafana/src/stack-check.js';
import { DASHBOARDS_DIR } from '../../deploy/grafana/src/build.js';
import { freePort, removeDir, ROOT, startServer, tempDataDir, type ServerHandle } from '../e2e/harness.js';
import { startDemo, type Demo } from './demo.js';
import { alertingRules, RULES } from './rules.js';
import { pushCorpus } from './sample-data.js';
import { PROMETHEUS, toolPath } from './tools.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value, failing with `what` after 60 s (a bound, not a timing assertion). */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(250);
  }
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  return (await r.json()) as T;
}

/** Runs the command line (asynchronously: the test's own proxy must keep answering). */
function cli(args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/check-stack.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.once('error', reject);
    p.once('exit', (status) => resolve({ status, output }));
  });
}

describe('check-stack against LogSentinel, the demo API and Prometheus', { skip: PROMETHEUS.skip }, () => {
  let s: ServerHandle | undefined;
  let demo: Demo | undefined;
  let prom: ChildProcess | undefined;
  let promExited: Promise<unknown> | undefined;
  let promOut = '';
  let promUrl = '';
  let proxy: Server | undefined;
  let proxyUrl = '';
  const authorizations: Array<string | undefined> = [];
  const dir = tempDataDir('ls-check-stack-');

  before(async () => {
    s = await startServer();
    await pushCorpus(s.url);
    demo = await startDemo(s.url);

    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(ROOT, RULES)],
        scrape_configs: [
          { job_name: 'logsentinel', static_configs: [{ targets: [new URL(s.url).host] }] },
          { job_name: 'demo-api', static_configs: [{ targets: [new URL(demo.url).host] }] },
        ],
      }),
    );
    prom = spawn(toolPath(PROMETHEUS), [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    promExited = new Promise((r) => prom?.once('exit', r));
    prom.stdout?.on('data', (d: Buffer) => (promOut += d.toString()));
    prom.stderr?.on('data', (d: Buffer) => (promOut += d.toString()));
    await waitFor(`Prometheus to be ready:\n${promOut}`, async () => ((await fetch(promUrl + '/-/ready')).status === 200 ? true : undefined));
    await waitFor('Prometheus to scrape LogSentinel and the demo', async () => {
      const names = (await getJson<{ data: string[] }>(promUrl + '/api/v1/label/__name__/values')).data;
      return ['logs_received_total', 'http_requests_total', 'app_request_count', 'app_request_latency_seconds_bucket'].every((n) => names.includes(n)) ? true : undefined;
    });
    // Stopping the real demo pushes the log lines it still buffers.
    await demo.stop();
    demo = undefined;

    // A pass-through to LogSentinel that records the Authorization header of every request.
    const target = s.url;
    proxy = createServer((req, res) => {
      authorizations.push(req.headers.authorization);
      void fetch(target + (req.url ?? '/'), { method: req.method }).then(
        async (r) => res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' }).end(Buffer.from(await r.arrayBuffer())),
        (err: Error) => res.writeHead(502).end(err.message),
      );
    });
    await new Promise<void>((r) => proxy?.listen(0, '127.0.0.1', r));
    const addr = proxy.address();
    if (addr === null || typeof addr === 'string') throw new Error('BUG: proxy listens on no TCP port');
    proxyUrl = `http://127.0.0.1:${addr.port}`;
  });

  after(async () => {
    await demo?.stop();
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    if (prom && prom.exitCode === null) {
      prom.kill('SIGTERM');
      await promExited;
    }
    if (s) {
      await s.stop();
      removeDir(s.dataDir);
    }
    removeDir(dir);
  });

  it('every dashboard query passes, LogQL with data', async () => {
    assert.ok(s);
    const report = await checkStack({ prometheusUrl: promUrl, logsentinelUrl: s.url, requireData: true });
    const text = formatReport(report);
    assert.deepEqual(report.failures, [], text);
    assert.ok(report.findings.filter((f) => f.language === 'promql').length > 40, text);
    assert.ok(report.findings.filter((f) => f.language === 'logql' && f.status === 'ok').length > 10, text);
    // Variables resolve: job/instance from LogSentinel's series, endpoint from the demo's, service from LogSentinel.
    for (const v of ['$job', '$instance', '$endpoint', '$service']) {
      assert.equal(report.findings.find((f) => f.what === v)?.status, 'ok', `${v}\n${text}`);
    }
  });

  it('Prometheus loads the alerting rules and evaluates each without error', async () => {
    const rules = await waitFor('every rule to be evaluated', async () => {
      const body = await getJson<{ data: { groups: Array<{ rules: Array<{ name: string; type: string; health: string; lastError?: string }> }> } }>(promUrl + '/api/v1/rules');
      const all = body.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
    });
    assert.deepEqual(
      rules.map((r) => r.name),
      alertingRules().map((r) => r.alert),
    );
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  });

  it('the command line passes, sending --token to LogSentinel', async () => {
    const r = await cli(['--prometheus', promUrl, '--logsentinel', proxyUrl, '--token', 't0k', '--require-data']);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /queries checked: \d+ ok, \d+ without data, 0 failed/);
    assert.ok(authorizations.length > 10, 'the checks did not go through the proxy');
    assert.deepEqual([...new Set(authorizations)], ['Bearer t0k']);
  });

  it('the command line fails with a list naming a missing metric and a broken LogQL query', async () => {
    assert.ok(s);
    const broken = join(dir, 'broken-dashboards');
    mkdirSync(broken, { recursive: true });
    const ops = readFileSync(join(DASHBOARDS_DIR, 'logsentinel-operations.json'), 'utf8').replace('sum(rate(logs_received_total{', 'sum(rate(logs_recieved_total{');
    const logs = readFileSync(join(DASHBOARDS_DIR, 'logs-overview.json'), 'utf8').replace('"expr": "{service=~\\"$service\\", level=~\\"error|critical\\"}"', '"expr": "{service=~\\"$service\\"} |= "');
    assert.match(ops, /logs_recieved_total/);
    assert.match(logs, /\|= "/);
    writeFileSync(join(broken, 'logsentinel-operations.json'), ops);
    writeFileSync(join(broken, 'logs-overview.json'), logs);
    const r = await cli(['--prometheus', promUrl, '--logsentinel', s.url, '--dashboards', broken]);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /\d+ failed:/);
    assert.match(r.output, /Ingest rate \[A\]: metrics not in Prometheus: logs_recieved_total/);
    assert.match(r.output, /Recent errors \[A\]: cannot parse: parse error at line 1/);
  });

  it('the command line exits 2 when Prometheus cannot be reached', async () => {
    assert.ok(s);
    const r = await cli(['--prometheus', `http://127.0.0.1:${await freePort()}`, '--logsentinel', s.url]);
    assert.equal(r.status, 2, r.output);
    assert.match(r.output, /cannot check the stack: /);
  });
});
