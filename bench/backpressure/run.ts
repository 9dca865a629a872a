/**
 * Backpressure probe (see README.md beside this file):
 *   node --import tsx bench/backpressure/run.ts [--pushers 128,256] [--batch 1000,5000] [--seconds 20]
 *
 * floor: the sustainable push rate, measured in the same run with 32 closed-loop pushers (enough
 * to fill the group commit; fewer measure the pushers' latency, not the server's capacity).
 * Then, for each number of pushers and batch size, an open-loop offered load of twice that rate:
 * how fast accepted pushes are answered (p50/p99), how fast the excess is refused (429 latency),
 * the Retry-After values, accepted lines/s, the server's RSS and longest event-loop delay.
 * A pusher that gets 429 waits what Retry-After says (at most 5 s) before its next push.
 */
import { parseArgs } from 'node:util';
import { PushLoad, type PushLoadResult } from '../common/push-load.js';
import { startBenchServer } from '../common/server.js';
import { ServerSampler, type ServerSample } from '../common/server-sampler.js';
import { steadyBodies } from '../common/steady-bodies.js';
import { fmt, ms, report, sleep } from '../common/stats.js';

const { values: args } = parseArgs({
  options: {
    pushers: { type: 'string', default: '128,256' },
    batch: { type: 'string', default: '1000,5000' },
    seconds: { type: 'string', default: '20' },
    factor: { type: 'string', default: '2' },
    'floor-pushers': { type: 'string', default: '32' },
    env: { type: 'string', multiple: true, default: [] },
    'server-root': { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const extraEnv = Object.fromEntries(args.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

async function main(): Promise<void> {
  const s = await startBenchServer({ root: args['server-root'], env: extraEnv });
  try {
    console.log(`backpressure probe: ${args.factor}x the sustainable push rate, ${SECONDS} s per phase${args['server-root'] ? `, server from ${args['server-root']}` : ''}`);
    for (const batch of args.batch.split(',').map(Number)) {
      const bodies = steadyBodies({ count: 16, lines: batch, seed: batch });
      let used = 0;
      const run = async (o: { concurrency: number; rate?: number }): Promise<{ r: PushLoadResult; sv: ServerSample }> => {
        await sleep(3000);
        const sampler = new ServerSampler(s.url, s.pid).start();
        const load = new PushLoad({ url: s.url, concurrency: o.concurrency, rate: o.rate, body: () => bodies(used++), timeoutMs: 120_000, maxBackoffMs: 5000 }).start();
        await sleep(SECONDS * 1000);
        const r = await load.stop();
        return { r, sv: sampler.stop() };
      };
      console.log(`batches of ${fmt(batch)} lines — floor: ${args['floor-pushers']} closed-loop pushers:`);
      const floor = await run({ concurrency: Number(args['floor-pushers']) });
      report('sustainable rate', `${fmt(floor.r.linesPerSecond)} lines/s`);
      report('push latency p50 / p99', `${ms(floor.r.accepted.p50)} / ${ms(floor.r.accepted.p99)}`);
      report('answers', JSON.stringify(floor.r.status));
      const offered = floor.r.linesPerSecond * Number(args.factor);
      for (const pushers of args.pushers.split(',').map(Number)) {
        console.log(`batches of ${fmt(batch)} lines — ${pushers} pushers offering ${fmt(offered)} lines/s (${args.factor}x):`);
        const { r, sv } = await run({ concurrency: pushers, rate: offered });
        report('accepted lines/s', fmt(r.linesPerSecond), `sustainable ${fmt(floor.r.linesPerSecond)}`);
        report('accepted pushes: latency p50 / p99 / max', `${ms(r.accepted.p50)} / ${ms(r.accepted.p99)} / ${ms(r.accepted.max)}`, `floor p99 ${ms(floor.r.accepted.p99)}`);
        report('refused pushes (429): count, latency p50 / p99', `${fmt(r.refused.n)}, ${ms(r.refused.p50)} / ${ms(r.refused.p99)}`);
        report('Retry-After seen: p50 / max', `${r.retryAfter.p50} s / ${r.retryAfter.max} s`);
        report('answers', JSON.stringify(r.status));
        report('server RSS peak, longest event-loop delay', `${fmt(sv.peakRss / 1e6)} MB, ${ms(sv.maxLoopDelayMs)}`, `floor ${fmt(floor.sv.peakRss / 1e6)} MB`);
      }
    }
  } finally {
    await s.stop();
  }
}

await main();
