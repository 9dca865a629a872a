/**
 * Visibility probe (see README.md beside this file):
 *   node --import tsx bench/visibility/run.ts [--factor 0.8] [--seconds 20] [--probe-ms 200]
 *
 * Target: a pushed line is visible in a query and in a live tail within 1 s (p99) while the
 * server ingests `--factor` (0.8) × its sustainable rate.
 *
 * floor: the sustainable push rate, measured in the same run with 32 closed-loop pushers of
 * 1,000-line bodies. Then an open-loop load of `--factor` × that rate for `--seconds`, during
 * which a probe pushes one small line with a unique marker to its own stream every `--probe-ms`.
 * Each probe is timed from its send to: its push's answer (ack); its first appearance in a
 * `query_range` for `|= "<marker>"`, asked every 20 ms until it answers the line (10 s at most);
 * its arrival on a live tail (`/loki/api/v1/tail`, a WebSocket opened before the load). A probe
 * acknowledged but never seen in either path fails the run (exit code 1).
 */
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { PushLoad, type PushLoadResult } from '../common/push-load.js';
import { startBenchServer } from '../common/server.js';
import { ServerSampler } from '../common/server-sampler.js';
import { steadyBodies } from '../common/steady-bodies.js';
import { fmt, ms, report, sleep, summarize, type Summary } from '../common/stats.js';

