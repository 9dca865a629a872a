/**
 * Decompression and decoding probe (see README.md beside this file):
 *   node --import tsx bench/decompression/run.ts [--bombs 16] [--seconds 15]
 *
 * floor: a /ready probe every 50 ms and 2 steady pushers, nothing else.
 * bombs: `--bombs` clients each sending 2 MB gzip bombs (2 GB of zeros) in a loop, in parallel.
 * large: 4 clients each pushing 8 MB Loki JSON bodies (40,000 lines) and 2 MB protobuf+snappy
 *        bodies (40,000 lines) in a loop: decoding, not decompressing.
 * For each: the server's longest event-loop delay, /ready worst latency, the answers, RSS.
 */
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { LogCorpus } from '../../src/loadgen/corpus.js';
import { encodeBatch } from '../../src/loadgen/request-body.js';
import { PushLoad, type PushBody, type PushLoadResult } from '../common/push-load.js';
import { ReadyProbe, type ProbeResult } from '../common/probe.js';
import { startBenchServer } from '../common/server.js';
import { ServerSampler, type ServerSample } from '../common/server-sampler.js';
import { steadyBodies } from '../common/steady-bodies.js';
import { fmt, ms, report, sleep } from '../common/stats.js';

const { values: args } = parseArgs({
  options: {
    bombs: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '15' },
    env: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
    phases: { type: 'string', default: 'bombs,large' },
    'server-root': { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const PHASES = new Set(args.phases.split(','));
const extraEnv = Object.fromEntries(args.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

function largeBodies(): PushBody[] {
  const gen = new LogCorpus(3, { services: 6 });
  const out: PushBody[] = [];
  for (let i = 0; i < 6; i++) {
    const lines = Array.from({ length: 40_000 }, () => gen.next());
    const proto = i % 2 === 1;
    const e = encodeBatch(proto ? 'loki-protobuf' : 'loki-json', lines, BigInt(Date.now()) * 1_000_000n + BigInt(i) * 100_000n);
    out.push({ body: e.body, contentType: e.contentType, lines: e.lines });
  }
  return out;
}

/** `mib` MiB of zeros, gzipped as a stream (never held inflated). */
async function gzipBomb(mib: number): Promise<Buffer> {
  const z = createGzip({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (d: Buffer) => out.push(d));
  const done = new Promise((r) => z.once('end', r));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) if (!z.write(zeros)) await new Promise((r) => z.once('drain', r));
  z.end();
  await done;
  return Buffer.concat(out);
}

async function main(): Promise<void> {
  const s = await startBenchServer({ root: args['server-root'], env: extraEnv, nodeArgs: args['node-arg'] });
  const steady = steadyBodies({ count: 16, lines: 200 });
  let used = 0;
  try {
    const bomb = await gzipBomb(2048);
    console.log(`decompression probe: ${args.bombs} parallel gzip bombs of ${fmt(bomb.length / 1e6, 1)} MB (2 GB inflated), ${SECONDS} s per phase${args['server-root'] ? `, server from ${args['server-root']}` : ''}`);
    const phase = async (heavy?: { concurrency: number; body: (i: number) => PushBody }): Promise<{ sv: ServerSample; probe: ProbeResult; steady: PushLoadResult; heavy?: PushLoadResult }> => {
      await sleep(2000);
      const sampler = new ServerSampler(s.url, s.pid).start();
      const probe = new ReadyProbe(s.url, { intervalMs: 50 }).start();
      const normal = new PushLoad({ url: s.url, concurrency: 2, body: () => steady(used++) }).start();
      const h = heavy ? new PushLoad({ url: s.url, concurrency: heavy.concurrency, body: heavy.body }).start() : undefined;
      await sleep(SECONDS * 1000);
      const hr = await h?.stop();
      const st = await normal.stop();
      return { sv: sampler.stop(), probe: probe.stop(), steady: st, heavy: hr };
    };
    const show = (p: Awaited<ReturnType<typeof phase>>, floor?: Awaited<ReturnType<typeof phase>>): void => {
      if (p.heavy) {
        report('heavy requests: answers', JSON.stringify(p.heavy.status));
        report('heavy requests: latency p50 / max (2xx)', `${ms(p.heavy.accepted.p50)} / ${ms(p.heavy.accepted.max)}`);
      }
      report('server event loop: longest delay', ms(p.sv.maxLoopDelayMs), floor ? `floor ${ms(floor.sv.maxLoopDelayMs)}` : '');
      report('/ready latency p50 / max, failures', `${ms(p.probe.p50)} / ${ms(p.probe.max)}, ${p.probe.failures}`, floor ? `floor max ${ms(floor.probe.max)}` : '');
      report('steady pushes: lines/s, p99', `${fmt(p.steady.linesPerSecond)}, ${ms(p.steady.accepted.p99)}`, floor ? `floor ${fmt(floor.steady.linesPerSecond)}, ${ms(floor.steady.accepted.p99)}` : '');
      report('server RSS peak', `${fmt(p.sv.peakRss / 1e6)} MB`, floor ? `floor ${fmt(floor.sv.peakRss / 1e6)} MB` : '');
    };
    console.log('floor: steady pushes and the probe only:');
    const floor = await phase();
    show(floor);
    if (PHASES.has('bombs')) {
      console.log(`bombs: ${args.bombs} clients sending gzip bombs in a loop:`);
      show(await phase({ concurrency: Number(args.bombs), body: () => ({ body: bomb, contentType: 'application/json', contentEncoding: 'gzip', lines: 0 }) }), floor);
    }
    if (PHASES.has('large')) {
      const large = largeBodies();
      console.log(`large bodies: 4 clients pushing 8 MB JSON and 2 MB protobuf bodies (40,000 lines each) in a loop:`);
      show(await phase({ concurrency: 4, body: (i) => large[i % large.length] }), floor);
    }
  } finally {
    await s.stop();
  }
}

await main();
