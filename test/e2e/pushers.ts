/**
 * Clients for drills: workers that push numbered Loki batches one after another and retry each
 * until it is acknowledged (as Loki clients do), recording what was acknowledged and every refusal;
 * and reading back what a stopped server's store holds.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { DuckDBStorage } from '../../src/storage/duckdb/duckdb-storage.js';

export interface Refusal {
  status: number;
  retryAfter: string | null;
  body: string;
}

export interface PusherOptions {
  service: string;
  perBatch: number;
  /** Characters of padding per line (bigger stores, fuller disks). */
  pad?: number;
  /** Called with each push's latency in ms, acknowledged or not. */
  onLatency?: (ms: number, at: number) => void;
}

const BASE = BigInt(Date.now()) * 1_000_000n - 600_000_000_000n;

export class Pushers {
  readonly acked: string[] = [];
  readonly refusals: Refusal[] = [];
  private stopping = false;
  /** After a failure: give up on batches not yet acknowledged, so the test ends. */
  private abandoned = false;
  private readonly running: Array<Promise<void>>;

  constructor(
    private readonly url: () => string,
    workers: number,
    private readonly opts: PusherOptions,
  ) {
    this.running = Array.from({ length: workers }, (_, w) => this.run(w));
  }

  body(worker: number, seq: number): string {
    const values: Array<[string, string]> = [];
    const n = this.opts.perBatch;
    for (let i = 0; i < n; i++) {
      const ts = BASE + BigInt(worker) * 100_000_000_000n + BigInt(seq * n + i);
      values.push([ts.toString(), `${this.opts.service} w${worker} seq${seq} i${i} level=info msg="drill" pad=${'x'.repeat(this.opts.pad ?? 20)}`]);
    }
    return JSON.stringify({ streams: [{ stream: { service: this.opts.service, worker: String(worker) }, values }] });
  }

  private async run(w: number): Promise<void> {
    for (let seq = 0; !this.stopping; seq++) {
      const b = this.body(w, seq);
      // A batch once sent is retried until acknowledged, even while stopping: it may be stored.
      while (!this.abandoned) {
        const t0 = performance.now();
        try {
          const r = await fetch(this.url() + '/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: b });
          const text = await r.text();
          this.opts.onLatency?.(performance.now() - t0, Date.now());
          if (r.status === 204) {
            this.acked.push(b);
            break;
          }
          this.refusals.push({ status: r.status, retryAfter: r.headers.get('retry-after'), body: text });
        } catch {
          // the server is down (killed): retry
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async waitAcked(n: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.acked.length < n) {
      if (Date.now() > deadline) assert.fail(`only ${this.acked.length} of ${n} batches acknowledged; refusals: ${JSON.stringify(this.refusals.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async waitRefusal(match: RegExp, timeoutMs = 30_000): Promise<Refusal> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.refusals.find((x) => match.test(x.body));
      if (r) return r;
      if (Date.now() > deadline) assert.fail(`no push refused with ${match}; refusals: ${JSON.stringify(this.refusals.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.stop();
  }
}

export function linesOf(batches: readonly string[]): string[] {
  return batches.flatMap((b) => (JSON.parse(b) as { streams: Array<{ values: string[][] }> }).streams[0].values.map((v) => v[1]));
}

/** Lines of tenant `default` in the store of a stopped server (or a restored data directory). */
export async function storedLines(dataDir: string): Promise<{ total: number; distinct: number; lines: Set<string> }> {
  const s = new DuckDBStorage({ dataDir, checkpointIntervalMs: 0, dedupWindowEntries: 0 });
  await s.open();
  try {
    const [[total, distinct]] = await s.query("SELECT count(*), count(DISTINCT line) FROM entries WHERE tenant = 'default'");
    const lines = new Set((await s.query("SELECT line FROM entries WHERE tenant = 'default'")).map((r) => r[0] as string));
    return { total: Number(total), distinct: Number(distinct), lines };
  } finally {
    await s.close();
  }
}

/** Every line of `want` is stored, none twice, and (with `exact`) nothing else. */
export async function assertStoredOnce(t: TestContext, dataDir: string, want: string[], opts: { exact: boolean; allowed?: Set<string> } = { exact: true }): Promise<void> {
  const s = await storedLines(dataDir);
  t.diagnostic(`${dataDir}: want ${want.length} entries, stored ${s.total} (${s.distinct} distinct)`);
  const missing = want.filter((l) => !s.lines.has(l));
  assert.deepEqual(missing.slice(0, 3), [], `${missing.length} acknowledged entries are missing`);
  assert.equal(s.total, s.distinct, `${s.total - s.distinct} entries are stored twice`);
  if (opts.exact) assert.equal(s.total, want.length, 'every stored entry was acknowledged');
  if (opts.allowed) {
    const strangers = [...s.lines].filter((l) => !opts.allowed!.has(l));
    assert.deepEqual(strangers.slice(0, 3), [], `${strangers.length} stored entries were never sent`);
  }
}