const { values: args } = parseArgs({
  options: {
    factor: { type: 'string', default: '0.8' },
    seconds: { type: 'string', default: '20' },
    'floor-seconds': { type: 'string', default: '15' },
    'probe-ms': { type: 'string', default: '200' },
    pushers: { type: 'string', default: '32' },
    batch: { type: 'string', default: '1000' },
    env: { type: 'string', multiple: true, default: [] },
    'server-root': { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const FLOOR_SECONDS = Number(args['floor-seconds']);
const FACTOR = Number(args.factor);
const PROBE_MS = Number(args['probe-ms']);
const PUSHERS = Number(args.pushers);
const BATCH = Number(args.batch);
const POLL_MS = 20;
const GIVE_UP_MS = 10_000;
const TARGET_MS = 1000;
const PROBE_SELECTOR = '{service="visibility-probe"}';
const extraEnv = Object.fromEntries(args.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

interface Probe {
  marker: string;
  tsNs: bigint;
  sentAt: number;
  /** Status of the probe's push (0: no answer). */
  status?: number;
  ackMs?: number;
  queryMs?: number;
  tailMs?: number;
}

interface TailMessage {
  streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>;
  dropped_entries: unknown[] | null;
}

/** A live tail of the probe stream: stamps each marker's arrival on the probe it belongs to. */
class ProbeTail {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  dropped = 0;
  closedEarly?: string;
  private closing = false;

  constructor(url: string, probes: Map<string, Probe>) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/loki/api/v1/tail?${new URLSearchParams({ query: PROBE_SELECTOR })}`);
    this.ws.on('message', (d: Buffer) => {
      const at = performance.now();
      const msg = JSON.parse(d.toString()) as TailMessage;
      this.dropped += msg.dropped_entries?.length ?? 0;
      for (const s of msg.streams) {
        for (const [, line] of s.values) {
          const p = probes.get(markerOf(line));
          if (p && p.tailMs === undefined) p.tailMs = at - p.sentAt;
        }
      }
    });
    this.ws.on('close', (code, reason) => {
      if (!this.closing) this.closedEarly = `${code} ${reason.toString()}`;
    });
    this.opened = new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('error', () => {}); // reported through `closedEarly`
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((r) => this.ws.once('close', () => r()));
    this.ws.close();
    await Promise.race([closed, sleep(2000)]);
    this.ws.terminate();
  }
}

const markerOf = (line: string): string => /vis-[0-9a-f]+-\d+/.exec(line)?.[0] ?? '';

/** Pushes one probe line (Loki JSON) and records its answer. */
async function pushProbe(url: string, p: Probe): Promise<void> {
  const body = JSON.stringify({ streams: [{ stream: { service: 'visibility-probe' }, values: [[p.tsNs.toString(), `visibility probe ${p.marker}`]] }] });
  try {
    const r = await fetch(url + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(60_000) });
    await r.arrayBuffer();
    p.status = r.status;
  } catch {
    p.status = 0;
  }
  p.ackMs = performance.now() - p.sentAt;
}

interface PollStats {
  polls: number;
  /** Answers other than 200, by status (0: no answer). */
  failed: Record<string, number>;
}

/** Asks for the probe's marker every POLL_MS until a query answers its line, GIVE_UP_MS at most. */
async function pollQuery(url: string, p: Probe, stats: PollStats): Promise<void> {
  const q = new URLSearchParams({
    query: `${PROBE_SELECTOR} |= "${p.marker}"`,
    start: (p.tsNs - 60_000_000_000n).toString(),
    end: (p.tsNs + 60_000_000_000n).toString(),
    limit: '1',
  });
  while (performance.now() - p.sentAt < GIVE_UP_MS) {
    stats.polls++;
    try {
      const r = await fetch(`${url}/loki/api/v1/query_range?${q}`, { signal: AbortSignal.timeout(GIVE_UP_MS) });
      if (r.status === 200) {
        const body = (await r.json()) as { data: { result: Array<{ values: Array<[string, string]> }> } };
        if (body.data.result.some((s) => s.values.some(([, line]) => line.includes(p.marker)))) {
          p.queryMs = performance.now() - p.sentAt;
          return;
        }
      } else {
        await r.arrayBuffer();
        stats.failed[r.status] = (stats.failed[r.status] ?? 0) + 1;
      }
    } catch {
      stats.failed[0] = (stats.failed[0] ?? 0) + 1;
    }
    await sleep(POLL_MS);
  }
}

/** Waits until every acknowledged probe was seen on the tail or GIVE_UP_MS passed since its send. */
async function awaitTail(probes: Probe[]): Promise<void> {
  while (probes.some((p) => p.tailMs === undefined && performance.now() - p.sentAt < GIVE_UP_MS)) await sleep(50);
}

/** Sends a probe every PROBE_MS for `seconds`, each followed by its query polling; resolves when all are settled. */
async function runProbes(url: string, runId: string, seconds: number, probes: Map<string, Probe>, polls: PollStats): Promise<Probe[]> {
  const sent: Probe[] = [];
  const pending: Array<Promise<void>> = [];
  const t0 = performance.now();
  for (let i = 0; i * PROBE_MS < seconds * 1000; i++) {
    const wait = t0 + i * PROBE_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const p: Probe = { marker: `vis-${runId}-${i}`, tsNs: BigInt(Date.now()) * 1_000_000n, sentAt: performance.now() };
    probes.set(p.marker, p);
    sent.push(p);
    pending.push(Promise.all([pushProbe(url, p), pollQuery(url, p, polls)]).then(() => undefined));
  }
  await Promise.all(pending);
  await awaitTail(sent);
  return sent;
}

function row(s: Summary): string {
  return `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;
}

async function main(): Promise<number> {
  const s = await startBenchServer({ root: args['server-root'], env: extraEnv });
  let tail: ProbeTail | undefined;
  try {
    console.log(`visibility probe: push → visible in a query and a live tail at ${FACTOR}x the sustainable rate, ${SECONDS} s, a probe every ${PROBE_MS} ms${args['server-root'] ? `, server from ${args['server-root']}` : ''}`);
    const bodies = steadyBodies({ count: 16, lines: BATCH, seed: BATCH });
    let used = 0;
    const load = (rate?: number): PushLoad => new PushLoad({ url: s.url, concurrency: PUSHERS, rate, body: () => bodies(used++), timeoutMs: 120_000, maxBackoffMs: 5000 }).start();

    console.log(`floor: ${PUSHERS} closed-loop pushers, batches of ${fmt(BATCH)} lines, ${FLOOR_SECONDS} s:`);
    await sleep(3000);
    const floorLoad = load();
    await sleep(FLOOR_SECONDS * 1000);
    const floor = await floorLoad.stop();
    report('sustainable rate', `${fmt(floor.linesPerSecond)} lines/s`);
    report('push latency p50 / p99', `${ms(floor.accepted.p50)} / ${ms(floor.accepted.p99)}`);
    report('answers', JSON.stringify(floor.status));

    const runId = randomBytes(4).toString('hex');
    const probes = new Map<string, Probe>();
    tail = new ProbeTail(s.url, probes);
    await tail.opened;
    // One probe before the load: the tail is armed and both paths work (not counted).
    const warm = await runProbes(s.url, runId + 'a', PROBE_MS / 1000, probes, { polls: 0, failed: {} });
    if (warm.some((p) => p.queryMs === undefined || p.tailMs === undefined)) throw new Error(`the warm-up probe was not seen (query ${ms(warm[0].queryMs ?? NaN)}, tail ${ms(warm[0].tailMs ?? NaN)}, push status ${warm[0].status}); tail closed: ${tail.closedEarly ?? 'no'}`);
    await sleep(3000);

    const offered = floor.linesPerSecond * FACTOR;
    console.log(`${PUSHERS} open-loop pushers offering ${fmt(offered)} lines/s (${FACTOR}x), a probe every ${PROBE_MS} ms:`);
    const sampler = new ServerSampler(s.url, s.pid).start();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const polls: PollStats = { polls: 0, failed: {} };
    const steady = load(offered);
    // Probes stop after `--seconds`; the load goes on until the last probe is settled.
    const sent = await runProbes(s.url, runId, SECONDS, probes, polls);
    const r: PushLoadResult = await steady.stop();
    loopDelay.disable();
    const sv = sampler.stop();
    return printPhase(floor, offered, r, sent, polls, tail, sv.maxLoopDelayMs, loopDelay.max / 1e6);
  } finally {
    await tail?.close();
    await s.stop();
  }
}

/** Prints the loaded phase; returns the exit code (1 when an acknowledged probe was never seen). */
function printPhase(floor: PushLoadResult, offered: number, r: PushLoadResult, sent: Probe[], polls: PollStats, tail: ProbeTail, serverLoopMs: number, benchLoopMs: number): number {
  const acked = sent.filter((p) => p.status !== undefined && p.status >= 200 && p.status < 300);
  const refused = sent.length - acked.length;
  const notInQuery = acked.filter((p) => p.queryMs === undefined);
  const notInTail = acked.filter((p) => p.tailMs === undefined);
  const query = summarize(acked.flatMap((p) => (p.queryMs === undefined ? [] : [p.queryMs])));
  const live = summarize(acked.flatMap((p) => (p.tailMs === undefined ? [] : [p.tailMs])));
  const ackStatus: Record<string, number> = {};
  for (const p of sent) ackStatus[p.status ?? 0] = (ackStatus[p.status ?? 0] ?? 0) + 1;

  report('offered lines/s (target / sent)', `${fmt(offered)} / ${fmt((r.requests * BATCH) / r.seconds)}`, `sustainable ${fmt(floor.linesPerSecond)}`);
  report('accepted lines/s', fmt(r.linesPerSecond), `${fmt((100 * r.linesPerSecond) / floor.linesPerSecond)}% of sustainable`);
  report('load pushes: latency p50 / p99 / max', row(r.accepted), `floor p99 ${ms(floor.accepted.p99)}`);
  report('load answers', JSON.stringify(r.status));
  report('probes sent / acknowledged (2xx)', `${fmt(sent.length)} / ${fmt(acked.length)}`, `answers ${JSON.stringify(ackStatus)}`);
  report('probe push ack: p50 / p99 / max', row(summarize(sent.map((p) => p.ackMs ?? NaN).filter(Number.isFinite))));
  report('push → visible in query: p50 / p99 / max', row(query), `target p99 < ${ms(TARGET_MS)}`);
  report('push → visible in live tail: p50 / p99 / max', row(live), `target p99 < ${ms(TARGET_MS)}`);
  report('query polls, non-200 answers', `${fmt(polls.polls)}, ${JSON.stringify(polls.failed)}`);
  report('tail: dropped entries reported, closed early', `${fmt(tail.dropped)}, ${tail.closedEarly ?? 'no'}`);
  report('longest event-loop delay: server / this process', `${ms(serverLoopMs)} / ${ms(benchLoopMs)}`);
  report('probes never seen: query / live tail', `${notInQuery.length} / ${notInTail.length}`);

  const met = notInQuery.length === 0 && notInTail.length === 0 && query.p99 < TARGET_MS && live.p99 < TARGET_MS;
  console.log(`target (p99 < ${ms(TARGET_MS)} in both paths, no probe lost): ${met ? 'met' : 'MISSED'}`);
  if (refused > 0) console.error(`!!! ${refused} probe push(es) not acknowledged (answers ${JSON.stringify(ackStatus)}): not expected to be visible, not counted as lost`);
  if (notInQuery.length > 0) console.error(`!!! LOST: ${notInQuery.length} acknowledged probe(s) never seen in a query within ${GIVE_UP_MS / 1000} s: ${notInQuery.map((p) => p.marker).join(', ')}`);
  if (notInTail.length > 0) console.error(`!!! LOST: ${notInTail.length} acknowledged probe(s) never seen on the live tail within ${GIVE_UP_MS / 1000} s: ${notInTail.map((p) => p.marker).join(', ')}`);
  return notInQuery.length > 0 || notInTail.length > 0 ? 1 : 0;
}

process.exitCode = await main();
