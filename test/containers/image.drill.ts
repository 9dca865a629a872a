/**
 * The image drill: the LogSentinel image (LOGSENTINEL_IMAGE) runs read-only as uid 10001 with
 * every capability dropped; a push and a query go through it; SIGTERM during a stream of pushes
 * exits 0, SIGKILL during another loses nothing acknowledged, and containers started again on the
 * same volume hold every acknowledged entry exactly once.
 *
 * Run by .ci/containers.sh (node --test); needs a Docker engine and a built image.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { docker, dockerAsync, engineProblem, inspectState, request, waitFor } from './docker.js';
import { freePort } from '../../src/testing/free-port.js';
import { generateToken } from '../../src/auth/token.js';
import { registerSecret } from '../../src/testing/secrets.js';

const IMAGE = process.env.LOGSENTINEL_IMAGE ?? '';
const skip = IMAGE === '' ? 'LOGSENTINEL_IMAGE is not set' : engineProblem();
if (skip && process.env.CI === 'true') throw new Error(`cannot run the image drill in CI: ${skip}`);

const tag = randomBytes(3).toString('hex');
// Authentication is on in the image, as for users: every container accepts this admin token.
const TOKEN = generateToken().token;
registerSecret(TOKEN);
const AUTH = { Authorization: `Bearer ${TOKEN}` };
// `docker run -e NAME` copies it from this environment, so it is not in any argument list.
process.env.LOGSENTINEL_AUTH_ADMIN_TOKEN = TOKEN;
const net = `ls-drill-${tag}`;
const volume = `ls-drill-data-${tag}`;
const started: string[] = [];

interface Run {
  name: string;
  url: string;
}

/** One container of the image, as a user would run it hardened, on the drill's volume. */
async function runContainer(label: string): Promise<Run> {
  const name = `ls-drill-${label}-${tag}`;
  const port = await freePort();
  docker('run', '-d', '--name', name, '--network', net, '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--user', '10001',
    '-p', `127.0.0.1:${port}:3100`, '-v', `${volume}:/var/lib/logsentinel`, '-e', 'LOGSENTINEL_SERVER_LOG_LEVEL=info', '-e', 'LOGSENTINEL_AUTH_ADMIN_TOKEN', IMAGE);
  started.push(name);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} ready`, async () => ((await request(url + '/health/readiness', {}, 2000)).ok ? true : undefined), 60_000, 250);
  return { name, url };
}

const BASE = BigInt(Date.now()) * 1_000_000n - 60_000_000_000n;

function batch(worker: number, seq: number, n: number): { body: string; lines: string[] } {
  const lines: string[] = [];
  const values: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) {
    const line = `w${worker} seq${seq} i${i} level=info msg="container drill"`;
    lines.push(line);
    values.push([(BASE + BigInt(worker) * 100_000_000n + BigInt(seq * n + i)).toString(), line]);
  }
  return { body: JSON.stringify({ streams: [{ stream: { service: 'drill', worker: String(worker) }, values }] }), lines };
}

/**
 * Pushes batches from 4 workers until `stop()`; a batch counts as acknowledged on 204 only. A
 * refusal (503 while closing) or a refused connection means not stored; a connection that broke
 * after the request went out is ambiguous and recorded as such.
 */
function pushers(url: string, workerBase: number): { acked: string[]; ambiguous: string[]; refused: number; stop: () => Promise<void> } {
  const state = { acked: [] as string[], ambiguous: [] as string[], refused: 0 };
  let stopping = false;
  const work = async (w: number): Promise<void> => {
    for (let seq = 0; !stopping; seq++) {
      const b = batch(workerBase + w, seq, 100);
      try {
        const r = await request(url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: b.body });
        await r.arrayBuffer();
        if (r.status === 204) state.acked.push(...b.lines);
        else state.refused++;
      } catch (err) {
        const code = ((err as Error).cause as { code?: string } | undefined)?.code;
        if (code === 'ECONNREFUSED') state.refused++;
        else state.ambiguous.push(...b.lines);
        return;
      }
    }
  };
  const workers = [0, 1, 2, 3].map((w) => work(w));
  return Object.assign(state, {
    stop: async () => {
      stopping = true;
      await Promise.all(workers);
    },
  });
}

/** Every stored line of `{service="drill"}`, oldest first, page by page (limit 5000 each). */
async function storedLines(url: string): Promise<string[]> {
  const out: string[] = [];
  let start = BASE - 1_000_000_000n;
  const end = BigInt(Date.now()) * 1_000_000n + 60_000_000_000n;
  for (;;) {
    const q = new URLSearchParams({ query: '{service="drill"}', start: start.toString(), end: end.toString(), limit: '5000', direction: 'forward' });
    const r = await request(`${url}/loki/api/v1/query_range?${q}`, { headers: AUTH });
    assert.equal(r.status, 200, await r.clone().text());
    const j = (await r.json()) as { data: { result: Array<{ values: Array<[string, string]> }> } };
    const page = j.data.result.flatMap((s) => s.values).sort((a, b) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1));
    out.push(...page.map((v) => v[1]));
    if (page.length < 5000) return out;
    start = BigInt(page[page.length - 1][0]) + 1n;
  }
}

describe('the LogSentinel image', { skip }, () => {
  const acked: string[] = [];
  const ambiguous: Record<string, string[]> = {};

  before(() => {
    docker('network', 'create', net);
    docker('volume', 'create', volume);
  });
  after(() => {
    for (const c of started) {
      try {
        docker('rm', '-f', '-v', c);
      } catch {
        // already gone
      }
    }
    for (const [kind, name] of [['volume', volume], ['network', net]]) {
      try {
        docker(kind, 'rm', name);
      } catch {
        // already gone
      }
    }
  });

  it('declares a non-root user, the port, a volume, a readiness healthcheck and OCI labels', () => {
    const [img] = JSON.parse(docker('image', 'inspect', IMAGE)) as Array<{ Config: { User: string; ExposedPorts: Record<string, unknown>; Volumes: Record<string, unknown>; Healthcheck?: { Test: string[] }; Labels: Record<string, string>; Entrypoint: string[] } }>;
    assert.equal(img.Config.User, '10001:10001');
    assert.ok('3100/tcp' in img.Config.ExposedPorts);
    assert.ok('/var/lib/logsentinel' in img.Config.Volumes);
    assert.match(img.Config.Healthcheck?.Test.join(' ') ?? '', /health\/readiness/);
    for (const l of ['org.opencontainers.image.version', 'org.opencontainers.image.revision', 'org.opencontainers.image.source']) assert.ok(img.Config.Labels[l], `label ${l}`);
    assert.deepEqual(img.Config.Entrypoint, ['node', '/app/dist/main.js']);
  });

  it('runs every role from one image: --help of serve and loadgen', () => {
    const help = docker('run', '--rm', '--network', 'none', IMAGE, '--help');
    for (const role of ['serve', 'ingest', 'process', 'query', 'ruler', 'loadgen']) assert.match(help, new RegExp(`\\b${role}\\b`));
    assert.match(docker('run', '--rm', '--network', 'none', IMAGE, 'loadgen', '--help'), /--count/);
  });

  it('runs read-only as uid 10001, takes a push, answers a query, and stops cleanly on SIGTERM during pushes', async (t) => {
    const c = await runContainer('a');
    assert.equal(docker('exec', c.name, 'id', '-u').trim(), '10001');
    assert.throws(() => docker('exec', c.name, 'sh', '-c', 'echo x > /app/x'), /Read-only file system/);
    const [ctr] = JSON.parse(docker('inspect', c.name)) as Array<{ HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] } }>;
    assert.equal(ctr.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(ctr.HostConfig.CapDrop, ['ALL']);

    const first = batch(99, 0, 3);
    const unauthenticated = await request(c.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: first.body });
    assert.equal(unauthenticated.status, 401, 'authentication is on by default');
    const push = await request(c.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: first.body });
    assert.equal(push.status, 204);
    const q = await request(`${c.url}/loki/api/v1/query_range?${new URLSearchParams({ query: '{service="drill", worker="99"}', start: (BASE - 1n).toString(), limit: '10' })}`, { headers: AUTH });
    const qj = (await q.json()) as { data: { result: Array<{ values: unknown[] }> } };
    assert.equal(qj.data.result.reduce((n, s) => n + s.values.length, 0), 3);
    await waitFor('the healthcheck to pass', () => (inspectState(c.name).health === 'healthy' ? true : undefined), 60_000);

    const p = pushers(c.url, 0);
    await waitFor('acknowledged pushes', () => (p.acked.length >= 3000 ? true : undefined), 60_000, 50);
    await dockerAsync('stop', '-t', '30', c.name);
    await p.stop();
    const st = inspectState(c.name);
    assert.equal(st.exitCode, 0, docker('logs', '--tail', '20', c.name));
    assert.match(docker('logs', c.name), /"msg":"stopped"/);
    // A connection the published port's proxy accepted after LogSentinel closed its listener
    // breaks without an answer: such a batch was never taken, but the client cannot know that.
    t.diagnostic(`SIGTERM: ${p.acked.length} lines acknowledged, ${p.refused} pushes refused while stopping, ${p.ambiguous.length} lines without an answer`);
    acked.push(...first.lines, ...p.acked);
    ambiguous['SIGTERM'] = p.ambiguous;
  });

  it('loses nothing acknowledged when killed with SIGKILL during pushes', async (t) => {
    const c = await runContainer('b');
    const p = pushers(c.url, 10);
    await waitFor('acknowledged pushes', () => (p.acked.length >= 3000 ? true : undefined), 60_000, 50);
    await dockerAsync('kill', '-s', 'KILL', c.name);
    await p.stop();
    t.diagnostic(`SIGKILL: ${p.acked.length} lines acknowledged, ${p.ambiguous.length} lines in flight when killed`);
    acked.push(...p.acked);
    ambiguous['SIGKILL'] = p.ambiguous;
  });

  it('a container started again on the same volume holds every acknowledged entry exactly once', async (t) => {
    const c = await runContainer('c');
    const stored = await storedLines(c.url);
    const counts = new Map<string, number>();
    for (const l of stored) counts.set(l, (counts.get(l) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1);
    const missing = acked.filter((l) => !counts.has(l));
    const pushed = new Set([...acked, ...Object.values(ambiguous).flat()]);
    const unexpected = [...counts.keys()].filter((l) => !pushed.has(l));
    t.diagnostic(`stored ${stored.length} lines; acknowledged ${acked.length}`);
    for (const [phase, lines] of Object.entries(ambiguous)) t.diagnostic(`${phase}: ${lines.length} lines without an answer, of which stored ${lines.filter((l) => counts.has(l)).length}`);
    assert.deepEqual(missing.slice(0, 3), [], `${missing.length} acknowledged lines are missing`);
    assert.deepEqual(twice.slice(0, 3), [], `${twice.length} lines are stored more than once`);
    assert.deepEqual(unexpected.slice(0, 3), [], 'every stored line was pushed');
    docker('stop', '-t', '30', c.name);
    assert.equal(inspectState(c.name).exitCode, 0);
  });
});
