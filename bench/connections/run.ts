/**
 * Connection exhaustion probe (see README.md beside this file):
 *   node --import tsx bench/connections/run.ts [--connections 20000] [--seconds 30] [--server-nofile 20000]
 *
 * A normal client (a /ready probe every 100 ms over fresh connections, and two pushers) from
 * 127.0.0.1, against slow clients from other loopback addresses:
 *   floor    no attack;
 *   spread   slowloris from 40 addresses (500 each: the total cap is what holds);
 *   single   slowloris from one address (the per-client cap holds);
 *   trickle  bodies sent one byte every 5 s, from 40 addresses.
 */
import { parseArgs } from 'node:util';
import { startBenchServer } from '../common/server.js';
import { PushLoad } from '../common/push-load.js';
import { ReadyProbe } from '../common/probe.js';
import type { SlowMode } from '../common/slow-clients.js';
import { SlowFleet } from '../common/slow-fleet.js';
import { steadyBodies } from '../common/steady-bodies.js';
import { ServerSampler } from '../common/server-sampler.js';
import { fmt, ms, report, sleep } from '../common/stats.js';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '20000' },
    trickle: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '30' },
    'server-nofile': { type: 'string', default: '20000' },
    'server-root': { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
    phases: { type: 'string', default: 'floor,spread,single,trickle' },
  },
});
const N = Number(args.connections);
const SECONDS = Number(args.seconds);
const PHASES = new Set(args.phases.split(','));
const extraEnv = Object.fromEntries(args.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const ADDRS = Array.from({ length: 40 }, (_, i) => `127.0.0.${i + 2}`);

async function main(): Promise<void> {
  const s = await startBenchServer({ root: args['server-root'], nofile: Number(args['server-nofile']), env: extraEnv, nodeArgs: args['node-arg'] });
  console.log(`connection probe: ${fmt(N)} slow connections, server open-file limit ${args['server-nofile']}${args['server-root'] ? `, server from ${args['server-root']}` : ''}, ${SECONDS} s per phase`);
  const bodies = steadyBodies({ count: 16, lines: 200 });
  let used = 0;
  const closedCounts = async (): Promise<Record<string, number>> => {
    const m = await fetch(s.url + '/metrics', { signal: AbortSignal.timeout(10_000) }).then((r) => r.text(), () => '');
    const out: Record<string, number> = {};
    for (const x of m.matchAll(/^http_connections_closed_total\{reason="(\w+)"\} (\d+)/gm)) out[x[1]] = Number(x[2]);
    return out;
  };
  let floorRate = NaN;
  let floorReady = NaN;
  try {
    const phase = async (name: string, attack?: { mode: SlowMode; count: number; addrs: string[] }): Promise<void> => {
      await sleep(2000);
      const before = await closedCounts();
      const logLinesBefore = s.output().split('\n').filter((l) => l.includes('HTTP connections refused')).length;
      const slow = attack ? new SlowFleet(s.port, attack.addrs, attack.count, attack.mode).start() : undefined;
      // Let the attack build up (at most 10 s) before the normal client is measured.
      if (slow) for (let i = 0; i < 20 && (await slow.size()) < attack!.count * 0.9; i++) await sleep(500);
      const probe = new ReadyProbe(s.url, { timeoutMs: 5000 }).start();
      const push = new PushLoad({ url: s.url, concurrency: 2, body: () => bodies(used++), localAddress: '127.0.0.1' }).start();
      const sampler = new ServerSampler(s.url, s.pid).start();
      await sleep(SECONDS * 1000);
      const pr = probe.stop();
      const pu = await push.stop();
      const sv = sampler.stop();
      const sl = await slow?.stop();
      const after = await closedCounts();
      const delta = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
      const logLines = s.output().split('\n').filter((l) => l.includes('HTTP connections refused')).length - logLinesBefore;
      console.log(`${name}:`);
      if (sl) {
        report('slow connections opened / closed by the server', `${fmt(sl.opened)} / ${fmt(sl.closedByServer)} (peak open ${fmt(sl.peakOpen)}, connect errors ${fmt(sl.connectErrors)})`);
        report('slow connection lifetime p50 / max (closed by the server)', `${ms(sl.lifetime.p50)} / ${ms(sl.lifetime.max)}`);
        report('answers the slow clients got', JSON.stringify(sl.answers));
      }
      report('/ready: failures, longest outage', `${pr.failures} of ${pr.n + pr.failures}, ${ms(pr.longestOutageMs)}`);
      report('/ready latency p50 / p99 / max', `${ms(pr.p50)} / ${ms(pr.p99)} / ${ms(pr.max)}`, Number.isNaN(floorReady) ? '' : `floor p99 ${ms(floorReady)}`);
      report('normal pushes: lines/s, p99, errors', `${fmt(pu.linesPerSecond)}, ${ms(pu.accepted.p99)}, ${pu.errors}`, Number.isNaN(floorRate) ? '' : `floor ${fmt(floorRate)} lines/s`);
      report('server event loop: longest delay (per-second max)', ms(sv.maxLoopDelayMs));
      report('server open files (peak sampled), RSS peak', `${fmt(sv.peakFds)}, ${fmt(sv.peakRss / 1e6)} MB`);
      report('http_connections_closed_total in the phase', JSON.stringify(delta));
      report('server log lines about closed connections', String(logLines));
      if (!attack) {
        floorRate = pu.linesPerSecond;
        floorReady = pr.p99;
      }
    };
    if (PHASES.has('floor')) await phase('floor: no attack');
    if (PHASES.has('spread')) await phase(`slowloris: ${fmt(N)} connections from ${ADDRS.length} addresses`, { mode: 'headers', count: N, addrs: ADDRS });
    if (PHASES.has('single')) await phase(`slowloris: ${fmt(N)} connections from one address`, { mode: 'headers', count: N, addrs: [ADDRS[0]] });
    if (PHASES.has('trickle')) await phase(`trickled bodies: ${args.trickle} connections, one byte every 5 s`, { mode: 'body', count: Number(args.trickle), addrs: ADDRS });
  } finally {
    await s.stop();
  }
}

await main();
