/**
 * Query isolation probe (see README.md beside this file):
 *   node --import tsx bench/query-isolation/run.ts [--lines 1000000] [--seconds 20] [--queries 16]
 *
 * 1. preload `--lines` corpus lines spread over the last 24 h;
 * 2. floor: steady ingest alone (closed-loop pushers) — lines/s, push p50/p99;
 * 3. line_format amplification: huge printf width, indent, repeat on a 3-line stream, during ingest;
 * 4. storm: `--queries` heavy `| logfmt` queries in a loop over the whole range, during ingest;
 * 5. single: one heavy query over 6 h, alone and during ingest at 30% of the floor's rate (the
 *    loop has spare time: the query should take it, not wait for its floor share).
 * Each phase prints its figures beside the floor of the same run, the server's peak RSS, its
 * longest event-loop delay, and the worst /ready latency seen by a probe asking every 100 ms.
 */
import { parseArgs } from 'node:util';
import { buildCorpus } from '../ingest-query/corpus.js';
import { PushLoad, type PushLoadResult } from '../common/push-load.js';
import { ReadyProbe, type ProbeResult } from '../common/probe.js';
import { startBenchServer } from '../common/server.js';
import { ServerSampler, type ServerSample } from '../common/server-sampler.js';
import { steadyBodies } from '../common/steady-bodies.js';
import { fmt, ms, report, rssOf, sleep, summarize, type Summary } from '../common/stats.js';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '20' },
    queries: { type: 'string', default: '16' },
    pushers: { type: 'string', default: '8' },
    batch: { type: 'string', default: '1000' },
    env: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
    'server-root': { type: 'string' },
    phases: { type: 'string', default: 'amplification,storm,single' },
  },
});
const LINES = Number(args.lines);
const SECONDS = Number(args.seconds);
const QUERIES = Number(args.queries);
const PUSHERS = Number(args.pushers);
const BATCH = Number(args.batch);
const PHASES = new Set(args.phases.split(','));
const extraEnv = Object.fromEntries(args.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

interface Phase {
  push: PushLoadResult;
  probe: ProbeResult;
  server: ServerSample;
  extra: unknown;
}

const AMPLIFICATION = [
  '{service="amp"} | line_format `{{ printf "%999999999s" __line__ }}`',
  '{service="amp"} | line_format `{{ indent 999999999 __line__ }}`',
  '{service="amp"} | line_format `{{ repeat 99999 (repeat 99999 __line__) }}`',
  '{service="amp"} | line_format `{{ __line__ | repeat 100000 | repeat 100000 | repeat 100000 }}`',
];

function stormQueries(end: bigint): Array<Record<string, string>> {
  const range = { start: (end - 86_400_000_000_000n).toString(), end: end.toString() };
  return [
    { query: '{service=~".+"} | logfmt | status >= 500 | duration > 10s', limit: '100', ...range },
    { query: 'sum by (service, level) (count_over_time({service=~".+"} | logfmt [5m]))', step: '300', ...range },
    { query: '{service=~".+"} | logfmt | msg =~ ".*zzz.*"', limit: '100', ...range },
    { query: 'count_over_time({service=~".+"} | logfmt [1m])', step: '60', ...range },
  ];
}

async function main(): Promise<void> {
  const s = await startBenchServer({ root: args['server-root'], env: extraEnv, nodeArgs: args['node-arg'] });
  try {
    console.log(`query isolation probe: ${fmt(LINES)} preloaded lines over 24 h, ${PUSHERS} pushers of ${BATCH}-line batches, ${QUERIES} heavy queries, ${SECONDS} s per phase`);
    if (args['server-root']) console.log(`  server from ${args['server-root']}`);
    if (Object.keys(extraEnv).length) console.log(`  server env: ${JSON.stringify(extraEnv)}`);
    const corpus = buildCorpus({ lines: LINES, batch: 2000, hours: 24, seed: 42 });
    corpus.rows.length = 0;
    const pre = new PushLoad({ url: s.url, concurrency: 4, body: (i) => ({ body: Buffer.from(corpus.bodies[i] ?? '{"streams":[]}'), contentType: 'application/json', lines: 2000 }) });
    const t0 = performance.now();
    pre.start();
    while (pre.issued < corpus.bodies.length) await sleep(100);
    await pre.stop();
    console.log(`  preloaded in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    corpus.bodies.length = 0;
    // The heavy queries read the preloaded lines only (up to a minute before the preload ended),
    // not what the steady pushers add from now on: every phase's queries read the same data,
    // whatever ran before them.
    const dataEnd = BigInt(Date.now() - 60_000) * 1_000_000n;
    // The 3-line stream the amplification queries run on.
    const three = JSON.stringify({ streams: [{ stream: { service: 'amp' }, values: [1, 2, 3].map((k) => [String(BigInt(Date.now()) * 1_000_000n + BigInt(k)), `line ${k} a=b`]) }] });
    await fetch(s.url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: three });

    const bodies = steadyBodies({ count: 16, lines: BATCH });
    let used = 0;
    /** Runs `during` beside steady ingest (open loop at `rate` lines/s if given) for `--seconds`, or until it is done with `untilDone`. */
    const phase = async (during: (stop: AbortSignal) => Promise<unknown>, rate?: number, untilDone = false): Promise<Phase> => {
      await sleep(2000);
      const sampler = new ServerSampler(s.url, s.pid).start();
      const load = new PushLoad({ url: s.url, concurrency: PUSHERS, rate, body: () => bodies(used++) }).start();
      const probe = new ReadyProbe(s.url).start();
      const ac = new AbortController();
      const extraP = during(ac.signal);
      await (untilDone ? extraP : sleep(SECONDS * 1000));
      ac.abort();
      const push = await load.stop();
      const pr = probe.stop();
      const extra = await extraP;
      return { push, probe: pr, server: sampler.stop(), extra };
    };
    const common = (p: Phase, floor?: Phase): void => {
      const vs = (f: (x: Phase) => string): string => (floor ? `floor ${f(floor)}` : '');
      report('push throughput', `${fmt(p.push.linesPerSecond)} lines/s`, floor ? `floor ${fmt(floor.push.linesPerSecond)} lines/s, ${fmt((p.push.linesPerSecond / floor.push.linesPerSecond) * 100)}%` : '');
      report('push latency p50 / p99 / max', `${ms(p.push.accepted.p50)} / ${ms(p.push.accepted.p99)} / ${ms(p.push.accepted.max)}`, vs((x) => `${ms(x.push.accepted.p50)} / ${ms(x.push.accepted.p99)}`));
      report('push answers', JSON.stringify(p.push.status));
      report('/ready worst latency, failures', `${ms(p.probe.max)}, ${p.probe.failures}`, vs((x) => ms(x.probe.max)));
      report('server event loop: longest delay', ms(p.server.maxLoopDelayMs), vs((x) => ms(x.server.maxLoopDelayMs)));
      report('server RSS peak / JS heap peak', `${fmt(p.server.peakRss / 1e6)} MB / ${fmt(p.server.peakHeap / 1e6)} MB`, vs((x) => `${fmt(x.server.peakRss / 1e6)} MB`));
    };

    console.log('floor: steady ingest alone:');
    const idle = await phase(async () => undefined);
    common(idle);

    if (PHASES.has('amplification')) {
      console.log('line_format amplification on a 3-line stream, during steady ingest:');
      const amp = await phase(async () => {
        const out: string[] = [];
        for (const q of AMPLIFICATION) {
          const t = performance.now();
          const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: q, since: '1h', limit: '10' }), { signal: AbortSignal.timeout(120_000) }).catch((e: Error) => ({ status: 0, text: async () => e.message }));
          const text = (await r.text()).slice(0, 110).replace(/\s+/g, ' ');
          out.push(`${ms(performance.now() - t)} → ${r.status} ${text}`);
        }
        return out;
      });
      (amp.extra as string[]).forEach((line, i) => report(`query ${i + 1}: ${AMPLIFICATION[i].slice(30, 62)}`, line));
      common(amp, idle);
    }

    if (PHASES.has('storm')) {
      console.log(`storm: ${QUERIES} heavy | logfmt queries over 24 h, in a loop, during steady ingest:`);
      const queries = stormQueries(dataEnd);
      const storm = await phase(async (stop) => {
        const lat: number[] = [];
        const status: Record<string, number> = {};
        const worker = async (k: number): Promise<void> => {
          let i = k;
          while (!stop.aborted) {
            const t = performance.now();
            let st = 'error';
            try {
              const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams(queries[i++ % queries.length]), { signal: AbortSignal.timeout(120_000) });
              await r.arrayBuffer();
              st = String(r.status);
            } catch {
              // counted as error
            }
            status[st] = (status[st] ?? 0) + 1;
            lat.push(performance.now() - t);
          }
        };
        await Promise.all(Array.from({ length: QUERIES }, (_, k) => worker(k)));
        return { lat: summarize(lat), status };
      });
      const se = storm.extra as { lat: Summary; status: Record<string, number> };
      report('query answers (status: count)', JSON.stringify(se.status));
      report('query latency p50 / max', `${ms(se.lat.p50)} / ${ms(se.lat.max)}`);
      common(storm, idle);
    }
    if (PHASES.has('single')) {
      // One heavy query, three runs each: alone, then while ingest uses part of the loop.
      const end = dataEnd;
      const q = { query: 'sum by (service, level) (count_over_time({service=~".+"} | logfmt | status >= 400 [5m]))', step: '300', start: (end - 6n * 3_600_000_000_000n).toString(), end: end.toString() };
      const timeQuery = async (): Promise<string> => {
        const t = performance.now();
        const r = await fetch(s.url + '/loki/api/v1/query_range?' + new URLSearchParams(q), { signal: AbortSignal.timeout(120_000) });
        await r.arrayBuffer();
        return r.ok ? ms(performance.now() - t) : `${r.status}`;
      };
      const alone: string[] = [];
      await sleep(2000);
      for (let i = 0; i < 3; i++) alone.push(await timeQuery());
      const rate = Math.round(idle.push.linesPerSecond * 0.3);
      console.log(`single: one heavy | logfmt query over 6 h, alone and during ingest at 30% of the floor (${fmt(rate)} lines/s offered):`);
      const during = await phase(async () => {
        const out: string[] = [];
        for (let i = 0; i < 3; i++) out.push(await timeQuery());
        return out;
      }, rate, true);
      report('query alone, 3 runs', alone.join(', '));
      report('query during 30% ingest, 3 runs', (during.extra as string[]).join(', '));
      common(during, idle);
    }
    report('server RSS high-water mark (whole run)', `${fmt(rssOf(s.pid).peak / 1e6)} MB`);
  } finally {
    await s.stop();
  }
}

await main();
